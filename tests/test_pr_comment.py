"""The pull request comment, against a GitHub API stand-in on 127.0.0.1 (a real HTTP server)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from canaries import stripe_live_key
from conftest import require_scanners
from github_server import BOT, GitHubServer
from planted_repo import git
from secscan.outputs.github_comment import MARKER

REPOSITORY = "acme/shop"
NUMBER = 42


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    require_scanners("gitleaks")
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "app.py").write_text("print('hello')\n")
    git(path, "add", "-A")
    git(path, "commit", "-qm", "app")
    return path


def _event(tmp_path: Path, *, fork: bool = False) -> Path:
    head = "someone/shop" if fork else REPOSITORY
    event = {
        "number": NUMBER,
        "pull_request": {
            "number": NUMBER,
            "base": {"sha": "0" * 40, "repo": {"full_name": REPOSITORY}},
            "head": {"repo": {"full_name": head}},
        },
    }
    path = tmp_path / f"event-{'fork' if fork else 'same'}.json"
    path.write_text(json.dumps(event))
    return path


def _scan(
    repo: Path, out: Path, server: GitHubServer, event: Path, token: str | None
) -> tuple[int, dict[str, Any], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SLACK_", "GITHUB_"))}
    env.update(GITHUB_EVENT_PATH=str(event), GITHUB_REPOSITORY=REPOSITORY, GITHUB_API_URL=server.url)
    if token is not None:
        env["GITHUB_TOKEN"] = token
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "secscan",
            "scan",
            str(repo),
            "--out",
            str(out),
            "--layers",
            "gitleaks",
            "--no-ai",
            "--no-slack",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=300,
    )
    return done.returncode, json.loads((out / "report.json").read_text()), done.stdout + done.stderr


def test_created_once_then_updated_in_place(repo: Path, tmp_path: Path) -> None:
    token = "test-token-" + secrets.token_hex(16)
    with GitHubServer(write_token=token) as server:
        # 120 comments already on the pull request (two pages), one of them a person's, quoting the marker
        for index in range(119):
            server.state.add(REPOSITORY, NUMBER, f"comment {index}", {"login": "dev", "type": "User"})
        impostor = server.state.add(
            REPOSITORY, NUMBER, f"{MARKER} look, a secscan comment", {"login": "dev", "type": "User"}
        )
        event = _event(tmp_path)
        code, report, _ = _scan(repo, tmp_path / "out1", server, event, token)
        assert code == 0 and report["pr_comment"]["status"] == "sent", report["pr_comment"]
        ours = [c for c in server.state.on(REPOSITORY, NUMBER) if c["user"] == BOT]
        assert len(ours) == 1 and ours[0]["body"].startswith(MARKER)
        assert "secscan: the gate passed" in ours[0]["body"]
        first_id = ours[0]["id"]

        (repo / "settings.py").write_text(f'STRIPE_KEY = "{stripe_live_key().value}"\n')
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "settings")
        code, report, output = _scan(repo, tmp_path / "out2", server, event, token)
        assert code == 1 and report["pr_comment"]["status"] == "sent"
        assert report["pr_comment"]["detail"] == f"pull request #{NUMBER}: updated comment {first_id}"
        ours = [c for c in server.state.on(REPOSITORY, NUMBER) if c["user"] == BOT]
        assert [c["id"] for c in ours] == [first_id]  # the same comment, now failing
        assert "secscan: the gate failed" in ours[0]["body"]
        assert server.state.comments[impostor["id"]]["body"].endswith("look, a secscan comment")  # untouched
        posted = [r for r in server.state.requests if r.method in ("POST", "PATCH")]
        assert [r.method for r in posted] == ["POST", "PATCH"]
        assert all(r.headers.get("Authorization") == f"Bearer {token}" for r in server.state.requests)
        for out in ("out1", "out2"):
            for file in (tmp_path / out).rglob("*"):
                if file.is_file():
                    assert token not in file.read_text(errors="replace"), file
        assert token not in output


def test_nothing_from_a_fork_or_without_a_token(repo: Path, tmp_path: Path) -> None:
    token = "test-token-" + secrets.token_hex(16)
    with GitHubServer(write_token=token) as server:
        code, report, _ = _scan(repo, tmp_path / "fork", server, _event(tmp_path, fork=True), token)
        assert code == 0 and report["pr_comment"]["status"] == "skipped" and "fork" in report["pr_comment"]["detail"]
        code, report, _ = _scan(repo, tmp_path / "none", server, _event(tmp_path), None)
        assert report["pr_comment"]["status"] == "skipped"
        assert server.state.requests == []


def test_a_read_only_token_fails_without_changing_the_verdict(repo: Path, tmp_path: Path) -> None:
    with GitHubServer(write_token="test-token-" + secrets.token_hex(16)) as server:
        code, report, _ = _scan(repo, tmp_path / "ro", server, _event(tmp_path), server.state.read_token)
        assert code == 0 and report["verdict"] == "pass"
        assert report["pr_comment"]["status"] == "failed" and "403" in report["pr_comment"]["detail"]
        assert server.state.on(REPOSITORY, NUMBER) == []
