"""The risk model (issue 16, point 4): exploitability class, liveness, confidence, where a finding
lives and fix availability order the report; licences stay below everything unless the gate fails
on them. The README's table lists the same points (checked here)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import anyio

from fakes import semgrep_report, semgrep_result, trivy_report
from secscan.findings.model import Category, Finding, Severity
from secscan.findings.risk import LICENCE_CAP, POINTS, SEVERITY_BASE, assess, with_risk
from secscan.pipeline import Options, report_from_files
from secscan.synthesis import deterministic

README = Path(__file__).resolve().parents[1] / "README.md"


def code(rule: str, cwe: str, severity: Severity = Severity.HIGH, path: str = "app/views.py", **extra: Any) -> Finding:
    return Finding(
        scanner="semgrep",
        layer="semgrep",
        category=Category.CODE,
        rule_id=rule,
        severity=severity,
        title=rule,
        path=path,
        line=10,
        cwe=[cwe],
        **extra,
    )


def secret(**extra: Any) -> Finding:
    fields: dict[str, Any] = {
        "rule_id": "stripe-access-token",
        "severity": Severity.CRITICAL,
        "in_head": True,
        "on_scanned_branch": True,
        **extra,
    }
    return Finding(
        scanner="gitleaks",
        layer="gitleaks",
        category=Category.SECRET,
        title="key",
        path="settings.py",
        line=3,
        **fields,
    )


def licence(severity: Severity = Severity.CRITICAL) -> Finding:
    return Finding(
        scanner="trivy",
        layer="trivy",
        category=Category.LICENSE,
        rule_id="AGPL-3.0",
        severity=severity,
        title="AGPL-3.0 licence (forbidden)",
        license_category="forbidden",
    )


def test_injection_and_code_execution_rank_above_hygiene_of_the_same_severity() -> None:
    rce = code("python-os-command-injection", "CWE-78")
    sqli = code("python-sql-injection", "CWE-89")
    weak_hash = code("python-weak-password-hash", "CWE-328")
    debug = code("python-django-debug-enabled", "CWE-489")
    root = Finding(
        scanner="trivy",
        layer="trivy",
        category=Category.MISCONFIGURATION,
        rule_id="DS-0002",
        severity=Severity.HIGH,
        title="root",
        path="Dockerfile",
    )
    ranked = [f.rule_id for f in with_risk([debug, root, weak_hash, sqli, rce])]
    assert ranked[:2] == ["python-os-command-injection", "python-sql-injection"]
    assert set(ranked[2:]) == {"python-weak-password-hash", "python-django-debug-enabled", "DS-0002"}


def test_liveness_expiry_comments_and_branches_lower_a_secret_but_keep_it() -> None:
    live = assess(secret())
    history = assess(secret(in_head=False))
    unknown = assess(secret(in_head=None))
    expired_comment = assess(secret(rule_id="jwt", severity=Severity.HIGH, expired=True, in_comment=True))
    elsewhere = assess(secret(in_head=False, on_scanned_branch=False))
    assert live.score > unknown.score > history.score > elsewhere.score
    assert expired_comment.score < live.score and expired_comment.score > 0
    assert {"expired token", "in a comment", "generic secret pattern"} <= set(expired_comment.factors)
    digest = assess(secret(rule_id="generic-api-key", severity=Severity.HIGH, confidence="low"))
    injection = assess(code("python-sql-injection", "CWE-89"))
    assert "value does not look like a credential" in digest.factors and 0 < digest.score < injection.score


def test_tests_examples_and_vendored_code_rank_lower() -> None:
    for path in (
        "tests/test_views.py",
        "examples/demo.py",
        "vendor/lib/x.js",
        "docs/snippet.py",
        "src/app.spec.ts",
        "pkg/handler_test.go",
        "node_modules/a/index.js",
        "static/js/libs/jquery-ui.js",
        "a/b.min.js",
    ):
        assert (
            assess(code("python-sql-injection", "CWE-89", path=path)).score
            < assess(code("python-sql-injection", "CWE-89")).score
        ), path
    assert assess(code("python-sql-injection", "CWE-89", path="contest/views.py")).factors == ["injection"]


def test_fix_availability_and_confidence_count() -> None:
    def vuln(**extra: Any) -> Finding:
        return Finding(
            scanner="trivy",
            layer="trivy",
            category=Category.VULNERABILITY,
            rule_id="CVE-1",
            title="x",
            severity=Severity.CRITICAL,
            package="p",
            installed_version="1",
            **extra,
        )

    assert assess(vuln(fixed_version="2")).score > assess(vuln()).score
    assert assess(code("r", "CWE-89", confidence="high")).score > assess(code("r", "CWE-89", confidence="low")).score


def test_licences_stay_below_everything_unless_the_gate_fails_on_them() -> None:
    low_code = code("js-regexp-injection", "CWE-1333", Severity.LOW)
    assert assess(licence()).score == LICENCE_CAP < assess(low_code).score
    gated = assess(licence(), licences_gate=Severity.HIGH)
    assert gated.score == SEVERITY_BASE[Severity.CRITICAL]
    assert deterministic.rank(with_risk([licence(), low_code]))[0].rule_id == "js-regexp-injection"


def test_the_report_and_the_synthesis_follow_the_model(tmp_path: Path) -> None:
    """Through the pipeline: twelve high-severity hygiene findings cannot push the planted injections
    out of the top 10, and the deterministic summary names an injection as most urgent."""
    hygiene = [
        semgrep_result("rules.python-weak-password-hash", f"app/m{i}.py", 5, "ERROR", "MD5 for passwords.")
        for i in range(12)
    ]
    for result in hygiene:
        result["extra"]["metadata"] = {"cwe": ["CWE-328: weak hash"]}
    injections = [
        semgrep_result(
            "rules.python-os-command-injection", "app/run.py", 9, "ERROR", "Shell command from request data."
        ),
        semgrep_result("rules.python-sql-injection", "app/db.py", 4, "ERROR", "SQL built from request data."),
    ]
    injections[0]["extra"]["metadata"] = {"cwe": ["CWE-78: OS command injection"]}
    injections[1]["extra"]["metadata"] = {"cwe": ["CWE-89: SQL injection"]}
    semgrep_json = tmp_path / "semgrep.json"
    semgrep_json.write_text(json.dumps(semgrep_report([*hygiene, *injections])))
    trivy_json = tmp_path / "trivy.json"
    trivy_json.write_text(json.dumps(trivy_report()))
    inputs = {"gitleaks": None, "semgrep": semgrep_json, "trivy": trivy_json, "trivy-image": None}
    report = anyio.run(report_from_files, inputs, Options(out_dir=tmp_path / "out", no_ai=True, no_slack=True))  # type: ignore[arg-type]
    top = [f.rule_id for f in report.findings[:2]]
    assert top == ["python-os-command-injection", "python-sql-injection"]
    assert all(f.risk is not None for f in report.findings)
    assert "Most urgent: Shell command from request data" in report.synthesis.summary
    first_risk = report.synthesis.top_risks[0]
    assert report.findings[0].id in first_risk.finding_ids


def test_the_readme_documents_every_factor() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Risk model") :]
    section = section[: section.index("\n## ", 1) if "\n## " in section else len(section)]
    for factor, points in POINTS.items():
        row = re.search(rf"\|\s*{re.escape(factor)}\s*\|\s*([+-]?\d+)\s*\|", section)
        assert row, factor
        assert int(row.group(1).replace("+", "")) == points, factor


def test_likely_false_positives_move_after_their_severity_and_keep_the_risk_order() -> None:
    from secscan.findings.model import Triage
    from secscan.findings.risk import doubted_last

    doubt = Triage(label="likely_false_positive", reason="fixture")
    sqli = code("python-sql-injection", "CWE-89")
    rce = code("python-os-command-injection", "CWE-78").model_copy(update={"triage": doubt})
    weak = code("python-weak-password-hash", "CWE-328")
    low = code("js-regexp-injection", "CWE-1333", Severity.LOW)
    ranked = with_risk([low, weak, sqli, rce])
    assert [f.rule_id for f in ranked][:2] == ["python-os-command-injection", "python-sql-injection"]
    shown = [f.rule_id for f in doubted_last(ranked)]
    # the doubted RCE goes after the last high finding, before the low one; the rest keep their order
    assert shown == [
        "python-sql-injection",
        "python-weak-password-hash",
        "python-os-command-injection",
        "js-regexp-injection",
    ]
