"""The deterministic synthesis: the ranking, the grouping into top risks, and the words."""

from __future__ import annotations

import secrets
from typing import Any

from secscan.findings import Finding
from secscan.findings.model import Category, Severity
from secscan.results import GateDecision
from secscan.synthesis import deterministic
from secscan.synthesis.interface import SynthesisInput


def make(**fields: Any) -> Finding:
    base: dict[str, Any] = {
        "id": secrets.token_hex(10),
        "scanner": "semgrep",
        "layer": "semgrep",
        "category": Category.CODE,
        "rule_id": "python.sql-injection",
        "severity": Severity.HIGH,
        "title": "SQL built from request data",
        "path": "app/db.py",
        "line": 12,
    }
    base.update(fields)
    return Finding(**base)


def secret(**fields: Any) -> Finding:
    return make(
        **{
            "scanner": "gitleaks",
            "layer": "gitleaks",
            "category": Category.SECRET,
            "rule_id": "aws-access-token",
            "title": "AWS key",
            "path": "deploy/settings.py",
            **fields,
        }
    )


def vuln(**fields: Any) -> Finding:
    return make(
        **{
            "scanner": "trivy",
            "layer": "trivy",
            "category": Category.VULNERABILITY,
            "rule_id": "CVE-2018-18074",
            "title": "requests leaks Authorization",
            "path": "requirements.txt",
            "line": None,
            "package": "requests",
            "installed_version": "2.19.0",
            "fixed_version": "2.20.0",
            **fields,
        }
    )


def data(findings: list[Finding], verdict: str = "fail", layer_errors: list[str] | None = None) -> SynthesisInput:
    return SynthesisInput(
        findings=findings,
        gate=GateDecision(verdict=verdict, reasons=[]),  # type: ignore[arg-type]
        layer_errors=layer_errors or [],
    )


def test_ranking_order() -> None:
    live = secret(severity=Severity.HIGH, in_head=True, title="live")
    history = secret(severity=Severity.CRITICAL, in_head=False, title="history")
    image_fix = vuln(severity=Severity.CRITICAL, layer="trivy-image", title="image, fix")
    repo_fix = vuln(severity=Severity.CRITICAL, title="repo, fix", rule_id="CVE-1")
    no_fix = vuln(severity=Severity.CRITICAL, fixed_version=None, title="no fix", rule_id="CVE-2")
    code = make(title="code high")
    old = vuln(severity=Severity.CRITICAL, status="existing", title="existing", rule_id="CVE-3")
    muted = secret(status="suppressed", title="suppressed")
    ranked = deterministic.rank([muted, old, code, no_fix, repo_fix, image_fix, history, live])
    assert [f.title for f in ranked] == [
        "live",  # a credential usable right now beats everything
        "image, fix",  # critical, fixable, and shipped in the image
        "repo, fix",  # critical with a fix: a top exploitability class
        "history",  # critical, but no longer in the code (rotate and purge)
        "no fix",  # nothing to upgrade to yet
        "code high",
        "existing",  # known before: after every new finding
    ]


def test_top_risks_group_one_fix_and_keep_live_and_history_secrets_apart() -> None:
    cves = [
        vuln(rule_id=f"CVE-2023-{n}", fixed_version=version)
        for n, version in ((1, "2.9.1"), (2, "2.10.0"), (3, "2.20.0, 3.0.1"))
    ]
    live = [secret(in_head=True, path=f"conf/{n}.py") for n in range(2)]
    history = secret(in_head=False, rule_id="github-pat")
    risks = deterministic.top_risks(deterministic.rank([*cves, *live, history]))
    by_title = {r.title: r for r in risks}
    assert set(by_title) == {
        "2 leaked credentials (aws-access-token)",
        "AWS key (deploy/settings.py:12)",
        "requests 2.19.0: 3 advisories",
    }
    upgrade = by_title["requests 2.19.0: 3 advisories"]
    assert set(upgrade.finding_ids) == {c.id for c in cves}
    assert upgrade.fix == "Upgrade requests to 2.20.0 or later."  # 2.20.0 > 2.10.0 > 2.9.1, numerically
    assert "3 known vulnerabilities" in upgrade.why_it_matters
    assert by_title["2 leaked credentials (aws-access-token)"].urgency == "immediate"
    history_risk = by_title["AWS key (deploy/settings.py:12)"]
    assert history_risk.finding_ids == [history.id] and "git history only" in history_risk.why_it_matters
    assert "purge" in history_risk.fix


def test_top_risks_are_capped_and_list_at_most_twenty_ids() -> None:
    many = [make(rule_id=f"rule-{n}", title=f"rule {n}") for n in range(15)]
    same = [make(path=f"app/v{n}.py", severity=Severity.CRITICAL) for n in range(30)]
    risks = deterministic.top_risks(deterministic.rank([*many, *same]))
    assert len(risks) == 10
    grouped = next(r for r in risks if r.title.startswith("SQL built from request data"))
    assert len(grouped.finding_ids) == 20 and "(30 places)" in grouped.title


def test_summary_risk_score_and_actions() -> None:
    findings = [
        secret(severity=Severity.CRITICAL, in_head=True),
        vuln(),
        make(severity=Severity.MEDIUM),
        vuln(status="existing", rule_id="CVE-9"),
        make(status="suppressed", rule_id="x"),
    ]
    built = deterministic.build(data(findings, layer_errors=["trivy: DB download failed"]), error="model timed out")
    assert built.source == "deterministic" and built.model is None and built.ai_verdict is None
    assert built.error == "model timed out"
    assert built.summary.startswith("3 new findings (1 critical, 1 high, 1 medium); 1 already known, 1 suppressed.")
    assert "The gate fails." in built.summary and "1 credential is still in the current code" in built.summary
    assert "could not run completely" in built.summary
    assert built.risk_score == 100  # a live critical secret alone is 80; with the high CVE it saturates
    assert built.next_actions[0].startswith("Revoke and rotate")
    assert "Upgrade: requests → 2.20.0" in built.next_actions
    assert built.next_actions[-1].startswith("Make the failed layers run")


def test_clean_scan_and_small_scores() -> None:
    assert deterministic.build(data([], verdict="pass")).summary.startswith("No findings")
    low = deterministic.build(data([make(severity=Severity.LOW)], verdict="pass"))
    assert low.risk_score == 1 and "The gate passes." in low.summary
    assert deterministic.risk_score([vuln(status="existing")]) == 0
