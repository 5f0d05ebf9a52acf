"""The output-safety boundary: what every output does with the report before it writes a byte.

A new output format makes one call, `report = redacted_envelope(report)`, at the top of its
`render`, then writes every field as it is, escaped for its own syntax:

- finding fields (and their suppression and triage) are redacted when they are made
  (`Finding`'s validator), so no output redacts them again;
- `redacted_envelope` redacts every other string of the report (reasons, warnings, layer
  errors and versions, the synthesis, the target) once;
- a URL becomes a link only through `safe_url`; anything else is shown as text;
- `printable` shows control characters as escapes (terminal, Markdown, Slack);
- `shows_snippet` says where a code line may be shown at all;
- `utf8_safe` keeps a file written when a path is not UTF-8.
"""

from __future__ import annotations

import re

from secscan.findings.model import Category, Finding
from secscan.findings.redact import redact_json, redact_text
from secscan.outputs.printable import printable
from secscan.report import Report

__all__ = ["printable", "redacted_envelope", "safe_url", "shows_snippet", "utf8_safe"]

# http(s), and none of the characters that end a link or break out of one in any of our formats
# (Markdown, mrkdwn, HTML attributes, SARIF's Markdown help): whitespace, < > " ' ` | \.
_WEB_URL = re.compile(r"^https?://[^\s<>\"'`|\\]+$", re.IGNORECASE)


def redacted_envelope(report: Report) -> Report:
    """The report with every string outside its findings redacted (reasons, warnings, layer
    errors, the synthesis, the target). Findings are redacted when they are made."""
    envelope = report.model_dump(mode="json", exclude={"findings"})
    clean = redact_json(envelope)
    if clean is envelope:
        return report
    return Report.model_validate({**clean, "findings": report.findings})


def safe_url(url: str | None) -> str | None:
    """`url` when it may be a link: a plain http(s) URL with nothing to redact in it; else None."""
    if not url or not _WEB_URL.match(url) or redact_text(url) != url:
        return None
    return url


def shows_snippet(finding: Finding) -> bool:
    """Code lines are shown only where they cannot hold a credential."""
    return finding.category is not Category.SECRET and "CWE-798" not in finding.cwe


def utf8_safe(text: str) -> str:
    """Text that encodes as UTF-8: a path that is not UTF-8 (Python keeps its bytes as lone
    surrogates) shows U+FFFD where its bad bytes were, as the scanners write such names."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
