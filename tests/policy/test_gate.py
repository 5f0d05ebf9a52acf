"""The gate's rules, one table: each row is findings + layer outcomes + policy -> the exact verdict and reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from secscan.config import PolicyConfig
from secscan.findings.model import Category, Finding, LayerName, Severity
from secscan.policy.gate import (
    RULES,
    AIFlag,
    CategoryThresholds,
    GateFacts,
    LayerErrors,
    LayerOutcome,
    decide,
    evaluate,
    stricter,
)
from secscan.results import GateDecision

_LAYER: dict[Category, LayerName] = {
    Category.SECRET: "gitleaks",
    Category.CODE: "semgrep",
    Category.VULNERABILITY: "trivy",
    Category.MISCONFIGURATION: "trivy",
    Category.LICENSE: "trivy",
}


def finding(category: Category, severity: Severity, rule: str = "r", *, status: str = "new", **extra: Any) -> Finding:
    layer = _LAYER[category]
    scanner = "trivy" if layer == "trivy" else layer
    return Finding(
        scanner=scanner,
        layer=layer,
        category=category,
        rule_id=rule,
        severity=severity,
        title=f"{rule} title",
        path=extra.pop("path", "app.py"),
        line=extra.pop("line", 3),
        status=status,
        **extra,
    )


def ok(name: LayerName) -> LayerOutcome:
    return LayerOutcome(name=name, status="ok")


ALL_OK = [ok("gitleaks"), ok("semgrep"), ok("trivy")]


@dataclass
class Row:
    findings: list[Finding] = field(default_factory=list)
    layers: list[LayerOutcome] = field(default_factory=lambda: list(ALL_OK))
    policy: dict[str, Any] = field(default_factory=dict)
    ai_flag: str | None = None
    reasons: list[str] = field(default_factory=list)  # the exact reasons, in order; none: the gate passes


S, C, V, M, L = Category.SECRET, Category.CODE, Category.VULNERABILITY, Category.MISCONFIGURATION, Category.LICENSE
CRIT, HIGH, MED, LOW, INFO = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO

TABLE: dict[str, Row] = {
    "nothing found, every layer ran": Row(),
    "any new secret fails (default threshold info)": Row(
        [finding(S, INFO, "generic-api-key")],
        reasons=["secret: 1 new finding (severity >= info): generic-api-key at app.py:3"],
    ),
    "code below its threshold passes": Row([finding(C, MED, "eval")]),
    "code at its threshold fails": Row(
        [finding(C, HIGH, "eval"), finding(C, CRIT, "exec", line=9)],
        reasons=["code: 2 new findings (severity >= high): eval at app.py:3, exec at app.py:9"],
    ),
    "more than three examples are counted, not listed": Row(
        [finding(C, HIGH, f"rule-{n}", line=n) for n in range(1, 6)],
        reasons=[
            "code: 5 new findings (severity >= high): "
            "rule-1 at app.py:1, rule-2 at app.py:2, rule-3 at app.py:3, +2 more"
        ],
    ),
    "existing and suppressed findings never fail": Row(
        [finding(S, CRIT, status="existing"), finding(S, CRIT, status="suppressed")]
    ),
    "a vulnerability without a fix does not fail (default)": Row([finding(V, CRIT, "CVE-1", package="p")]),
    "a vulnerability with a fix fails": Row(
        [finding(V, CRIT, "CVE-1", package="p", fixed_version="2.0")],
        reasons=["vulnerability: 1 new finding (severity >= high with a fix available): CVE-1 at app.py:3"],
    ),
    "without vulnerability_requires_fix, an unfixed vulnerability fails": Row(
        [finding(V, HIGH, "CVE-2", package="p")],
        policy={"vulnerability_requires_fix": False},
        reasons=["vulnerability: 1 new finding (severity >= high): CVE-2 at app.py:3"],
    ),
    "misconfiguration fails only at critical (default)": Row(
        [finding(M, HIGH, "KSV-1"), finding(M, CRIT, "KSV-2")],
        reasons=["misconfiguration: 1 new finding (severity >= critical): KSV-2 at app.py:3"],
    ),
    "licences never fail by default": Row([finding(L, CRIT, "GPL-3.0")]),
    "a licence threshold set by the policy applies": Row(
        [finding(L, HIGH, "GPL-3.0", path=None, line=None)],
        policy={"license": "high"},
        reasons=["license: 1 new finding (severity >= high): GPL-3.0"],
    ),
    "a threshold of none turns a category off": Row([finding(S, CRIT)], policy={"secret": "none"}),
    "one line per failing category, in the categories' order": Row(
        [finding(M, CRIT, "KSV-9"), finding(C, HIGH, "eval"), finding(S, LOW, "jwt")],
        reasons=[
            "secret: 1 new finding (severity >= info): jwt at app.py:3",
            "code: 1 new finding (severity >= high): eval at app.py:3",
            "misconfiguration: 1 new finding (severity >= critical): KSV-9 at app.py:3",
        ],
    ),
    "a layer that could not run fails closed, its name once": Row(
        layers=[ok("gitleaks"), LayerOutcome(name="semgrep", status="error", error="semgrep: exit 2 (rule error)")],
        reasons=["layer semgrep failed: exit 2 (rule error)"],
    ),
    "an error without a message still fails": Row(
        layers=[LayerOutcome(name="trivy", status="error")], reasons=["layer trivy failed: unknown error"]
    ),
    "an optional layer's error does not fail": Row(
        layers=[ok("gitleaks"), LayerOutcome(name="trivy", status="error", error="trivy: no DB")],
        policy={"optional_layers": ["trivy"]},
    ),
    "a skipped layer does not fail": Row(layers=[ok("gitleaks"), LayerOutcome(name="semgrep", status="skipped")]),
    "layer errors are listed before findings": Row(
        [finding(S, HIGH, "aws")],
        layers=[LayerOutcome(name="semgrep", status="error", error="boom")],
        reasons=["layer semgrep failed: boom", "secret: 1 new finding (severity >= info): aws at app.py:3"],
    ),
    "the AI flag fails a passing gate": Row(ai_flag="risk too high", reasons=["AI flagged: risk too high"]),
    "the AI flag adds to the reasons, last": Row(
        [finding(S, HIGH, "aws")],
        ai_flag="leaked key in history",
        reasons=["secret: 1 new finding (severity >= info): aws at app.py:3", "AI flagged: leaked key in history"],
    ),
    "ai_can_fail = false: the flag is ignored": Row(ai_flag="risk too high", policy={"ai_can_fail": False}),
}


@pytest.mark.parametrize("name", list(TABLE))
def test_gate_table(name: str) -> None:
    row = TABLE[name]
    decision = evaluate(row.findings, row.layers, PolicyConfig(**row.policy), ai_flag=row.ai_flag)
    assert decision.reasons == row.reasons
    assert decision.verdict == ("fail" if row.reasons else "pass")


@pytest.mark.parametrize("name", [n for n, row in TABLE.items() if row.ai_flag])
def test_the_ai_flag_on_a_decision_made_before_is_the_same_as_evaluating_at_once(name: str) -> None:
    row = TABLE[name]
    facts = GateFacts(row.findings, row.layers, PolicyConfig(**row.policy))
    assert row.ai_flag is not None
    later = stricter(decide(facts), facts, AIFlag(row.ai_flag))
    assert later == evaluate(row.findings, row.layers, PolicyConfig(**row.policy), ai_flag=row.ai_flag)


def test_stricter_never_turns_a_fail_into_a_pass() -> None:
    failed = GateDecision(verdict="fail", reasons=["layer semgrep failed: boom"])
    facts = GateFacts([], ALL_OK, PolicyConfig(ai_can_fail=False))
    assert stricter(failed, facts, AIFlag("anything")) == failed


def test_each_rule_answers_alone() -> None:
    facts = GateFacts(
        [finding(C, CRIT, "eval")], [LayerOutcome(name="gitleaks", status="error", error="x")], PolicyConfig()
    )
    assert LayerErrors().reasons(facts) == ["layer gitleaks failed: x"]
    assert CategoryThresholds().reasons(facts) == ["code: 1 new finding (severity >= high): eval at app.py:3"]
    assert AIFlag("").reasons(facts) == []
    assert (decide(facts, rules=[]).verdict, decide(facts, rules=[]).reasons) == ("pass", [])
    assert [type(rule) for rule in RULES] == [LayerErrors, CategoryThresholds]


def test_thresholds_are_a_mapping_over_every_category() -> None:
    policy = PolicyConfig(secret="high", code="none", license="low")
    assert policy.thresholds == {
        Category.SECRET: Severity.HIGH,
        Category.CODE: None,
        Category.VULNERABILITY: Severity.HIGH,
        Category.MISCONFIGURATION: Severity.CRITICAL,
        Category.LICENSE: Severity.LOW,
    }


def test_failing_ids_name_exactly_the_findings_that_fail() -> None:
    findings = [
        finding(C, CRIT, "eval", id="a"),
        finding(C, LOW, "style", id="b"),
        finding(S, HIGH, "aws", id="c", status="existing"),
        finding(V, HIGH, "CVE-1", id="d", package="p"),
        finding(V, HIGH, "CVE-2", id="e", package="p", fixed_version="2"),
    ]
    facts = GateFacts(findings, ALL_OK, PolicyConfig())
    decision = decide(facts)
    assert decision.failing_ids == {"a", "e"}
    assert stricter(decision, facts, AIFlag("x")).failing_ids == {"a", "e"}
