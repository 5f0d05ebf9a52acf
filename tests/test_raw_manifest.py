"""raw/ reproduces the verdict: raw/manifest.json records each layer's status, error and version,
and `secscan report --raw DIR` restores them. Before, a run that failed because trivy's DB was
unreachable came back PASS from its own raw/ (the failed layer read as `skipped`).
"""

from __future__ import annotations

import json
import secrets
import string
from pathlib import Path
from typing import Any

import pytest

from fakes import GITLEAKS_FINDING, semgrep_report, semgrep_result
from reliability_support import assert_no_traceback, base_env, git, real_binary, require_real, secscan


def comparable(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "verdict": report["verdict"],
        "reasons": report["reasons"],
        "layers": [(x["name"], x["status"], x["error"], x["version"], x["findings"]) for x in report["layers"]],
        "ids": sorted((f["id"], f["rule_id"], f["path"], f["line"], f["status"]) for f in report["findings"]),
    }


@pytest.mark.scanners
def test_trivy_db_failure_comes_back_from_raw(tmp_path: Path) -> None:
    require_real("gitleaks", "trivy")
    target = tmp_path / "repo"
    target.mkdir()
    key_id = "AKIA" + "".join(secrets.choice(string.ascii_uppercase + "234567") for _ in range(16))
    (target / "deploy.sh").write_text(f"#!/bin/sh\nexport AWS_ACCESS_KEY_ID={key_id}\n")
    (target / "Dockerfile").write_text("FROM alpine:3.19\nRUN apk add --no-cache curl\n")
    (target / "requirements.txt").write_text("requests==2.19.0\n")
    git(target, "init", "-q")
    git(target, "add", ".")
    git(target, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "init")
    empty_cache = tmp_path / "empty-cache"
    empty_cache.mkdir()
    env = base_env(
        TRIVY_CACHE_DIR=str(empty_cache),
        SECSCAN_GITLEAKS=str(real_binary("gitleaks")),
        SECSCAN_TRIVY=str(real_binary("trivy")),
    )
    first = secscan(
        "scan", target, "--layers", "gitleaks,trivy", "--no-ai", "--no-slack", env=env, out=tmp_path / "first"
    )
    assert_no_traceback(first)
    assert first.code == 1, first.stderr
    trivy = first.layer("trivy")
    assert trivy["status"] == "error" and "DB" in trivy["error"], trivy
    manifest = json.loads((tmp_path / "first" / "raw" / "manifest.json").read_text())
    recorded = {entry["name"]: entry for entry in manifest["layers"]}
    assert recorded["trivy"]["status"] == "error" and recorded["trivy"]["error"] == trivy["error"]
    assert recorded["gitleaks"]["status"] == "ok" and recorded["gitleaks"]["file"] == "gitleaks.json"

    again = secscan(
        "report",
        "--raw",
        tmp_path / "first" / "raw",
        "--source",
        target,
        "--no-ai",
        "--no-slack",
        env=base_env(),
        out=tmp_path / "again",
    )
    assert_no_traceback(again)
    assert again.code == 1, again.stderr
    assert comparable(again.report) == comparable(first.report)
    assert any("trivy" in reason for reason in again.report["reasons"])

    # in place: --out the very folder whose raw/ is read
    in_place = secscan(
        "report",
        "--raw",
        tmp_path / "first" / "raw",
        "--source",
        target,
        "--no-ai",
        "--no-slack",
        env=base_env(),
        out=tmp_path / "first",
    )
    assert in_place.code == 1
    assert comparable(in_place.report) == comparable(first.report)
    for path in (tmp_path / "again").rglob("*"):
        if path.is_file():
            assert key_id not in path.read_text(errors="replace"), path


def fake_run(tmp_path: Path, layers: list[dict[str, Any]], files: dict[str, Any]) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name, document in files.items():
        (raw / f"{name}.json").write_text(json.dumps(document))
    (raw / "manifest.json").write_text(json.dumps({"manifest_version": 1, "secscan_version": "0", "layers": layers}))
    return raw


def test_recorded_layer_error_fails_again_even_with_its_output(tmp_path: Path) -> None:
    raw = fake_run(
        tmp_path,
        [
            {
                "name": "semgrep",
                "status": "error",
                "error": "semgrep timed out after 900 s",
                "version": "1.185.0",
                "file": "semgrep.json",
            },
            {"name": "gitleaks", "status": "skipped"},
        ],
        {"semgrep": semgrep_report()},
    )
    run = secscan("report", "--raw", raw, "--no-ai", "--no-slack", env=base_env(), out=tmp_path / "out")
    assert run.code == 1, run.stderr
    assert [(layer["name"], layer["status"]) for layer in run.report["layers"]] == [
        ("semgrep", "error"),
        ("gitleaks", "skipped"),
    ]
    assert run.layer("semgrep")["error"] == "semgrep timed out after 900 s"


def test_output_missing_for_an_ok_layer_is_an_error(tmp_path: Path) -> None:
    raw = fake_run(tmp_path, [{"name": "gitleaks", "status": "ok", "version": "8.30.1", "file": "gitleaks.json"}], {})
    run = secscan("report", "--raw", raw, "--no-ai", "--no-slack", env=base_env(), out=tmp_path / "out")
    assert run.code == 1
    assert "missing" in run.layer("gitleaks")["error"]


def test_manifest_file_name_cannot_leave_raw(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.json"
    outside.write_text(json.dumps([GITLEAKS_FINDING]))
    raw = fake_run(tmp_path, [{"name": "gitleaks", "status": "ok", "file": "../elsewhere.json"}], {})
    run = secscan("report", "--raw", raw, "--no-ai", "--no-slack", env=base_env(), out=tmp_path / "out")
    assert run.code == 1 and run.layer("gitleaks")["status"] == "error"
    assert run.report["findings"] == []


def test_raw_without_manifest_reads_the_layer_files(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "semgrep.json").write_text(json.dumps(semgrep_report([semgrep_result()])))
    run = secscan("report", "--raw", raw, "--no-ai", "--no-slack", env=base_env(), out=tmp_path / "out")
    assert run.code == 1 and run.layer("semgrep")["status"] == "ok" and run.report["findings"]


@pytest.mark.parametrize("manifest", ["not json", '{"layers": 3}', "[]"])
def test_bad_manifest_is_one_line_exit_2(tmp_path: Path, manifest: str) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "manifest.json").write_text(manifest)
    run = secscan("report", "--raw", raw, "--no-ai", "--no-slack", env=base_env(), out=tmp_path / "out")
    assert run.code == 2 and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert_no_traceback(run)


def test_raw_and_per_file_flags_together_are_usage_errors(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    run = secscan("report", "--raw", raw, "--semgrep", raw / "x.json", "--no-ai", env=base_env(), out=tmp_path / "out")
    assert run.code == 2 and "--raw" in run.stderr
