"""--semgrep-config: extra rules run beside the bundled pack; what cannot be loaded never costs the pack."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import require_scanners

pytestmark = [pytest.mark.scanners, pytest.mark.slow]

APP = "def calculate(expression):\n    return eval(expression)\n\n\ndef shout(text):\n    return text.upper()\n"
LOCAL_RULE = """\
rules:
  - id: no-upper-shouting
    pattern: $X.upper()
    message: Do not shout; lower your voice.
    languages: [python]
    severity: WARNING
"""


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _scan(tmp_path: Path, *configs: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    require_scanners("semgrep")
    repo = tmp_path / "repo"
    repo.mkdir(exist_ok=True)
    (repo / "app.py").write_text(APP)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SLACK_"))}
    env["SEMGREP_URL"] = f"https://127.0.0.1:{_closed_port()}"  # the registry, unreachable
    out = tmp_path / "out"
    args = [sys.executable, "-m", "secscan", "scan", str(repo), "--layers", "semgrep", "--out", str(out)]
    for config in configs:
        args += ["--semgrep-config", config]
    completed = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300, check=False)
    return completed, json.loads((out / "report.json").read_text())


def test_unreachable_registry_pack_is_skipped_and_local_rules_still_run(tmp_path: Path) -> None:
    rules = tmp_path / "my-rules"
    rules.mkdir()
    (rules / "shout.yaml").write_text(LOCAL_RULE)
    completed, report = _scan(tmp_path, "p/python", str(rules))
    layer = report["layers"][0]
    assert layer["status"] == "ok", layer
    assert any("p/python not fetched" in note for note in layer["notes"]), layer["notes"]
    assert any("p/python not fetched" in warning for warning in report["warnings"])
    rule_ids = {f["rule_id"] for f in report["findings"]}
    assert rule_ids == {"python-eval-exec-injection", "no-upper-shouting"}, rule_ids
    assert "Traceback" not in completed.stderr


def test_a_broken_extra_config_falls_back_to_the_bundled_pack(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules:\n  - id: half-a-rule\n    languages: [python]\n")
    completed, report = _scan(tmp_path, str(broken))
    layer = report["layers"][0]
    assert layer["status"] == "ok", layer
    assert any("could not be loaded" in note and "broken.yaml" in note for note in layer["notes"]), layer["notes"]
    assert [f["rule_id"] for f in report["findings"]] == ["python-eval-exec-injection"]
    assert completed.returncode == 1  # the eval finding fails the gate; the broken config does not hide it
