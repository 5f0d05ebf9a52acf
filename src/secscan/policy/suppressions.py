"""Suppressions: a finding id, or a rule (+ path glob), with a reason, an owner and an expiry."""

from __future__ import annotations

import datetime as dt
from fnmatch import fnmatchcase

from secscan.config import SuppressionEntry
from secscan.findings.model import Finding, Suppression


def matches(entry: SuppressionEntry, finding: Finding) -> bool:
    if entry.id is not None:
        return finding.id == entry.id
    if entry.rule != finding.rule_id:
        return False
    return entry.path is None or (finding.path is not None and fnmatchcase(finding.path, entry.path))


def describe(entry: SuppressionEntry) -> str:
    what = f"id {entry.id}" if entry.id else f"rule {entry.rule}" + (f" on {entry.path}" if entry.path else "")
    return f"{what} (owner {entry.owner})"


def apply_suppressions(
    findings: list[Finding], entries: list[SuppressionEntry], today: dt.date
) -> tuple[list[Finding], list[str]]:
    """Mark suppressed findings; return them with warnings about expired or unused entries."""
    warnings: list[str] = []
    active = []
    for entry in entries:
        if entry.expires < today:
            warnings.append(
                f"suppression for {describe(entry)} expired on {entry.expires.isoformat()}: no longer suppressing"
            )
        else:
            active.append(entry)
    used: set[int] = set()
    result = []
    for finding in findings:
        for index, entry in enumerate(active):
            if finding.status != "suppressed" and matches(entry, finding):
                used.add(index)
                finding = finding.model_copy(
                    update={
                        "status": "suppressed",
                        "suppression": Suppression(
                            reason=entry.reason, owner=entry.owner, expires=entry.expires.isoformat()
                        ),
                    }
                )
                break
        result.append(finding)
    for index, entry in enumerate(active):
        if index not in used:
            warnings.append(f"suppression for {describe(entry)} matched no finding")
    return result, warnings
