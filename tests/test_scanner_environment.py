"""The one environment every scanner and git process gets (secscan.scanners.process.scanner_environment)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from secscan.scanners.gitrepo import git_environment
from secscan.scanners.process import scanner_environment

CREDENTIALS = {
    "OPENAI_API_KEY": "sk-canary-openai",
    "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
    "SLACK_BOT_TOKEN": "canary-slack",
    "SLACK_WEBHOOK_URL": "http://127.0.0.1:9/hook",
    "AWS_SECRET_ACCESS_KEY": "canary-aws",
    "GITHUB_TOKEN": "canary-gh",
    "CI_JOB_TOKEN": "canary-ci",
    "SEMGREP_APP_TOKEN": "canary-semgrep",
    "GITLEAKS_CONFIG": "/tmp/theirs.toml",
    "GIT_DIR": "/tmp/elsewhere",
    "PYTHONPATH": "/tmp/theirs",
    "LD_PRELOAD": "/tmp/theirs.so",
}


def test_no_credential_or_foreign_setting_reaches_a_scanner(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    env = scanner_environment({"EXTRA": "1"})
    assert not set(CREDENTIALS) & set(env)
    assert env["HTTPS_PROXY"] == "http://proxy.invalid:3128" and env["LC_ALL"] == "C.UTF-8"
    assert env["EXTRA"] == "1" and env["PATH"] == os.environ["PATH"]
    assert env["HOME"] != os.path.expanduser("~") and Path(env["HOME"]).is_dir()
    assert env["SEMGREP_ENABLE_VERSION_CHECK"] == "0"


def test_git_runs_none_of_the_repository_commands(tmp_path: Path) -> None:
    """A repository's .git/config core.fsmonitor is overridden by the hardened environment."""
    repo = tmp_path / "repo"
    repo.mkdir()
    marker = tmp_path / "ran"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "core.fsmonitor", f"touch {marker}; true"], check=True)
    (repo / "a.txt").write_text("x\n")
    subprocess.run(["git", "-C", str(repo), "add", "a.txt"], check=True, env=scanner_environment(git_environment(repo)))
    subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain"],
        check=True,
        capture_output=True,
        env=scanner_environment(git_environment(repo)),
    )
    assert not marker.exists()
    subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], check=True, capture_output=True)
    assert marker.exists(), "the control: plain git does run it"
