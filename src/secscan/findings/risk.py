"""The risk model: one score per finding (0-100) that orders the report, the deterministic synthesis
and what the AI reads. Documented as a table in the README ("Risk model"); keep the two in step.

score = severity base + exploitability class + liveness + confidence + where it lives, clamped to
0..100. A licence finding scores at most LICENCE_CAP (below every code, secret or vulnerability
finding) unless the policy fails the gate on it. The gate never reads the score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from secscan import catalog
from secscan.findings.dedup import sort_key
from secscan.findings.model import Category, Finding, Risk, Severity

SEVERITY_BASE = {Severity.CRITICAL: 40, Severity.HIGH: 30, Severity.MEDIUM: 18, Severity.LOW: 8, Severity.INFO: 2}
# Exploitability classes of code findings, by CWE.
CODE_EXECUTION = frozenset({"CWE-78", "CWE-77", "CWE-94", "CWE-95", "CWE-502", "CWE-917", "CWE-1336", "CWE-913"})
SERVER_INJECTION = frozenset(
    {"CWE-89", "CWE-943", "CWE-90", "CWE-643", "CWE-611", "CWE-918", "CWE-22", "CWE-73", "CWE-23"}
)
CLIENT_INJECTION = frozenset({"CWE-79", "CWE-601", "CWE-1333", "CWE-625", "CWE-116"})
POINTS = {
    "code execution": 35,
    "injection": 30,
    "client-side injection": 12,
    "live credential": 42,
    "credential, liveness unknown": 30,
    "credential in history only": 20,
    "credential only on another branch": 10,
    "critical vulnerability with a fix": 25,
    "high vulnerability with a fix": 15,
    "no fix available": -8,
    "ships in the container image": 5,
    "expired token": -15,
    "in a comment": -10,
    "generic secret pattern": -15,
    "value does not look like a credential": -25,
    "high confidence rule": 5,
    "low confidence rule": -10,
    "test, example, vendored or docs path": -20,
}
LICENCE_CAP = 5
_GENERIC_SECRET_RULES = ("generic-", "jwt")
_LOW_PRIORITY_PATH = re.compile(
    r"(^|/)(tests?|__tests__|spec|specs|testdata|test-data|fixtures?|examples?|samples?|demo|docs?|"
    r"vendor|vendored|third[_-]party|node_modules|bower_components|libs|mocks?|__mocks__)(/|$)"
    r"|(^|/)(test_[^/]*|[^/]*_test\.[a-z]+|[^/]*\.(spec|test)\.[a-z]+|[^/]*\.min\.js)$",
    re.IGNORECASE,
)


def low_priority_path(path: str | None) -> bool:
    return bool(path) and bool(_LOW_PRIORITY_PATH.search(path or ""))


def _code_class(finding: Finding) -> str | None:
    cwes = set(finding.cwe)
    if cwes & CODE_EXECUTION:
        return "code execution"
    if cwes & SERVER_INJECTION:
        return "injection"
    if cwes & CLIENT_INJECTION:
        return "client-side injection"
    return None


def _secret_factors(finding: Finding) -> Iterable[str]:
    if finding.on_scanned_branch is False:
        yield "credential only on another branch"
    elif finding.in_head is True:
        yield "live credential"
    elif finding.in_head is None:
        yield "credential, liveness unknown"
    else:
        yield "credential in history only"
    if finding.expired:
        yield "expired token"
    if finding.in_comment:
        yield "in a comment"
    if finding.rule_id.startswith(_GENERIC_SECRET_RULES):
        yield "generic secret pattern"
    if finding.confidence == "low":
        yield "value does not look like a credential"


def _vulnerability_factors(finding: Finding) -> Iterable[str]:
    if not finding.fixed_version:
        yield "no fix available"
    elif finding.severity is Severity.CRITICAL:
        yield "critical vulnerability with a fix"
    elif finding.severity is Severity.HIGH:
        yield "high vulnerability with a fix"


def factors(finding: Finding) -> list[str]:
    found: list[str] = []
    category = finding.category
    if category is Category.CODE:
        code_class = _code_class(finding)
        if code_class:
            found.append(code_class)
        if finding.confidence == "high":
            found.append("high confidence rule")
        elif finding.confidence == "low":
            found.append("low confidence rule")
    elif category is Category.SECRET:
        found.extend(_secret_factors(finding))
    elif category is Category.VULNERABILITY:
        found.extend(_vulnerability_factors(finding))
        if catalog.is_image_layer(finding.layer):
            found.append("ships in the container image")
    if category is not Category.LICENSE and low_priority_path(finding.path):
        found.append("test, example, vendored or docs path")
    return found


def assess(finding: Finding, licences_gate: Severity | None = None) -> Risk:
    """The finding's risk; `licences_gate`: the lowest licence severity the policy fails on."""
    found = factors(finding)
    score = SEVERITY_BASE[finding.severity] + sum(POINTS[factor] for factor in found)
    score = max(0, min(100, score))
    if finding.category is Category.LICENSE and not (licences_gate and finding.severity.at_least(licences_gate)):
        score = min(score, LICENCE_CAP)
        found.append("licence (ranked below code, secrets and vulnerabilities)")
    return Risk(score=score, factors=found)


def _order(finding: Finding) -> tuple[object, ...]:
    """New before existing, then by risk, then dedup's deterministic order."""
    score = finding.risk.score if finding.risk else 0
    return (finding.status != "new", -score, *sort_key(finding))


def with_risk(findings: Sequence[Finding], licences_gate: Severity | None = None) -> list[Finding]:
    """Every finding with its risk, most urgent first (new before known; suppressed last).
    `licences_gate`: the lowest licence severity the policy fails the gate on (None: never)."""
    gate = licences_gate
    assessed = [f.model_copy(update={"risk": assess(f, gate)}) for f in findings]
    return sorted(assessed, key=lambda f: (f.status == "suppressed", *_order(f)))


def rank_key(finding: Finding) -> tuple[object, ...]:
    """Ordering by an assessed risk (the synthesis' ranking)."""
    return _order(finding)


def doubted_last(findings: Sequence[Finding]) -> list[Finding]:
    """The risk order, with each finding the AI marked a likely false positive moved after the last
    undoubted finding of its severity or worse (the label is advisory: it never hides a finding)."""
    kept = [f for f in findings if not _doubted(f)]
    doubted = [f for f in findings if _doubted(f)]
    if not doubted:
        return kept
    last_at: dict[int, int] = {}  # severity rank -> index in `kept` of the last finding that bad or worse
    for index, finding in enumerate(kept):
        for rank in range(finding.severity.rank + 1):
            last_at[rank] = index
    after: dict[int, list[Finding]] = {}
    for finding in doubted:
        after.setdefault(last_at.get(finding.severity.rank, -1), []).append(finding)
    result = list(after.get(-1, []))
    for index, finding in enumerate(kept):
        result.append(finding)
        result.extend(after.get(index, []))
    return result


def _doubted(finding: Finding) -> bool:
    return finding.triage is not None and finding.triage.label == "likely_false_positive"
