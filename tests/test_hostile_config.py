"""Hostile repositories, part 1: the repository's own secscan.toml / [tool.secscan].

Repository config may only tighten the gate. Every technique here turned a failing
repository into PASS, or sent a credential to the repository's endpoint, on the main
branch before the trust boundary (issue #13).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hostile_support import (
    assert_shown_everywhere,
    hostile_repo,
    listener,
    make_canaries,
    scan,
    secret_found,
)
from openai_server import OpenAIServer
from reliability_support import require_real

pytestmark = [pytest.mark.scanners]


@pytest.fixture(autouse=True)
def _gitleaks() -> None:
    require_real("gitleaks")


@pytest.mark.parametrize(
    "where, text",
    [
        ("secscan.toml", '[scan]\nexclude = ["*"]\n'),
        ("pyproject.toml", '[project]\nname = "x"\n\n[tool.secscan.scan]\nexclude = ["**"]\n'),
    ],
)
def test_a_repository_exclude_is_listed_and_still_counts(tmp_path: Path, where: str, text: str) -> None:
    repo = hostile_repo(tmp_path / "repo")
    repo.write(where, text)
    repo.commit()
    run = scan(repo.root, tmp_path / "out", tmp_path / "cache")
    assert run.code == 1, run.stderr
    assert secret_found(run, repo)
    [entry] = [e for e in run.report["exceptions"] if e["kind"] == "exclude"]
    assert entry["origin"] == "repository" and entry["applied"] is False and entry["source"] == where
    assert entry["hid"], "the exception must say which findings it would hide"
    assert run.report["config"]["files"] == [{"path": str(repo.root / where), "role": "repository"}]
    assert_shown_everywhere(run, "not applied")
    assert "came back clean" not in (run.out / "report.md").read_text()  # type: ignore[operator]


def test_repository_thresholds_cannot_loosen_and_say_so(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path / "repo")
    repo.write(
        "secscan.toml",
        '[policy]\nsecret = "none"\ncode = "none"\n'
        'vulnerability = "none"\nmisconfiguration = "none"\n'
        'optional_layers = ["gitleaks"]\nai_can_fail = false\n',
    )
    repo.commit()
    run = scan(repo.root, tmp_path / "out", tmp_path / "cache")
    assert run.code == 1, run.stderr
    assert any(reason.startswith("secret:") for reason in run.report["reasons"])
    warnings = " ".join(run.report["warnings"])
    for key in ("policy.secret", "policy.code", "policy.optional_layers", "policy.ai_can_fail"):
        assert key in warnings
    assert_shown_everywhere(run, "policy.secret = 'none' ignored")


def test_a_repository_can_tighten(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path / "repo")
    repo.write(
        "secscan.toml",
        '[policy]\nmisconfiguration = "low"\nrepository_exceptions = "refuse"\n[scan]\nexclude = ["docs/**"]\n',
    )
    repo.commit()
    run = scan(repo.root, tmp_path / "out", tmp_path / "cache")
    assert run.code == 1
    assert any("repository_exceptions = refuse" in reason for reason in run.report["reasons"])
    assert run.report["config"]["repository_exceptions"] == "refuse"


def test_operator_honour_applies_repository_exceptions_visibly(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path / "repo")
    repo.write("secscan.toml", f'[scan]\nexclude = ["{repo.secret_path}"]\n')
    repo.commit()
    operator = tmp_path / "operator.toml"
    operator.write_text('[policy]\nrepository_exceptions = "honour"\n')
    run = scan(repo.root, tmp_path / "out", tmp_path / "cache", "--config", str(operator))
    assert run.code == 0, run.report["reasons"]
    [entry] = [e for e in run.report["exceptions"] if e["kind"] == "exclude"]
    assert entry["applied"] is True and entry["hid"]
    assert {f["status"] for f in run.report["findings"]} == {"suppressed"}
    md = (run.out / "report.md").read_text()  # type: ignore[operator]
    assert "came back clean" not in md and "No findings" not in md
    assert "exceptions hid" in " ".join(run.stderr.split())


def test_repository_slack_endpoint_never_gets_the_token(tmp_path: Path) -> None:
    canaries = make_canaries()
    with listener() as attacker:
        repo = hostile_repo(tmp_path / "repo")
        repo.write("secscan.toml", f'[slack]\napi_url = "{attacker.url}/api/"\nenabled = true\nmax_retries = 0\n')
        repo.commit()
        run = scan(
            repo.root,
            tmp_path / "out",
            tmp_path / "cache",
            "--no-ai",
            env={"SLACK_BOT_TOKEN": canaries.slack, "SLACK_CHANNEL": "C1", "OPENAI_API_KEY": canaries.openai},
        )
    assert attacker.requests == [], [r.path for r in attacker.requests]
    assert run.code == 1
    assert "slack.api_url" in " ".join(run.report["warnings"])


def test_repository_ai_settings_are_ignored(tmp_path: Path) -> None:
    canaries = make_canaries()
    repo = hostile_repo(tmp_path / "repo")
    repo.write(
        "secscan.toml",
        '[ai]\nmodel = "o1-pro"\nmax_completion_tokens = 100000\nprompt_budget_tokens = 400000\n'
        'max_retries = 10\n[ai.prices."o1-pro"]\n'
        "prompt_per_million = 0\ncompletion_per_million = 0\n",
    )
    repo.commit()
    with OpenAIServer() as server:
        run = scan(
            repo.root,
            tmp_path / "out",
            tmp_path / "cache",
            "--no-slack",
            env={"OPENAI_API_KEY": canaries.openai, "OPENAI_BASE_URL": server.url},
        )
        bodies = [json.loads(r.raw) for r in server.requests]
    assert bodies, run.stderr
    for body in bodies:
        assert body["model"] != "o1-pro"
        assert body.get("max_completion_tokens", body.get("max_tokens")) <= 4096
    assert "ai.max_completion_tokens" in " ".join(run.report["warnings"])


def test_repository_trivy_db_repository_is_ignored(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path / "repo")
    repo.write(
        "secscan.toml",
        '[scan]\ntrivy_db_repositories = ["127.0.0.1:9/attacker/trivy-db:2"]\nlayers = ["gitleaks"]\ntimeout_s = 1\n',
    )
    repo.commit()
    run = scan(repo.root, tmp_path / "out", tmp_path / "cache")
    warnings = " ".join(run.report["warnings"])
    assert "scan.trivy_db_repositories" in warnings and "scan.timeout_s" in warnings
    assert run.code == 1
