"""The synthesis with no model: a ranking a security lead would agree with, and plain words.

Order of urgency: new before already known, then the risk model's score (findings/risk.py: severity,
exploitability class, liveness, confidence, where the finding lives, fix availability).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from secscan import catalog
from secscan.findings.model import Category, Finding, Severity
from secscan.findings.risk import assess, rank_key
from secscan.synthesis.interface import SynthesisInput
from secscan.synthesis.model import Synthesis, TopRisk, Urgency

_CATEGORY_WEIGHT = {
    Category.SECRET: 3,
    Category.VULNERABILITY: 2,
    Category.CODE: 2,
    Category.MISCONFIGURATION: 1,
    Category.LICENSE: 0,
}
_SEVERITY_RANK = {severity: severity.rank for severity in Severity}
_SEVERITY_POINTS = {Severity.CRITICAL: 40, Severity.HIGH: 20, Severity.MEDIUM: 6, Severity.LOW: 1, Severity.INFO: 0}
MAX_IDS_PER_RISK = 20


def _sort_key(finding: Finding) -> tuple[object, ...]:
    """The one definition of urgency: the risk model's order (findings/risk.py, README "Risk model")."""
    return rank_key(finding if finding.risk is not None else finding.model_copy(update={"risk": assess(finding)}))


def rank(findings: Sequence[Finding]) -> list[Finding]:
    """Most urgent first; suppressed findings left out."""
    return sorted((f for f in findings if f.status != "suppressed"), key=_sort_key)


def risk_score(findings: Sequence[Finding]) -> int:
    active = [f for f in findings if f.status == "new"]
    points = sum(_SEVERITY_POINTS[f.severity] * (2 if f.category is Category.SECRET else 1) for f in active)
    return min(100, points)


def _urgency(finding: Finding) -> Urgency:
    if finding.category is Category.SECRET and finding.in_head is not False:
        return "immediate"
    if finding.severity is Severity.CRITICAL or finding.category is Category.SECRET:
        return "immediate" if finding.status == "new" else "this_week"
    if finding.severity is Severity.HIGH:
        return "this_week"
    if finding.severity is Severity.MEDIUM:
        return "this_sprint"
    return "backlog"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _group_key(finding: Finding) -> tuple[Category, str, bool | None]:
    # One upgrade fixes every advisory of a package; one code fix pattern fixes a rule everywhere.
    # Live, history-only and unknown secrets need different work and words, so they stay apart.
    liveness = finding.in_head if finding.category is Category.SECRET else None
    return (finding.category, finding.package or finding.rule_id, liveness)


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """ "2.10.0" after "2.9.1": numeric parts compare as numbers (a best effort across ecosystems)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[.\-+~:_]", version))


def highest_fix(members: Sequence[Finding]) -> str | None:
    """The fixed version that closes every advisory of the group: the highest one listed.
    Trivy can list several ("2.20.0, 3.0.1"); the first of each list is the lowest acceptable."""
    fixed = {m.fixed_version.split(",")[0].strip() for m in members if m.fixed_version}
    return max(fixed, key=_version_key) if fixed else None


def _places(members: Sequence[Finding]) -> int:
    return len({m.location for m in members})


def _title(members: Sequence[Finding]) -> str:
    first = members[0]
    if len(members) == 1:
        return f"{first.title} ({first.location})" if first.location else first.title
    if first.category is Category.VULNERABILITY and first.package:
        return (
            f"{first.package} {first.installed_version or ''}".rstrip()
            + f": {_plural(len(members), 'advisory', 'advisories')}"
        )
    if first.category is Category.SECRET:
        kinds = sorted({m.rule_id for m in members})
        return f"{_plural(len(members), 'leaked credential')} ({', '.join(kinds[:3])}{', …' if len(kinds) > 3 else ''})"
    return f"{first.title} ({_plural(_places(members), 'place')})"


def _why(members: Sequence[Finding]) -> str:
    first = members[0]
    if first.category is Category.SECRET:
        what = f"A {first.rule_id} credential is" if len(members) == 1 else f"{len(members)} credentials are"
        if first.in_head is None:
            return (
                f"{what} in the scanned input; whether {'it is' if len(members) == 1 else 'they are'} still in the "
                "current code is unknown (no git repository was read): treat as live until checked."
            )
        where = "still in the current code" if first.in_head else "in the git history only"
        elsewhere = sorted({ref for m in members if m.on_scanned_branch is False for ref in m.refs})
        if not first.in_head and elsewhere and all(m.on_scanned_branch is False for m in members):
            where = f"only on other branches ({', '.join(elsewhere[:3])}{', …' if len(elsewhere) > 3 else ''})"
        pronoun = "it" if len(members) == 1 else "them"
        return f"{what} {where}: anyone with read access to the repository can use {pronoun}."
    if first.category is Category.VULNERABILITY:
        fixed = highest_fix(members)
        fix = f"fixed in {fixed}" if fixed else "no fix released yet"
        exposure = " It ships in the container image." if any(catalog.is_image_layer(m.layer) for m in members) else ""
        if len(members) == 1:
            found = f"{first.package} {first.installed_version} has {first.rule_id}"
            return f"{found} ({first.severity.value}, {fix}).{exposure}"
        worst = max(members, key=lambda m: _SEVERITY_RANK[m.severity])
        return (
            f"{first.package} {first.installed_version} has {len(members)} known vulnerabilities, the worst "
            f"{worst.rule_id} ({worst.severity.value}); {fix}.{exposure}"
        )
    if first.category is Category.CODE:
        detail = ", ".join(first.cwe) or first.rule_id
        places = f" Found in {_plural(_places(members), 'place')}." if len(members) > 1 else ""
        return f"{first.title} ({detail}).{places}"
    return first.title + (f" Found in {_plural(_places(members), 'place')}." if len(members) > 1 else "")


def _fix(members: Sequence[Finding]) -> str:
    first = members[0]
    if first.category is Category.VULNERABILITY and first.package:
        fixed = highest_fix(members)
        if fixed:
            return f"Upgrade {first.package} to {fixed} or later."
        return f"No fixed {first.package} release yet: mitigate, or replace the package."
    if first.category is Category.SECRET and first.in_head is False:
        return "Revoke and rotate the credential, then purge it from the git history."
    return first.fix or "See the rule's references for the fix."


def top_risks(ranked: Sequence[Finding], limit: int = 10) -> list[TopRisk]:
    """The most urgent problems, one per fix, in ranking order."""
    groups: dict[tuple[Category, str, bool | None], list[Finding]] = {}
    for finding in ranked:
        key = _group_key(finding)
        if key in groups:
            groups[key].append(finding)
        elif len(groups) < limit:
            groups[key] = [finding]
    return [
        TopRisk(
            finding_ids=[m.id for m in members[:MAX_IDS_PER_RISK]],
            title=_title(members),
            why_it_matters=_why(members),
            fix=_fix(members),
            urgency=_urgency(members[0]),
        )
        for members in groups.values()
    ]


def summary(data: SynthesisInput, ranked: Sequence[Finding]) -> str:
    if not data.findings and not data.layer_errors and data.exceptions_notice:
        gate = "fails" if data.gate.verdict == "fail" else "passes"
        return f"No findings reported, but {data.exceptions_notice}. The gate {gate}."
    if not data.findings and not data.layer_errors:
        return "No findings: every layer that ran came back clean. The gate passes."
    active = [f for f in data.findings if f.status == "new"]
    counts = Counter(f.severity for f in active)
    parts = [f"{counts[s]} {s.value}" for s in Severity if counts[s]]
    text = _plural(len(active), "new finding") + (f" ({', '.join(parts)})" if parts else "")
    existing = sum(1 for f in data.findings if f.status == "existing")
    suppressed = sum(1 for f in data.findings if f.status == "suppressed")
    if existing or suppressed:
        text += f"; {existing} already known, {suppressed} suppressed"
    text += f". The gate {'fails' if data.gate.verdict == 'fail' else 'passes'}."
    live = sum(1 for f in active if f.category is Category.SECRET and f.in_head is True)
    unknown = sum(1 for f in active if f.category is Category.SECRET and f.in_head is None)
    if live:
        text += f" {_plural(live, 'credential is', 'credentials are')} still in the current code: rotate first."
    if unknown:
        text += (
            f" For {_plural(unknown, 'credential')} it is unknown whether {'it is' if unknown == 1 else 'they are'} "
            "still in the current code (no git history was read): rotate unless shown otherwise."
        )
    if ranked:
        first = ranked[0]
        text += f" Most urgent: {first.title}" + (f" in {first.location}" if first.location else "") + "."
    if data.layer_errors:
        text += f" {_plural(len(data.layer_errors), 'layer')} could not run completely, so the scan is incomplete."
    return text


def next_actions(data: SynthesisInput, ranked: Sequence[Finding]) -> list[str]:
    actions: list[str] = []
    new = [f for f in ranked if f.status == "new"]
    categories = {f.category for f in new}
    if Category.SECRET in categories:
        actions.append("Revoke and rotate every leaked credential before anything else; then purge it from history.")
    if Category.VULNERABILITY in categories:
        upgrades: dict[str, list[Finding]] = {}
        for f in new:
            if f.category is Category.VULNERABILITY and f.package and f.fixed_version:
                upgrades.setdefault(f.package, []).append(f)
        if upgrades:
            listed = [f"{package} → {highest_fix(members)}" for package, members in list(upgrades.items())[:8]]
            actions.append("Upgrade: " + ", ".join(listed) + (" …" if len(upgrades) > 8 else ""))
    if Category.CODE in categories:
        actions.append("Fix the flagged code paths (injection first); add a test for each.")
    if Category.MISCONFIGURATION in categories:
        actions.append("Harden the flagged Dockerfile / Kubernetes / Terraform settings.")
    if data.layer_errors:
        actions.append("Make the failed layers run (see their errors): a scan with a missing layer proves nothing.")
    return actions


def build(data: SynthesisInput, error: str | None = None, ranked: Sequence[Finding] | None = None) -> Synthesis:
    """`ranked`: `rank(data.findings)` when the caller has it already (it is the costly part)."""
    ranked = rank(data.findings) if ranked is None else ranked
    return Synthesis(
        source="deterministic",
        model=None,
        summary=summary(data, ranked),
        risk_score=risk_score(data.findings),
        ai_verdict=None,
        verdict_reason=None,
        top_risks=top_risks(ranked),
        likely_false_positives=[],
        next_actions=next_actions(data, ranked),
        error=error,
    )
