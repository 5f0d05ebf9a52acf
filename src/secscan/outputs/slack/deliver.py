"""Slack: delivery through an incoming webhook or the Web API (message, thread replies, file uploads).

`post_report` never raises: every outcome is a `Delivery` that the pipeline records in report.json."""

from __future__ import annotations

import logging
import socket
import urllib.error
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from secscan.config import Config
from secscan.credentials import Credentials, reveal
from secscan.errors import DeliveryFailed
from secscan.findings.redact import redact_text, register_secret
from secscan.outputs.safety import printable
from secscan.outputs.slack.render import build_layer_reply, build_message
from secscan.outputs.slack.retry import RetryBudget, retry_handlers
from secscan.report import Delivery, Report

ATTACHMENTS = ("report.md", "report.html")
_MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024

# The SDK logs request bodies at DEBUG and prints connection errors; the Delivery says what happened.
_SDK_LOGGER = logging.getLogger("secscan.outputs.slack.sdk")
_SDK_LOGGER.addHandler(logging.NullHandler())
_SDK_LOGGER.propagate = False
_SDK_LOGGER.setLevel(logging.CRITICAL)

# --------------------------------------------------------------------------- configuration


# Every post: no link previews, no @-mentions or markup parsed out of the repository's text.
_NO_EXPANSION: dict[str, Any] = {"unfurl_links": False, "unfurl_media": False, "link_names": False, "parse": "none"}


def configured(credentials: Credentials | None = None) -> bool:
    """A webhook, or a bot token and a channel, are set (the run's credentials; None: the environment)."""
    credentials = credentials or Credentials.from_environment()
    return credentials.slack_webhook_url is not None or _web_api(credentials)


def _web_api(credentials: Credentials) -> bool:
    return credentials.slack_bot_token is not None and credentials.slack_channel is not None


def plain(text: str | None, limit: int = 300) -> str:
    """One redacted line about the delivery (errors from the network or the SDK are not the report's text)."""
    text = " ".join(redact_text(text or "").split())
    return printable(text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…")


# --------------------------------------------------------------------------- delivery


def _describe(what: str, exc: BaseException, budget: RetryBudget, timeout_s: float) -> str:
    if isinstance(exc, DeliveryFailed):
        detail = str(exc)
    elif isinstance(exc, SlackApiError):
        response = exc.response
        error = response.get("error") if isinstance(response.data, dict) else None
        if response.status_code == 200 and error:
            detail = str(error)
        else:
            detail = f"HTTP {response.status_code}" + (f" {error}" if error else "")
        if response.status_code == 429:
            detail += " (rate limited)"
    elif isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            detail = f"no answer within {timeout_s:g} s"
        else:
            detail = f"cannot connect: {reason}"
    elif isinstance(exc, (socket.timeout, TimeoutError)):
        detail = f"no answer within {timeout_s:g} s"
    else:
        detail = f"{type(exc).__name__}: {exc}"
    if budget.retries:
        detail += f" (after {budget.retries} retr{'y' if budget.retries == 1 else 'ies'})"
    return plain(f"{what}: {detail}", 300)


def _send_webhook(url: str, report: Report, config: Config, budget: RetryBudget) -> str:
    client = WebhookClient(
        url,
        timeout=max(1, round(config.slack.timeout_s)),
        logger=_SDK_LOGGER,
        retry_handlers=retry_handlers(config, budget),
    )
    message = build_message(report, config, include_findings=True)
    response = client.send(text=message.text, blocks=message.blocks, unfurl_links=False, unfurl_media=False)
    # The webhook client returns HTTP errors instead of raising them.
    if response.status_code != 200:
        raise DeliveryFailed(f"HTTP {response.status_code} {plain(response.body, 120)}".strip())
    return f"sent through the incoming webhook ({len(message.blocks)} blocks)"


def _attachments(report: Report, attachments_dir: Path | None) -> list[tuple[str, str]]:
    """report.md and report.html (else report.json) from the out dir, or rendered now without one.
    Files this run failed to write (named in the warnings) are stale: never attached."""
    not_written = {w.split(" ", 1)[0] for w in report.warnings if " not written" in w}
    found: list[tuple[str, str]] = []
    if attachments_dir is not None:
        for names in (ATTACHMENTS, ("report.json",)):
            for name in names:
                path = attachments_dir / name
                if name in not_written or not path.is_file() or path.stat().st_size > _MAX_ATTACHMENT_BYTES:
                    continue
                found.append((name, path.read_text(encoding="utf-8", errors="replace")))
            if found:
                break
    else:
        from secscan.outputs import formats

        for output in formats():
            if output.filename in ATTACHMENTS:
                try:
                    content: str | None = output.render(report)
                except Exception:  # noqa: BLE001 - a broken renderer costs the attachment, not the message
                    content = None
                if content is not None:
                    found.append((output.filename, content))
        if not found:
            from secscan.outputs.json_report import JsonReport

            found.append(("report.json", JsonReport().render(report)))
    # Files read back from --out may not be this run's renderings: one more look before they leave.
    return [(name, redact_text(content)) for name, content in found]


def _send_web_api(
    token: str, channel: str, report: Report, config: Config, budget: RetryBudget, attachments_dir: Path | None
) -> str:
    client = WebClient(
        token=token,
        base_url=config.slack.api_url.rstrip("/") + "/",
        timeout=max(1, round(config.slack.timeout_s)),
        logger=_SDK_LOGGER,
        retry_handlers=retry_handlers(config, budget),
    )
    attach = config.slack.attach_report
    message = build_message(report, config, attached=attach)
    posted = client.chat_postMessage(
        channel=channel,
        text=message.text,
        blocks=message.blocks,
        **_NO_EXPANSION,
    )
    channel_id = str(posted.get("channel") or channel)
    thread_ts = str(posted.get("ts") or "")
    done = [f"sent through the Web API to {plain(channel_id, 40)} ({len(message.blocks)} blocks)"]
    if not thread_ts:
        return done[0] + "; no thread: Slack returned no ts"

    replies = 0
    step = "thread reply"
    try:
        if config.slack.thread_details:
            for layer in report.layers:
                if layer.status == "skipped":
                    continue
                reply = build_layer_reply(report, layer, attached=attach)
                client.chat_postMessage(
                    channel=channel_id,
                    thread_ts=thread_ts,
                    text=reply.text,
                    blocks=reply.blocks,
                    **_NO_EXPANSION,
                )
                replies += 1
            done.append(f"{replies} thread repl{'y' if replies == 1 else 'ies'}")
        if attach:
            step = "attachment"
            files = _attachments(report, attachments_dir)
            client.files_upload_v2(
                file_uploads=[
                    {"filename": name, "content": content, "title": f"secscan {name}"} for name, content in files
                ],
                channel=channel_id,
                thread_ts=thread_ts,
                initial_comment="The full report",
            )
            done.append("attached " + ", ".join(name for name, _ in files))
    except Exception as exc:  # noqa: BLE001 - the message is out: a missing detail is a note, not a failure
        if step == "thread reply":
            done.append(f"{replies} thread repl{'y' if replies == 1 else 'ies'}")
        done.append(_describe(f"{step} not sent", exc, budget, config.slack.timeout_s))
    return "; ".join(done)


def post_report(
    report: Report, config: Config, *, attachments_dir: Path | None = None, credentials: Credentials | None = None
) -> Delivery:
    """Post the report; never raises. Bot token + channel win over the webhook when both are set.
    `credentials`: the run's (the pipeline passes them); None reads the environment."""
    credentials = credentials or Credentials.from_environment()
    for secret in credentials.secret_values():
        register_secret(secret)
    if not config.slack.enabled:
        return Delivery(status="skipped", detail="slack is disabled in the config")
    token, webhook_url = reveal(credentials.slack_bot_token), reveal(credentials.slack_webhook_url)
    channel = credentials.slack_channel
    budget = RetryBudget(config.slack.retry_budget_s)
    what = "Slack Web API" if token and channel else "Slack webhook"
    try:
        if token and channel:
            detail = _send_web_api(token, channel, report, config, budget, attachments_dir)
        elif webhook_url:
            detail = _send_webhook(webhook_url, report, config, budget)
        else:
            return Delivery(
                status="skipped", detail="not configured: set SLACK_WEBHOOK_URL, or SLACK_BOT_TOKEN and SLACK_CHANNEL"
            )
    except Exception as exc:  # noqa: BLE001 - never fatal: recorded in report.json, the gate decides the exit
        return Delivery(status="failed", detail=_describe(what, exc, budget, config.slack.timeout_s))
    return Delivery(status="sent", detail=plain(detail, 300))
