"""The benchmark script keeps working: a tiny run (P2 at 1k findings, P4), no Django, no timing asserts.

Benchmarks are measured, not tested: this only checks that `benchmarks/run.py` runs end to end
and writes the JSON it promises, and that the redaction shortcuts still give exactly what the
plain regexes give (`benchmarks/check_redaction.py`, a small sample).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SLACK_"))}
    env["SEMGREP_ENABLE_VERSION_CHECK"] = "0"
    return env


def test_benchmark_script_runs_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "run.py"),
            "--parts",
            "p2,p4",
            "--sizes",
            "1000",
            "--repeat",
            "1",
            "--out",
            str(out),
            "--work",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=_env(),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(out.read_text())
    (row,) = results["p2"]
    assert row["findings"] == 1000
    assert row["findings_in_report"] == 1000  # every synthetic finding is distinct and reported
    assert row["wall_s"] > 0 and row["peak_rss_mb"] > 0
    assert "report.json" in row["outputs"]
    commands = {r["command"] for r in results["p4"]}
    assert {"secscan --help", "secscan doctor"} <= commands
    assert "P2 secscan report" in results["table"] and "P4 start-up" in done.stdout


def test_redaction_shortcuts_match_the_plain_regexes() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "check_redaction.py"), "--cases", "1500", "--seed", "3"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=_env(),
    )
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert "0 mismatches" in done.stdout
