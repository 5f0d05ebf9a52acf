"""Equivalent findings merged across scanners (issue 16, point 3): semgrep's Dockerfile rules and
trivy's DS checks that report the same problem are one finding, from one table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio

from fakes import semgrep_report, semgrep_result, trivy_report
from secscan.findings.equivalence import EQUIVALENCES
from secscan.pipeline import Options, report_from_files
from secscan.report import Report
from secscan.scanners.semgrep import bundled_rule_ids


def misconfig(check: str, title: str, line: int | None) -> dict[str, Any]:
    cause: dict[str, Any] = {"Provider": "Dockerfile", "Service": "general"}
    if line:
        cause.update(StartLine=line, EndLine=line)
    return {
        "Type": "Dockerfile Security Check",
        "ID": check,
        "AVDID": "AVD-" + check,
        "Title": title,
        "Message": title,
        "Severity": "HIGH" if check == "DS-0002" else "MEDIUM",
        "Status": "FAIL",
        "CauseMetadata": cause,
    }


def run(tmp_path: Path) -> Report:
    semgrep = semgrep_report(
        [
            semgrep_result(
                "rules.dockerfile.dockerfile-missing-user", "api/Dockerfile", 1, "ERROR", "No USER: runs as root."
            ),
            semgrep_result(
                "rules.dockerfile.dockerfile-missing-user", "web/Dockerfile", 1, "ERROR", "No USER: runs as root."
            ),
            semgrep_result(
                "rules.dockerfile.dockerfile-from-latest-tag", "web/Dockerfile", 1, "WARNING", "FROM uses latest."
            ),
            semgrep_result(
                "rules.dockerfile.dockerfile-from-missing-tag", "web/Dockerfile", 7, "WARNING", "FROM has no tag."
            ),
            semgrep_result("rules.python.python-eval-exec-injection", "app.py", 3, "ERROR", "eval of request data."),
        ]
    )
    trivy = trivy_report()
    trivy["Results"] = [
        {
            "Target": "api/Dockerfile",
            "Class": "config",
            "Type": "dockerfile",
            "Misconfigurations": [misconfig("DS-0002", "Image user should not be 'root'", None)],
        },
        {
            "Target": "web/Dockerfile",
            "Class": "config",
            "Type": "dockerfile",
            "Misconfigurations": [
                misconfig("DS-0002", "Image user should not be 'root'", None),
                misconfig("DS-0001", "':latest' tag used", 1),
                misconfig("DS-0001", "':latest' tag used", 7),
                misconfig("DS-0026", "No HEALTHCHECK defined", None),
            ],
        },
    ]
    files = {}
    for name, document in (("semgrep", semgrep), ("trivy", trivy)):
        files[name] = tmp_path / f"{name}.json"
        files[name].write_text(json.dumps(document))
    inputs = {"gitleaks": None, "semgrep": files["semgrep"], "trivy": files["trivy"], "trivy-image": None}
    return anyio.run(report_from_files, inputs, Options(out_dir=tmp_path / "out", no_ai=True, no_slack=True))  # type: ignore[arg-type]


def test_the_same_dockerfile_problem_from_two_scanners_is_one_finding(tmp_path: Path) -> None:
    report = run(tmp_path)
    root = [f for f in report.findings if f.rule_id in ("DS-0002", "dockerfile-missing-user")]
    assert sorted(f.path for f in root) == ["api/Dockerfile", "web/Dockerfile"]  # 4 reports, 2 problems
    for finding in root:
        assert finding.rule_id == "DS-0002" and finding.scanners == ["semgrep", "trivy"]
        assert finding.category.value == "misconfiguration"
    tags = sorted(
        (f.line, f.rule_id, tuple(f.scanners)) for f in report.findings if f.path == "web/Dockerfile" and f.line
    )
    # line scope: each FROM is its own problem, each reported by both scanners
    assert tags == [(1, "DS-0001", ("semgrep", "trivy")), (7, "DS-0001", ("semgrep", "trivy"))]
    # what has no equivalent stays as it was
    assert {f.rule_id for f in report.findings} == {"DS-0002", "DS-0001", "DS-0026", "python-eval-exec-injection"}
    assert len(report.findings) == 6


def test_the_table_names_rules_that_exist() -> None:
    bundled = bundled_rule_ids()
    for row in EQUIVALENCES:
        assert row.primary in row.rules and len(row.rules) >= 2
        assert row.rules["semgrep"] <= bundled, row.name  # a renamed rule would silently stop merging
