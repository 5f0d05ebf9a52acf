"""Findings for unit tests: one call, only the fields a test cares about."""

from __future__ import annotations

from typing import Any

from secscan.findings.model import Category, Finding, LayerName, ScannerName, Severity

_LAYER: dict[Category, LayerName] = {
    Category.SECRET: "gitleaks",
    Category.CODE: "semgrep",
    Category.VULNERABILITY: "trivy",
    Category.MISCONFIGURATION: "trivy",
    Category.LICENSE: "trivy",
}


def make_finding(
    category: Category = Category.CODE,
    severity: Severity = Severity.HIGH,
    rule: str = "rule",
    *,
    layer: LayerName | None = None,
    **fields: Any,
) -> Finding:
    """A finding of `category` (its usual layer unless given) at app.py:3, status new; `fields` override."""
    chosen: LayerName = layer or _LAYER[category]
    scanner: ScannerName = "trivy" if chosen in ("trivy", "trivy-image") else chosen  # type: ignore[assignment]
    values: dict[str, Any] = {
        "scanner": scanner,
        "layer": chosen,
        "category": category,
        "rule_id": rule,
        "severity": severity,
        "title": f"{rule} title",
        "path": "app.py",
        "line": 3,
    }
    values.update(fields)
    return Finding(**values)
