"""`secscan scan --since REF`: a change on top of the planted repository, with the real scanners."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from canaries import github_pat
from conftest import require_scanners
from planted_repo import APP_PY, EVAL_LINE, PlantedRepo, build, git

pytestmark = [pytest.mark.scanners, pytest.mark.slow]

VIEWS_PY = """\
import pickle


def load(blob: bytes):
    return pickle.loads(blob)


def run(expression: str):
    return eval(expression)
"""
APP_EXTRA = "\n\ndef again(expression: str):\n    return eval(expression)\n"


class Change:
    def __init__(self, planted: PlantedRepo, root: Path) -> None:
        self.planted = planted
        self.root = root
        self.secret = github_pat()

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SLACK_", "GITHUB_", "CI_", "CHANGE_"))
        }
        env["TRIVY_CACHE_DIR"] = str(self.planted.trivy_cache)
        return {**env, **extra}

    def scan(
        self, *args: str, env: dict[str, str] | None = None
    ) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
        out = self.root / f"out-{len(list(self.root.glob('out-*')))}"
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "secscan",
                "scan",
                str(self.planted.path),
                "--out",
                str(out),
                "--no-ai",
                "--no-slack",
                *args,
            ],
            capture_output=True,
            text=True,
            check=False,
            env=env or self.env(),
            timeout=600,
        )
        report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else {}
        return completed, report


@pytest.fixture(scope="module")
def change(tmp_path_factory: pytest.TempPathFactory) -> Change:
    """main = the planted repository; `feature` adds a secret and removes it again, adds a file
    with two SAST findings and one more eval() at the end of app.py (whose findings are old)."""
    require_scanners("gitleaks", "semgrep", "trivy")
    root = tmp_path_factory.mktemp("since")
    planted = build(root)
    change = Change(planted, root)
    repo = planted.path
    git(repo, "checkout", "-qb", "feature")
    (repo / "tokens.py").write_text(f'GITHUB_TOKEN = "{change.secret.value}"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "add a token")
    (repo / "tokens.py").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "remove the token again")
    (repo / "views.py").write_text(VIEWS_PY)
    (repo / "app.py").write_text(APP_PY + APP_EXTRA)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "views")
    return change


def _by(report: dict[str, Any], **match: Any) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if all(f.get(k) == v for k, v in match.items())]


@pytest.fixture(scope="module")
def since_run(change: Change) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    return change.scan("--since", "main")


def test_secret_added_and_removed_inside_the_range_is_new(since_run: tuple[Any, dict[str, Any]]) -> None:
    completed, report = since_run
    assert completed.returncode == 1, completed.stderr
    found = _by(report, path="tokens.py", category="secret")
    assert len(found) == 1 and found[0]["status"] == "new" and found[0]["in_head"] is False, found
    # the base's secrets are not in the range: gitleaks does not walk the base's history
    gitleaks_paths = {f["path"] for f in report["findings"] if "gitleaks" in f["scanners"]}
    assert gitleaks_paths == {"tokens.py"}, gitleaks_paths


def test_sast_in_changed_files_new_and_old_lines_existing(since_run: tuple[Any, dict[str, Any]]) -> None:
    _, report = since_run
    views = _by(report, path="views.py", scanner="semgrep")
    assert views and all(f["status"] == "new" for f in views), views
    app = _by(report, path="app.py", scanner="semgrep")
    new_app = [f for f in app if f["status"] == "new"]
    added_eval = (APP_PY + APP_EXTRA).splitlines().index("    return eval(expression)") + 1
    assert [f["line"] for f in new_app] == [added_eval], app  # the added eval(), nothing else
    assert any(f["status"] == "existing" and f["line"] == EVAL_LINE for f in app), app
    # semgrep saw only the changed files
    assert {f["path"] for f in report["findings"] if f["scanner"] == "semgrep"} <= {"views.py", "app.py"}


def test_base_findings_are_existing_and_do_not_fail_the_gate(since_run: tuple[Any, dict[str, Any]]) -> None:
    _, report = since_run
    trivy = [f for f in report["findings"] if f["layer"] == "trivy"]
    assert trivy and all(f["status"] == "existing" for f in trivy), [(f["path"], f["status"]) for f in trivy]
    assert report["diff"]["new"] == report["counts"]["status"]["new"] > 0
    assert report["diff"]["existing"] == report["counts"]["status"]["existing"] > 0
    assert (
        report["diff"]["summary"]
        == f"{report['diff']['new']} new in this change, {report['diff']['existing']} already on the base"
    )
    # reasons name only new findings: the base's vulnerabilities and misconfigurations are not among them
    assert not any(r.startswith(("vulnerability:", "misconfiguration:")) for r in report["reasons"]), report["reasons"]
    assert any(r.startswith("secret:") for r in report["reasons"]) and any(
        r.startswith("code:") for r in report["reasons"]
    )
    scopes = {layer["name"]: layer["scope"] for layer in report["layers"]}
    assert scopes["semgrep"] == "2 changed file(s)" and scopes["gitleaks"].startswith("commits ")
    assert scopes.get("trivy")


def test_no_new_findings_passes_even_with_old_ones(change: Change) -> None:
    """A change that brings nothing new passes, though the base is full of findings;
    with policy.fail_on_existing the same scan fails."""
    repo = change.planted.path
    git(repo, "checkout", "-qb", "harmless", "main")
    (repo / "README.md").write_text("docs only\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "docs")
    try:
        completed, report = change.scan("--since", "main")
        assert completed.returncode == 0, (completed.stderr, report.get("reasons"))
        assert report["diff"]["new"] == 0 and report["diff"]["existing"] > 0
        config = change.root / "strict.toml"
        config.write_text("[policy]\nfail_on_existing = true\n")
        completed, report = change.scan("--since", "main", "--config", str(config))
        assert completed.returncode == 1 and report["reasons"]
    finally:
        git(repo, "checkout", "-q", "feature")


def test_since_auto_reads_the_ci_base(change: Change) -> None:
    event = change.root / "event.json"
    main_sha = git(change.planted.path, "rev-parse", "main")
    event.write_text(json.dumps({"pull_request": {"base": {"sha": main_sha}}}))
    completed, report = change.scan("--since", "auto", env=change.env(GITHUB_EVENT_PATH=str(event)))
    assert report["diff"]["merge_base"] == main_sha, completed.stderr
    completed, report = change.scan("--since", "auto", "--layers", "gitleaks")
    assert report["diff"] is None and any("no pull/merge request base" in w for w in report["warnings"])


@pytest.mark.parametrize("ref", ["--output=/tmp/x", "-p", "main..feature", "main feature", "no-such-branch", ""])
def test_bad_refs_are_usage_errors(change: Change, ref: str) -> None:
    completed, report = change.scan(f"--since={ref}", "--layers", "gitleaks")
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.startswith("secscan: --since") and not report


def test_since_through_the_container_executor_gives_the_same_report(
    change: Change, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Dagger module's path (every command, git included, as a container plan) gives the
    same diff-aware report as the local one."""
    import anyio

    from secscan.pipeline import Options, scan
    from secscan.scanners.containers import ContainerExecutor
    from support.container_interpreter import run_locally

    monkeypatch.setenv("TRIVY_CACHE_DIR", str(change.planted.trivy_cache))
    for name in ("OPENAI_API_KEY", "SLACK_WEBHOOK_URL", "SLACK_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    reports = []
    for name, executor in (("local", None), ("containers", ContainerExecutor(run_locally))):
        out = change.root / f"executor-{name}"
        options = Options(out_dir=out, no_ai=True, no_slack=True, no_cache=True, since="main", executor=executor)
        anyio.run(scan, change.planted.path, options)
        reports.append(json.loads((out / "report.json").read_text()))

    def comparable(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: comparable(v) for k, v in value.items() if k not in ("generated_at", "duration_s")}
        if isinstance(value, list):
            return [comparable(v) for v in value]
        return value

    local, containers = reports
    assert local["diff"] and local["diff"]["new"] > 0
    assert comparable(local) == comparable(containers)
