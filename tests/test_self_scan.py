"""secscan's own repository passes secscan's gate (fixtures generate their secrets at run time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT, require_scanners
from support.trivy_db import write_trivy_db

pytestmark = [pytest.mark.scanners, pytest.mark.slow]


def test_this_repository_passes_its_own_gate(tmp_path: Path) -> None:
    require_scanners("gitleaks", "semgrep", "trivy")
    if not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    write_trivy_db(tmp_path / "trivy-cache", [])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SLACK_"))}
    env["TRIVY_CACHE_DIR"] = str(tmp_path / "trivy-cache")
    out = tmp_path / "out"
    completed = subprocess.run(
        # --config: the operator (this project) vouches for its own policy file; without it the
        # file would be repository config, whose excludes are listed but not applied
        [
            sys.executable,
            "-m",
            "secscan",
            "scan",
            str(REPO_ROOT),
            "--out",
            str(out),
            "--quiet",
            "--config",
            str(REPO_ROOT / "secscan.toml"),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=900,
    )
    report = json.loads((out / "report.json").read_text())
    assert completed.returncode == 0, (report["reasons"], completed.stderr[-2000:])
    assert report["verdict"] == "pass"
    assert [layer["status"] for layer in report["layers"]] == ["ok", "ok", "ok"]
