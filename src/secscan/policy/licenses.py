"""Licences by policy: allowed licences are no findings; the rest become one finding per licence.

A licence is matched by its SPDX id (case-insensitive; a few common non-SPDX spellings are read as the
SPDX id they mean) and by trivy's category (forbidden, restricted, reciprocal, notice, permissive,
unencumbered, unknown). An id entry beats a category entry; at the same level `deny` beats `allow`.
What neither list names is reported (`unlisted = "report"`) or not (`"ignore"`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from secscan.config import LicensePolicy
from secscan.findings.model import Category, Finding, Severity
from secscan.findings.titles import shorten

CATEGORIES = ("forbidden", "restricted", "reciprocal", "notice", "permissive", "unencumbered", "unknown")
# Spellings package metadata uses for well-known licences (trivy files them under "unknown").
_ALIASES = {
    "mit/x11": "MIT",
    "mit license": "MIT",
    "the mit license": "MIT",
    "expat": "MIT",
    "bsd": "BSD-3-Clause",
    "bsd license": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "bsd-style": "BSD-3-Clause",
    "apache 2.0": "Apache-2.0",
    "apache-2": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache software license": "Apache-2.0",
    "isc license": "ISC",
    "python software foundation license": "PSF-2.0",
    "psf": "PSF-2.0",
    "public domain": "Unlicense",
}
# The category of SPDX ids an alias can stand for, when trivy only knows the alias as "unknown".
_KNOWN_CATEGORY = {
    "MIT": "notice",
    "BSD-3-Clause": "notice",
    "Apache-2.0": "notice",
    "ISC": "notice",
    "PSF-2.0": "notice",
    "Unlicense": "unencumbered",
}
_CATEGORY_IN_TITLE = re.compile(r"\(([a-z]+)\)")


@dataclass(frozen=True)
class LicenceFacts:
    name: str
    spdx: str
    category: str


def facts(finding: Finding) -> LicenceFacts:
    """The licence's name, SPDX id (alias resolved) and trivy category (as the trivy layer recorded it)."""
    name = finding.rule_id.strip()
    spdx = _ALIASES.get(name.lower(), name)
    category = (finding.license_category or "").lower() or "unknown"
    if category == "unknown" and spdx in _KNOWN_CATEGORY:
        category = _KNOWN_CATEGORY[spdx]
    return LicenceFacts(name=name, spdx=spdx, category=category)


def decision(licence: LicenceFacts, policy: LicensePolicy) -> bool:
    """True: the licence is a finding; False: policy accepts it."""
    deny = {entry.lower() for entry in policy.deny}
    allow = {entry.lower() for entry in policy.allow}
    names = {licence.name.lower(), licence.spdx.lower()}
    if names & deny:
        return True
    if names & allow:
        return False
    if licence.category in deny:
        return True
    if licence.category in allow:
        return False
    return policy.unlisted == "report"


@dataclass(frozen=True)
class LicenceOutcome:
    findings: list[Finding]
    accepted: int  # licence findings the policy accepted (not reported)
    note: str | None


def apply_license_policy(findings: Sequence[Finding], policy: LicensePolicy) -> LicenceOutcome:
    """Drop accepted licences; group the rest into one finding per licence (and layer)."""
    kept: list[Finding] = []
    groups: dict[tuple[str, str], list[tuple[Finding, LicenceFacts]]] = {}
    accepted = 0
    for finding in findings:
        if finding.category is not Category.LICENSE:
            kept.append(finding)
            continue
        licence = facts(finding)
        if not decision(licence, policy):
            accepted += 1
            continue
        groups.setdefault((finding.layer, licence.spdx), []).append((finding, licence))
    kept.extend(_grouped(members) for members in groups.values())
    note = (
        f"licence policy: {accepted} licence finding(s) of allowed licences not reported "
        f"(allow: {', '.join(policy.allow) or 'nothing'})"
        if accepted
        else None
    )
    return LicenceOutcome(findings=kept, accepted=accepted, note=note)


def _grouped(members: list[tuple[Finding, LicenceFacts]]) -> Finding:
    first, licence = members[0]
    packages = sorted({f.package or f.path or "?" for f, _ in members})
    worst = max((f.severity for f, _ in members), key=lambda s: s.rank)
    listed = ", ".join(packages[:5]) + (f" and {len(packages) - 5} more" if len(packages) > 5 else "")
    what = f"{len(packages)} package{'s' if len(packages) != 1 else ''}"
    return first.model_copy(
        update={
            "rule_id": licence.spdx,
            "severity": worst if isinstance(worst, Severity) else first.severity,
            "title": shorten(f"{licence.spdx} licence ({licence.category}) in {what}: {listed}", 200),
            "description": "Packages under this licence: "
            + "; ".join(sorted({f"{f.package or '?'} ({f.path})" if f.path else f.package or "?" for f, _ in members}))[
                :2000
            ],
            "package": packages[0] if len(packages) == 1 else None,
            "path": first.path if len(members) == 1 else None,
            "fix": "Check this licence against how you distribute the software; replace the packages, get "
            "approval, or allow it in [policy.licenses] once accepted.",
        }
    )
