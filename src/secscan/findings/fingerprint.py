"""Stable finding ids: no line numbers, so an id survives code moving around."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable

from secscan import catalog
from secscan.findings.model import Category, Finding

_WS = re.compile(r"\s+")


def _normalize(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip()


def _place(finding: Finding) -> str:
    # An image's target is where its tarball happened to be: not part of what the problem is.
    if catalog.is_image_layer(finding.layer):
        return "image:" + (finding.path or "")
    return finding.path or finding.target or ""


def identity_key(finding: Finding) -> tuple[str, ...]:
    """What makes two findings 'the same problem', independent of where lines moved."""
    category = finding.category
    if category is Category.VULNERABILITY:
        return (
            category.value,
            finding.rule_id,
            finding.package or "",
            finding.installed_version or "",
            _place(finding),
        )
    if category is Category.SECRET and finding.sightings and catalog.layer(finding.layer).history:
        # where the secret was first seen (in the locator): the same id wherever it moved since
        return (category.value, finding.rule_id, _normalize(finding.locator))
    if category is Category.LICENSE:
        return (category.value, finding.rule_id, finding.package or "", _place(finding))
    return (category.value, finding.rule_id, _place(finding), _normalize(finding.locator))


def _digest(parts: Iterable[str]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


def assign_ids(findings: list[Finding], *, fill_scanners: bool = False) -> list[Finding]:
    """Give each finding a stable id; equal keys are numbered by position (commit, line) order.

    fill_scanners: also set an empty `scanners` to [scanner], in the same copy."""
    groups: dict[tuple[str, ...], list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[identity_key(finding)].append(finding)
    result: list[Finding] = []
    for key, members in groups.items():
        members.sort(key=lambda f: (f.line or 0, f.commit or "", f.rule_id))
        for occurrence, finding in enumerate(members):
            parts = [*key, str(occurrence)] if occurrence else list(key)
            update: dict[str, object] = {"id": _digest(parts)}
            if fill_scanners and not finding.scanners:
                update["scanners"] = [finding.scanner]
            result.append(finding.model_copy(update=update))
    return result
