"""Repository text made safe to show: no control character reaches a terminal, Markdown or Slack.

A file name, rule message or commit subject may carry ESC sequences (clear the screen, paint a
green "PASS"), carriage returns and newlines (forge a line of a table), or Unicode direction
overrides (text that reads differently from what it is). Each such character is shown as its
escape (`\\x1b`, `\\n`, `\\u202e`) instead: visible, inert, and still telling what was there.
"""

from __future__ import annotations

import re

# C0, DEL, C1, and the Unicode line/paragraph separators and bidirectional controls.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, *, keep_lines: bool = False) -> str:
    """text with every control character shown as its escape (newlines and tabs kept when asked)."""
    pattern = _CONTROL_BUT_LINES if keep_lines else _CONTROL
    return pattern.sub(_escape, text) if pattern.search(text) else text
