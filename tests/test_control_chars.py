"""Repository text never drives the terminal, Markdown or Slack: control characters are shown,
not obeyed. A file name holding `ESC[2J ESC[H ESC[32mPASS the gate passed ESC[0m` cleared the
screen and painted a green PASS over a failed run; a newline in a name forged a table line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from fakes import GITLEAKS_FINDING, semgrep_report, semgrep_result
from reliability_support import assert_no_traceback, base_env, secscan
from slack_server import SlackServer

FORGED = "\x1b[2J\x1b[H\x1b[32mPASS the gate passed\x1b[0m"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile_inputs(root: Path) -> dict[str, Path]:
    gitleaks = {
        **GITLEAKS_FINDING,
        "File": f"src/{FORGED}\nPASS the gate passed\r.py",
        "Description": f"Key {FORGED}\u202etxt.exe",
        "RuleID": "rule\x1b]0;title\x07",
    }
    semgrep = semgrep_report([semgrep_result(path=f"app{FORGED}.py", message=f"eval {FORGED}\x9b31m")])
    paths = {"gitleaks": root / "gitleaks.json", "semgrep": root / "semgrep.json"}
    paths["gitleaks"].write_text(json.dumps([gitleaks]))
    paths["semgrep"].write_text(json.dumps(semgrep))
    return paths


def assert_inert(text: str, where: str) -> None:
    found = CONTROL.search(text)
    assert found is None, (
        f"{where}: control character {found.group(0)!r} in {text[max(0, found.start() - 60) : found.end() + 60]!r}"
    )
    for line in text.splitlines():
        assert line.strip(" │|") != "PASS the gate passed", f"{where}: forged line {line!r}"


def test_terminal_and_markdown_show_control_characters_as_escapes(tmp_path: Path) -> None:
    paths = hostile_inputs(tmp_path)
    out = tmp_path / "out"
    run = secscan(
        "report",
        "--gitleaks",
        paths["gitleaks"],
        "--semgrep",
        paths["semgrep"],
        "--no-ai",
        "--no-slack",
        env=base_env(COLUMNS="300"),
        out=out,
    )
    assert_no_traceback(run)
    assert run.code == 1
    assert_inert(run.stderr, "stderr")
    assert "FAIL" in run.stderr
    assert "\\x1b[2J" in run.stderr  # shown, so the reader sees what the name holds
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert_inert(markdown, "report.md")
    # report.json keeps the real names: the tools reading it get what the scanner saw
    paths_in_json = {f["path"] for f in run.report["findings"]}
    assert any("\x1b[2J" in p for p in paths_in_json)


def test_quiet_and_usage_errors_are_inert(tmp_path: Path) -> None:
    name = tmp_path / f"in{FORGED}\n.json"
    run = secscan("report", "--semgrep", name, "--no-ai", "--no-slack", env=base_env(), out=tmp_path / "out")
    assert run.code == 2
    assert_inert(run.stderr, "stderr")
    assert len(run.stderr.strip().splitlines()) == 1


def slack_text(message: Any) -> str:
    return json.dumps(message, ensure_ascii=False)


def test_slack_messages_are_inert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import anyio

    from secscan.pipeline import Options, report_from_files

    paths = hostile_inputs(tmp_path)
    with SlackServer() as server:
        monkeypatch.setenv("SLACK_WEBHOOK_URL", server.webhook_url)
        for name in ("OPENAI_API_KEY", "SLACK_BOT_TOKEN", "SLACK_CHANNEL"):
            monkeypatch.delenv(name, raising=False)
        report = anyio.run(
            lambda: report_from_files(
                {"gitleaks": paths["gitleaks"], "semgrep": paths["semgrep"]},
                Options(out_dir=tmp_path / "out", no_ai=True),
            )
        )
        assert report.slack is not None and report.slack.status == "sent", report.slack
        [request] = server.requests_to("/webhook")
        message = request.json()
    for text in _strings(message):
        assert_inert(text, "slack")
    assert "\\x1b" in slack_text(message)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return []
