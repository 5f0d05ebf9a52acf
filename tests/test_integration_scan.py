"""`secscan scan` with the real scanners on a repository with planted problems."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import require_scanners
from planted_repo import EVAL_LINE, SHELL_LINE, SQL_LINE, PlantedRepo, build

pytestmark = [pytest.mark.scanners, pytest.mark.slow]


class ScanRun:
    def __init__(self, planted: PlantedRepo, out: Path, completed: subprocess.CompletedProcess[str]) -> None:
        self.planted = planted
        self.out = out
        self.completed = completed
        self.report: dict[str, Any] = json.loads((out / "report.json").read_text())

    def findings(self, **match: Any) -> list[dict[str, Any]]:
        return [f for f in self.report["findings"] if all(f.get(k) == v for k, v in match.items())]


@pytest.fixture(scope="module")
def scan_run(tmp_path_factory: pytest.TempPathFactory) -> ScanRun:
    require_scanners("gitleaks", "semgrep", "trivy")
    root = tmp_path_factory.mktemp("planted")
    planted = build(root)
    out = root / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SLACK_"))}
    env["TRIVY_CACHE_DIR"] = str(planted.trivy_cache)
    completed = subprocess.run(
        [sys.executable, "-m", "secscan", "scan", str(planted.path), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=600,
    )
    return ScanRun(planted, out, completed)


def test_exit_code_and_verdict(scan_run: ScanRun) -> None:
    assert scan_run.completed.returncode == 1, scan_run.completed.stderr
    report = scan_run.report
    assert report["schema_version"] == 1
    assert report["verdict"] == "fail"
    assert {layer["name"]: layer["status"] for layer in report["layers"]} == {
        "gitleaks": "ok",
        "semgrep": "ok",
        "trivy": "ok",
    }, report["layers"]
    reasons = " | ".join(report["reasons"])
    for category in ("secret", "vulnerability", "code", "misconfiguration"):
        assert any(reason.startswith(f"{category}:") for reason in report["reasons"]), reasons
    assert all(layer["version"] for layer in report["layers"])


def test_every_head_secret_found_once_by_both_scanners(scan_run: ScanRun) -> None:
    for path, canary in scan_run.planted.head_secrets.items():
        found = scan_run.findings(category="secret", path=path)
        assert len(found) == 1, (path, found)
        finding = found[0]
        assert finding["scanner"] == "gitleaks"
        assert finding["rule_id"] == canary.gitleaks_rule
        assert finding["severity"] == "critical"
        assert finding["commit"] and len(finding["commit"]) == 40
        assert finding["in_head"] is True
        assert finding["line"] >= 1
    # trivy saw the same files: the merged findings name both scanners
    merged = [f for f in scan_run.findings(category="secret") if f["scanners"] == ["gitleaks", "trivy"]]
    assert len(merged) >= 3


def test_history_only_secret(scan_run: ScanRun) -> None:
    found = scan_run.findings(category="secret", path="legacy_settings.py")
    assert len(found) == 1
    assert found[0]["rule_id"] == "stripe-access-token"
    assert found[0]["in_head"] is False
    assert found[0]["scanners"] == ["gitleaks"]


def test_code_injections_found(scan_run: ScanRun) -> None:
    code = scan_run.findings(category="code", path="app.py")
    lines = {f["line"]: f for f in code}
    for line in (SQL_LINE, SHELL_LINE, EVAL_LINE):
        assert line in lines, (line, [(f["rule_id"], f["line"]) for f in code])
        assert lines[line]["severity"] in ("high", "critical"), lines[line]
        assert "." not in lines[line]["rule_id"], "bundled rule ids lose semgrep's folder prefix"
    assert "CWE-89" in lines[SQL_LINE]["cwe"]
    assert "CWE-78" in lines[SHELL_LINE]["cwe"]


def test_vulnerable_pins_found(scan_run: ScanRun) -> None:
    vulns = {f["rule_id"]: f for f in scan_run.findings(category="vulnerability")}
    assert set(vulns) == {"CVE-2018-18074", "CVE-2019-10906", "CVE-2020-14343"}
    requests = vulns["CVE-2018-18074"]
    assert (requests["package"], requests["installed_version"], requests["fixed_version"]) == (
        "requests",
        "2.19.0",
        "2.20.0",
    )
    assert requests["path"] == "requirements.txt" and requests["severity"] == "high"
    assert vulns["CVE-2020-14343"]["severity"] == "critical"


def test_misconfigurations_found(scan_run: ScanRun) -> None:
    misconfigs = scan_run.findings(category="misconfiguration")
    by_path: dict[str, set[str]] = {}
    for finding in misconfigs:
        by_path.setdefault(finding["path"], set()).add(finding["rule_id"])
    assert {"DS-0001", "DS-0002"} <= by_path["Dockerfile"]
    assert "KSV-0017" in by_path["k8s/deployment.yaml"]
    egress = [f for f in misconfigs if f["path"] == "infra/main.tf" and f["rule_id"] == "AWS-0104"]
    assert egress and egress[0]["severity"] == "critical"
    assert any(r.startswith("misconfiguration: ") and "AWS-0104" in r for r in scan_run.report["reasons"])


def test_ids_unique_and_line_free(scan_run: ScanRun) -> None:
    ids = [f["id"] for f in scan_run.report["findings"]]
    assert len(ids) == len(set(ids))
    assert all(len(i) == 20 for i in ids)


def test_no_secret_value_anywhere(scan_run: ScanRun) -> None:
    texts = [scan_run.completed.stdout, scan_run.completed.stderr]
    files = [p for p in scan_run.out.rglob("*") if p.is_file()]
    assert (scan_run.out / "raw" / "gitleaks.json").is_file() and (scan_run.out / "raw" / "trivy.json").is_file()
    texts += [p.read_text(errors="replace") for p in files]
    for canary in scan_run.planted.all_secrets:
        for fragment in canary.fragments():
            for text in texts:
                assert fragment not in text, f"{canary.kind} secret leaked"


def test_terminal_summary(scan_run: ScanRun) -> None:
    stderr = scan_run.completed.stderr
    assert "FAIL" in stderr
    for layer in ("gitleaks", "semgrep", "trivy"):
        assert layer in stderr
