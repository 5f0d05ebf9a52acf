"""The normalized finding model, its ids, de-duplication and redaction."""

from secscan.findings.dedup import deduplicate, order
from secscan.findings.fingerprint import assign_ids
from secscan.findings.model import (
    LAYER_NAMES,
    Category,
    Finding,
    FindingStatus,
    LayerName,
    ScannerName,
    Severity,
    Sighting,
    Suppression,
)
from secscan.findings.redact import MASK, redact_json, redact_text, register_secret


def normalize(findings: list[Finding]) -> list[Finding]:
    """De-duplicate, fingerprint and order: the one finding set every output reads."""
    return order(assign_ids(deduplicate(findings, fill_scanners=False), fill_scanners=True))


__all__ = [
    "LAYER_NAMES",
    "MASK",
    "Category",
    "Finding",
    "FindingStatus",
    "LayerName",
    "ScannerName",
    "Severity",
    "Sighting",
    "Suppression",
    "assign_ids",
    "deduplicate",
    "normalize",
    "order",
    "redact_json",
    "redact_text",
    "register_secret",
]
