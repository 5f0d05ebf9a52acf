"""Merge the same problem reported twice (by one scanner, or by two) and order findings."""

from __future__ import annotations

from collections.abc import Iterable

from secscan.findings.model import Category, Finding, ScannerName

# When two scanners report one secret, the finding is told in the words of the first.
_SCANNER_PREFERENCE: dict[ScannerName, int] = {"gitleaks": 0, "semgrep": 1, "trivy": 2}


def _merge_key(finding: Finding) -> tuple[object, ...]:
    if finding.category is Category.SECRET and finding.layer in ("gitleaks", "trivy") and finding.in_head is not False:
        # gitleaks (history, still in HEAD) and trivy (working tree) see the same file lines.
        return ("secret-worktree", finding.path, finding.line)
    return (
        finding.layer,
        finding.category.value,
        finding.rule_id,
        finding.path,
        finding.line,
        finding.commit,
        finding.package,
        finding.installed_version,
        finding.target,
    )


def _merge(primary: Finding, other: Finding) -> Finding:
    scanners = sorted(
        {*primary.scanners, primary.scanner, *other.scanners, other.scanner},
        key=lambda s: _SCANNER_PREFERENCE[s],
    )
    severity = max(primary.severity, other.severity, key=lambda s: s.rank)
    references = list(dict.fromkeys([*primary.references, *other.references]))
    cwe = list(dict.fromkeys([*primary.cwe, *other.cwe]))
    return primary.model_copy(
        update={
            "scanners": scanners,
            "severity": severity,
            "references": references,
            "cwe": cwe,
            "fixed_version": primary.fixed_version or other.fixed_version,
            "in_head": primary.in_head if primary.in_head is not None else other.in_head,
        }
    )


def deduplicate(findings: Iterable[Finding]) -> list[Finding]:
    merged: dict[tuple[object, ...], Finding] = {}
    for finding in findings:
        if not finding.scanners:
            finding = finding.model_copy(update={"scanners": [finding.scanner]})
        key = _merge_key(finding)
        existing = merged.get(key)
        if existing is None:
            merged[key] = finding
            continue
        first, second = sorted((existing, finding), key=lambda f: _SCANNER_PREFERENCE[f.scanner])
        merged[key] = _merge(first, second)
    return list(merged.values())


def sort_key(finding: Finding) -> tuple[object, ...]:
    """Deterministic order: worst first, then by place, then by id."""
    return (
        -finding.severity.rank,
        finding.category.value,
        finding.path or finding.target or "",
        finding.line or 0,
        finding.rule_id,
        finding.id,
    )


def order(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=sort_key)
