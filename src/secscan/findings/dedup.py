"""Merge the same problem reported twice (by one scanner, or by two) and order findings."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from typing import cast

from secscan import catalog
from secscan.budget import check
from secscan.findings.equivalence import merge_equivalents
from secscan.findings.model import Category, Finding, ScannerName

# When two scanners report one secret, the finding is told in the words of the first.
_SCANNER_PREFERENCE: dict[ScannerName, int] = {
    cast(ScannerName, spec.name): spec.merge_rank for spec in sorted(catalog.SCANNERS, key=lambda s: s.merge_rank)
}


def _is_worktree_secret(finding: Finding) -> bool:
    # The layers that scan the repository (gitleaks: history, still in HEAD; trivy: the working
    # tree) see the same file lines; an image layer sees other files.
    return (
        finding.category is Category.SECRET
        and catalog.layer(finding.layer).kind == "source"
        and finding.in_head is not False
    )


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
    for count, finding in enumerate(findings):
        if not count & 0xFFF:
            check("de-duplication")
        if fill_scanners and not finding.scanners:
            finding = finding.model_copy(update={"scanners": [finding.scanner]})
        key = _merge_key(finding)
        merged[key] = _combine(merged[key], finding) if key in merged else finding
    _merge_at_other_head_places(merged)
    result: list[Finding] = []
    secrets_by_path: dict[str | None, _SameFile] = {}
    for count, finding in enumerate(merge_equivalents(list(merged.values()), _merge)):
        if not count & 0xFFF:
            check("de-duplication")
        if not _is_worktree_secret(finding):
            result.append(finding)
            continue
        same_file = secrets_by_path.get(finding.path)
        if same_file is None:
            same_file = secrets_by_path[finding.path] = _SameFile()
        same_file.add(finding)
    for same_file in secrets_by_path.values():
        result.extend(same_file.slots)
    return result


def _merge_at_other_head_places(merged: dict[tuple[object, ...], Finding]) -> None:
    """One secret value can sit in several HEAD files (gitleaks: one finding, a HEAD sighting
    each); trivy reports each place. A trivy secret on a HEAD place other than the finding's own
    merges into it here; its own place is merged by line overlap below, as for any secret."""
    places: dict[tuple[str | None, int], tuple[object, ...]] = {}
    for key, finding in merged.items():
        if catalog.layer(finding.layer).history and finding.category is Category.SECRET:
            for sighting in finding.sightings:
                if (
                    sighting.in_head
                    and sighting.line
                    and (sighting.path, sighting.line) != (finding.path, finding.line)
                ):
                    places.setdefault((sighting.path, sighting.line), key)
    if not places:
        return
    for key, finding in list(merged.items()):
        layer = catalog.layer(finding.layer)
        if layer.history or layer.kind != "source" or finding.category is not Category.SECRET:
            continue
        start, end = _span(finding)
        target = next(
            (places[(finding.path, n)] for n in range(start, min(end, start + 64) + 1) if (finding.path, n) in places),
            None,
        )
        if target is not None and target in merged:
            merged[target] = _combine(merged[target], finding)
            del merged[key]


# A range longer than this is indexed as "wide" and compared with every slot (rare: a private
# key block is tens of lines); every other range is indexed line by line.
_WIDE = 4096


def _span(finding: Finding) -> tuple[int, int]:
    start = finding.line or 0
    return start, max(finding.end_line or start, start)


class _SameFile:
    """The secrets of one file, and for each scanner and line a heap of the slots covering it.

    Merging a finding into the first earlier slot of another scanner whose lines overlap (the
    rule this implements) takes, per line of the finding, the smallest slot of another scanner
    on that line. A slot's scanner and lines change only when a merge makes the preferred
    scanner's finding its primary, once at most (gitleaks never merges with gitleaks): an
    entry that no longer holds is dropped the first time it is seen, so each entry is looked
    at a bounded number of times and the whole file costs linear time in its findings."""

    def __init__(self) -> None:
        self.slots: list[Finding] = []
        self._by_line: dict[tuple[ScannerName, int], list[int]] = {}
        self._wide: list[int] = []

    def add(self, finding: Finding) -> None:
        index = self._first_overlapping(finding)
        if index is None:
            self.slots.append(finding)
            self._index(len(self.slots) - 1)
            return
        before = self.slots[index]
        after = _combine(before, finding)
        self.slots[index] = after
        if (after.scanner, _span(after)) != (before.scanner, _span(before)):
            self._index(index)

    def _index(self, index: int) -> None:
        finding = self.slots[index]
        start, end = _span(finding)
        if end - start > _WIDE:
            self._wide.append(index)
            return
        for line in range(start, end + 1):
            heapq.heappush(self._by_line.setdefault((finding.scanner, line), []), index)

    def _holds(self, index: int, scanner: ScannerName, line: int) -> bool:
        slot = self.slots[index]
        start, end = _span(slot)
        return slot.scanner == scanner and start <= line <= end

    def _first_overlapping(self, finding: Finding) -> int | None:
        best: int | None = None
        start, end = _span(finding)
        if end - start > _WIDE:
            return next(
                (
                    i
                    for i, other in enumerate(self.slots)
                    if other.scanner != finding.scanner and _overlaps(other, finding)
                ),
                None,
            )
        others = [s for s in _SCANNER_PREFERENCE if s != finding.scanner]
        for line in range(start, end + 1):
            for scanner in others:
                heap = self._by_line.get((scanner, line))
                while heap and not self._holds(heap[0], scanner, line):
                    heapq.heappop(heap)
                if heap and (best is None or heap[0] < best):
                    best = heap[0]
        for index in self._wide:
            other = self.slots[index]
            if (best is None or index < best) and other.scanner != finding.scanner and _overlaps(other, finding):
                best = index
        return best


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
