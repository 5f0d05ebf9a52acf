"""report.json."""

from __future__ import annotations

import json
from typing import Any

from secscan.findings.redact import redact_json
from secscan.report import Report


def report_document(report: Report) -> dict[str, Any]:
    document: dict[str, Any] = redact_json(report.model_dump(mode="json"))
    return document


class JsonReport:
    filename = "report.json"

    def render(self, report: Report) -> str:
        return json.dumps(report_document(report), indent=2, ensure_ascii=False) + "\n"


def schema() -> dict[str, Any]:
    return Report.model_json_schema()
