"""Merge the same problem reported twice (by one scanner, or by two) and order findings."""

from __future__ import annotations

from collections.abc import Iterable

from secscan.findings.model import Category, Finding, ScannerName

# When two scanners report one secret, the finding is told in the words of the first.
_SCANNER_PREFERENCE: dict[ScannerName, int] = {"gitleaks": 0, "semgrep": 1, "trivy": 2}


def _is_worktree_secret(finding: Finding) -> bool:
    # gitleaks (history, still in HEAD) and trivy (working tree) see the same file lines.
    return finding.category is Category.SECRET and finding.layer in ("gitleaks", "trivy") and finding.in_head is not False


def _merge_key(finding: Finding) -> tuple[object, ...]:
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


def _overlaps(a: Finding, b: Finding) -> bool:
    a_start, b_start = a.line or 0, b.line or 0
    a_end, b_end = max(a.end_line or a_start, a_start), max(b.end_line or b_start, b_start)
    return a_start <= b_end and b_start <= a_end


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


def _combine(existing: Finding, finding: Finding) -> Finding:
    first, second = sorted((existing, finding), key=lambda f: _SCANNER_PREFERENCE[f.scanner])
    return _merge(first, second)


def deduplicate(findings: Iterable[Finding], *, fill_scanners: bool = True) -> list[Finding]:
    """One finding per problem: exact repeats merge, and so do secrets whose lines overlap in one file.

    Every finding comes out with `scanners` set; with fill_scanners=False a finding nothing
    merged into keeps an empty one (merging reads `scanner` as well), for a caller that copies
    each finding anyway and fills it then: one model copy per finding instead of two."""
    merged: dict[tuple[object, ...], Finding] = {}
    for finding in findings:
        if fill_scanners and not finding.scanners:
            finding = finding.model_copy(update={"scanners": [finding.scanner]})
        key = _merge_key(finding)
        merged[key] = _combine(merged[key], finding) if key in merged else finding
    secrets_by_path: dict[str | None, list[Finding]] = {}
    result: list[Finding] = []
    for finding in merged.values():
        if not _is_worktree_secret(finding):
            result.append(finding)
            continue
        same_file = secrets_by_path.setdefault(finding.path, [])
        for index, other in enumerate(same_file):
            if other.scanner != finding.scanner and _overlaps(other, finding):
                same_file[index] = _combine(other, finding)
                break
        else:
            same_file.append(finding)
    for same_file in secrets_by_path.values():
        result.extend(same_file)
    return result


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
