"""report.json."""

from __future__ import annotations

import json
from typing import Any

from secscan.findings.redact import redact_json
from secscan.report import Report


def report_document(report: Report) -> dict[str, Any]:
    document: dict[str, Any] = redact_json(report.model_dump(mode="json"))
    return document


def utf8_safe(text: str) -> str:
    """Text that encodes as UTF-8: a path that is not UTF-8 (Python keeps its bytes as lone
    surrogates) shows U+FFFD where its bad bytes were, as the scanners write such names."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


class JsonReport:
    filename = "report.json"

    def render(self, report: Report) -> str:
        return utf8_safe(json.dumps(report_document(report), indent=2, ensure_ascii=False) + "\n")


def schema() -> dict[str, Any]:
    return Report.model_json_schema()
