"""The synthesis with no model: a ranking a security lead would agree with, and plain words."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from secscan.findings.model import Category, Finding, Severity
from secscan.synthesis.interface import SynthesisInput, SynthesisResult
from secscan.synthesis.model import Synthesis, TopRisk, Urgency

_CATEGORY_WEIGHT = {
    Category.SECRET: 3,
    Category.VULNERABILITY: 2,
    Category.CODE: 2,
    Category.MISCONFIGURATION: 1,
    Category.LICENSE: 0,
}
_SEVERITY_POINTS = {Severity.CRITICAL: 40, Severity.HIGH: 20, Severity.MEDIUM: 6, Severity.LOW: 1, Severity.INFO: 0}


def priority(finding: Finding) -> tuple[int, ...]:
    """Bigger is more urgent: live secrets first, then severity, fixability, exposure."""
    live_secret = finding.category is Category.SECRET and finding.in_head is not False
    fixable = finding.category is not Category.VULNERABILITY or bool(finding.fixed_version)
    return (
        int(finding.status == "new"),
        int(live_secret),
        finding.severity.rank,
        int(fixable),
        _CATEGORY_WEIGHT[finding.category],
        int(finding.layer == "trivy-image"),
    )


def rank(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(
        (f for f in findings if f.status != "suppressed"),
        key=lambda f: (tuple(-p for p in priority(f)), f.path or "", f.line or 0, f.id),
    )


def risk_score(findings: Sequence[Finding]) -> int:
    active = [f for f in findings if f.status == "new"]
    points = sum(_SEVERITY_POINTS[f.severity] * (2 if f.category is Category.SECRET else 1) for f in active)
    return min(100, points)


def _urgency(finding: Finding) -> Urgency:
    if finding.category is Category.SECRET or finding.severity is Severity.CRITICAL:
        return "immediate"
    if finding.severity is Severity.HIGH:
        return "this_week"
    if finding.severity is Severity.MEDIUM:
        return "this_sprint"
    return "backlog"


def _why(finding: Finding) -> str:
    if finding.category is Category.SECRET:
        where = "is still in the current code" if finding.in_head is not False else "is in the git history"
        return f"A {finding.rule_id} credential {where}: anyone with read access to the repository can use it."
    if finding.category is Category.VULNERABILITY:
        fix = f"fixed in {finding.fixed_version}" if finding.fixed_version else "no fix released yet"
        return f"{finding.package} {finding.installed_version} has {finding.rule_id} ({finding.severity.value}, {fix})."
    if finding.category is Category.CODE:
        return f"{finding.title} ({', '.join(finding.cwe) or finding.rule_id})."
    return finding.title


def _group_key(finding: Finding) -> tuple[str, str]:
    return (finding.category.value, finding.package or finding.rule_id)


def top_risks(ranked: Sequence[Finding], limit: int = 10) -> list[TopRisk]:
    risks: list[TopRisk] = []
    grouped: dict[tuple[str, str], TopRisk] = {}
    for finding in ranked:
        key = _group_key(finding)
        if key in grouped:
            risk = grouped[key]
            if len(risk.finding_ids) < 20:
                risk.finding_ids.append(finding.id)
            continue
        if len(risks) >= limit:
            continue
        risk = TopRisk(
            finding_ids=[finding.id],
            title=f"{finding.title} ({finding.location})" if finding.location else finding.title,
            why_it_matters=_why(finding),
            fix=finding.fix or "See the rule's references for the fix.",
            urgency=_urgency(finding),
        )
        grouped[key] = risk
        risks.append(risk)
    return risks


def summary(data: SynthesisInput, ranked: Sequence[Finding]) -> str:
    active = [f for f in data.findings if f.status == "new"]
    if not data.findings and not data.layer_errors:
        return "No findings: every layer ran clean."
    counts = Counter(f.severity for f in active)
    parts = [f"{counts[s]} {s.value}" for s in Severity if counts[s]]
    text = f"{len(active)} new finding{'s' if len(active) != 1 else ''}" + (f" ({', '.join(parts)})" if parts else "")
    existing = sum(1 for f in data.findings if f.status == "existing")
    suppressed = sum(1 for f in data.findings if f.status == "suppressed")
    if existing or suppressed:
        text += f"; {existing} already known, {suppressed} suppressed"
    text += f". The gate {'fails' if data.gate.verdict == 'fail' else 'passes'}."
    if ranked:
        text += f" Most urgent: {ranked[0].title}" + (f" in {ranked[0].location}" if ranked[0].location else "") + "."
    if data.layer_errors:
        text += f" {len(data.layer_errors)} layer(s) could not run completely."
    return text


def next_actions(data: SynthesisInput, ranked: Sequence[Finding]) -> list[str]:
    actions: list[str] = []
    categories = {f.category for f in ranked if f.status == "new"}
    if Category.SECRET in categories:
        actions.append("Revoke and rotate every leaked credential before anything else; then purge it from history.")
    if Category.VULNERABILITY in categories:
        fixable = sorted({f"{f.package} → {f.fixed_version}" for f in ranked if f.category is Category.VULNERABILITY and f.fixed_version})
        if fixable:
            actions.append("Upgrade: " + ", ".join(fixable[:8]) + (" …" if len(fixable) > 8 else ""))
    if Category.CODE in categories:
        actions.append("Fix the flagged code paths (injection first); add a test for each.")
    if Category.MISCONFIGURATION in categories:
        actions.append("Harden the flagged Dockerfile / Kubernetes / Terraform settings.")
    if data.layer_errors:
        actions.append("Make the failed layers run (see their errors): a scan with a missing layer proves nothing.")
    return actions


class DeterministicSynthesizer:
    async def synthesize(self, data: SynthesisInput) -> SynthesisResult:
        return SynthesisResult(synthesis=build(data), usage=None)


def build(data: SynthesisInput, error: str | None = None) -> Synthesis:
    ranked = rank(data.findings)
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
