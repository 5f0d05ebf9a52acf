"""One problem, two scanners: the table of rules that mean the same thing, and the merge it drives.

Each row names the rules (per scanner) that report one problem, and how far apart two reports may be
and still be the same one: the whole file ("file": a Dockerfile that runs as root is one problem
however its stages read) or the same lines ("line": each FROM without a pinned tag is its own). The
merged finding is told in the words of `primary` (the scanner whose category fits the problem) and
lists both scanners. Gitleaks and trivy secrets merge by their lines in `dedup` (the same value), not here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from secscan import catalog
from secscan.findings.model import Finding, ScannerName


@dataclass(frozen=True)
class Equivalence:
    name: str
    rules: dict[ScannerName, frozenset[str]]
    scope: Literal["file", "line"]
    primary: ScannerName


def _ids(*names: str) -> frozenset[str]:
    return frozenset(name.lower() for name in names)


# trivy has spelled its Dockerfile check ids DS002, DS-0002 and AVD-DS-0002 across releases.
EQUIVALENCES: tuple[Equivalence, ...] = (
    Equivalence(
        name="container runs as root",
        rules={
            "semgrep": _ids("dockerfile-missing-user", "dockerfile-last-user-root"),
            "trivy": _ids("DS002", "DS-0002", "AVD-DS-0002"),
        },
        scope="file",
        primary="trivy",
    ),
    Equivalence(
        name="base image not pinned to a tag",
        rules={
            "semgrep": _ids("dockerfile-from-latest-tag", "dockerfile-from-missing-tag"),
            "trivy": _ids("DS001", "DS-0001", "AVD-DS-0001"),
        },
        scope="line",
        primary="trivy",
    ),
)
_BY_RULE: dict[tuple[ScannerName, str], Equivalence] = {
    (scanner, rule): row for row in EQUIVALENCES for scanner, rules in row.rules.items() for rule in rules
}


def equivalence_of(finding: Finding) -> Equivalence | None:
    if catalog.is_image_layer(finding.layer):
        return None  # an image's config is not the Dockerfile in the repository
    return _BY_RULE.get((finding.scanner, finding.rule_id.lower()))


def merge_equivalents(findings: list[Finding], combine: Callable[[Finding, Finding], Finding]) -> list[Finding]:
    """Findings with rows in the table merge when they are one problem (same file; same line for
    "line" rows; a report without a line matches any line of its file). Linear in the findings."""
    kept: list[Finding | None] = []
    slots: dict[tuple[str, str | None], list[int]] = {}
    for finding in findings:
        row = equivalence_of(finding)
        if row is None or finding.path is None:
            kept.append(finding)
            continue
        key = (row.name, finding.path)
        target = next((i for i in slots.get(key, []) if _same_problem(kept[i], finding, row)), None)
        if target is None:
            slots.setdefault(key, []).append(len(kept))
            kept.append(finding)
            continue
        other = kept[target]
        assert other is not None
        first, second = (other, finding) if other.scanner == row.primary else (finding, other)
        kept[target] = combine(first, second)
    return [f for f in kept if f is not None]


def _same_problem(other: Finding | None, finding: Finding, row: Equivalence) -> bool:
    if other is None or finding.scanner in {other.scanner, *other.scanners}:
        return False
    if row.scope == "file" or other.line is None or finding.line is None:
        return True
    other_end = max(other.end_line or other.line, other.line)
    end = max(finding.end_line or finding.line, finding.line)
    return other.line <= end and finding.line <= other_end
