"""Slack: the report as a Block Kit message, through an incoming webhook or the Web API.

render.py lays the message out within Slack's limits, retry.py is the retry policy, deliver.py
sends (and never raises: every outcome is a `Delivery` recorded in report.json).
"""

from secscan.outputs.slack.deliver import configured, post_report
from secscan.outputs.slack.render import Rendered, build_layer_reply, build_message, fallback_text

__all__ = ["Rendered", "build_layer_reply", "build_message", "configured", "fallback_text", "post_report"]
