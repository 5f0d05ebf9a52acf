"""Bad input at the edges: what users and repositories throw at secscan.

Bad arguments and bad files (no scanner needs to run): a path that does not exist, one too
long for the OS, a directory where a file is expected, a file where an image is expected, an
invalid config. Each is exit 2 with one line on stderr and nothing half-written (the --out
folder is not created, or an existing one is left exactly as it was) — except a broken image,
which is the trivy-image layer's error (exit 1).

Hostile content (the real scanners, one scan each): a folder with a 50 MB file, a binary
file, symlink loops (a link to itself, two links to each other, a directory link to its
parent), a dangling link, a FIFO (a file that blocks whoever reads it), files whose names are
not UTF-8 — scanned as a plain folder (every scanner walks the file system) and as a git
repository (history). The scan completes, every layer is ok, findings past the hostile files
are still found, and every output is valid UTF-8.

Unreadable files: the suite runs as root, for whom chmod 000 stops nothing, so the unreadable
input is a directory given where a file is expected, a FIFO, and (only when not root) a
chmod-000 file.
"""

from __future__ import annotations

import json
import os
import secrets
import string
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from canaries import github_pat, gitlab_pat
from fakes import ENV_VAR, with_findings
from planted_repo import ADVISORIES
from reliability_support import (
    Run,
    assert_no_traceback,
    assert_one_line,
    assert_outputs_written,
    base_env,
    git,
    real_binary,
    real_scanner_env,
    require_real,
    secscan,
)
from support.trivy_db import write_trivy_db

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
TOO_LONG = "x" * 5_000  # longer than any file name the OS accepts (NAME_MAX 255, PATH_MAX 4096)
NOT_UTF8 = os.fsdecode(b"caf\xe9")  # a name whose bytes are not UTF-8 (Latin-1 "café")


def fakes_env(root: Path) -> dict[str, str]:
    return base_env(
        TRIVY_CACHE_DIR=str(root / "trivy-cache"),
        **{ENV_VAR[tool]: str(with_findings(root / "bin" / tool, tool)) for tool in ("gitleaks", "semgrep", "trivy")},
    )


def project(root: Path) -> Path:
    target = root / "project"
    target.mkdir(parents=True)
    (target / "app.py").write_text("import sys\nresult = eval(sys.argv[1])\n")
    return target


def assert_usage_error(run: Run, *words: str) -> str:
    assert_no_traceback(run)
    assert run.code == 2, (run.code, run.stderr)
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("secscan: ")
    for word in words:
        assert word.lower() in lines[0].lower(), f"{word!r} not in {lines[0]!r}"
    assert run.stdout == ""
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes] | None:
    if not folder.exists():
        return None
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- paths that do not exist, or cannot ------------------------------------------------------------


def test_scan_path_that_does_not_exist(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = secscan("scan", tmp_path / "no-such-dir", "--no-ai", "--no-slack", env=fakes_env(tmp_path), out=out)
    assert_usage_error(run, "no-such-dir")
    assert not out.exists()


def test_report_input_that_does_not_exist(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = secscan("report", "--semgrep", tmp_path / "gone.json", "--no-ai", env=base_env(), out=out)
    assert_usage_error(run, "--semgrep", "gone.json", "no such file")
    assert not out.exists()


@pytest.mark.parametrize("where", ["PATH", "--config", "--out", "--image", "--baseline"])
def test_path_too_long_for_the_os(tmp_path: Path, where: str) -> None:
    """ENAMETOOLONG is bad usage (exit 2, one line), not a crash."""
    target = project(tmp_path)
    out = tmp_path / "out"
    long_path = tmp_path / TOO_LONG
    args: list[Any] = ["scan", long_path if where == "PATH" else target, "--no-ai", "--no-slack"]
    if where not in ("PATH", "--out"):
        args += [where, long_path]
    run = secscan(*args, env=fakes_env(tmp_path), out=long_path if where == "--out" else out)
    message = assert_usage_error(run)
    assert "too long" in message.lower() or "no such file" in message.lower(), message[:300]
    assert not out.exists()


@pytest.mark.parametrize("option", ["--config", "--baseline", "report --trivy", "report --semgrep"])
def test_directory_where_a_file_is_expected(tmp_path: Path, option: str) -> None:
    """A directory cannot be read as a file: the root-proof way to hand secscan an unreadable input."""
    target = project(tmp_path)
    folder = tmp_path / "a-directory"
    folder.mkdir()
    out = tmp_path / "out"
    if option.startswith("report"):
        run = secscan("report", option.split()[1], folder, "--no-ai", "--no-slack", env=base_env(), out=out)
    else:
        run = secscan("scan", target, option, folder, "--no-ai", "--no-slack", env=fakes_env(tmp_path), out=out)
    message = assert_usage_error(run, option.split()[-1], "a-directory")
    assert any(word in message.lower() for word in ("directory", "no such file", "cannot read")), message
    assert not out.exists()


@pytest.mark.skipif(
    IS_ROOT, reason="running as root: chmod 000 does not stop root from reading (see the FIFO and directory cases)"
)
def test_unreadable_config_file(tmp_path: Path) -> None:
    target = project(tmp_path)
    config = tmp_path / "secscan.toml"
    config.write_text("[policy]\ncode = 'high'\n")
    config.chmod(0)
    out = tmp_path / "out"
    run = secscan("scan", target, "--config", config, "--no-ai", "--no-slack", env=fakes_env(tmp_path), out=out)
    assert_usage_error(run, "cannot read")
    assert not out.exists()


def test_image_that_is_not_an_image(tmp_path: Path) -> None:
    """A text file given as --image is the trivy-image layer's error (one line), not a crash."""
    require_real("trivy")
    target = project(tmp_path)
    image = tmp_path / "image.tar"
    image.write_text("this is not a docker save tarball\n")
    env = fakes_env(tmp_path)
    env[ENV_VAR["trivy"]] = str(real_binary("trivy"))
    run = secscan(
        "scan",
        target,
        "--layers",
        "semgrep,trivy-image",
        "--image",
        image,
        "--no-ai",
        "--no-slack",
        env=env,
        out=tmp_path / "out",
    )
    assert_no_traceback(run)
    assert run.code == 1, run.stderr
    assert run.out is not None
    assert_outputs_written(run.out)
    entry = run.layer("trivy-image")
    assert entry["status"] == "error"
    assert_one_line(entry["error"]).startswith("trivy-image")
    assert run.layer("semgrep")["status"] == "ok" and run.findings(layer="semgrep")


# --- invalid config: exit 2, nothing half-written ------------------------------------------------

BAD_CONFIGS = {
    "not-toml": ("[policy\ncode = 'high'\n", "not valid TOML"),
    "unknown-key": ("[scan]\nlayer = ['semgrep']\n", "scan.layer"),
    "wrong-type": ("[scan]\ntimeout_s = 'soon'\n", "scan.timeout_s"),
    "infinite-timeout": ("[scan]\ntimeout_s = inf\n", "scan.timeout_s"),
    "nan-layer-timeout": ("[scan.timeouts]\ntrivy = nan\n", "scan.timeouts.trivy"),
    "no-layers": ("[scan]\nlayers = []\n", "scan.layers"),
    "bad-severity": ("[policy]\nsecret = 'loud'\n", "policy.secret"),
    "suppressions-file-missing": ("suppressions_file = 'nope.toml'\n", "nope.toml"),
    "suppressions-file-nul": ('suppressions_file = "a\\u0000b.toml"\n', "suppressions file"),
    "not-utf8": (b"[policy]\ncode = '\xff\xfe'\n", "not valid TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
@pytest.mark.parametrize("out_state", ["absent", "existing"])
def test_invalid_config(tmp_path: Path, case: str, out_state: str) -> None:
    text, words = BAD_CONFIGS[case]
    target = project(tmp_path)
    config = tmp_path / "secscan.toml"
    config.write_bytes(text if isinstance(text, bytes) else text.encode())
    out = tmp_path / "out"
    if out_state == "existing":  # an earlier run's outputs must survive untouched
        (out / "raw").mkdir(parents=True)
        (out / "report.json").write_text('{"verdict": "pass"}\n')
        (out / "raw" / "semgrep.json").write_text("{}\n")
    before = snapshot(out)
    run = secscan("scan", target, "--config", config, "--no-ai", "--no-slack", env=fakes_env(tmp_path), out=out)
    assert_usage_error(run, words)
    assert snapshot(out) == before


# --- a folder whose own name is not UTF-8 (fakes: it is secscan's handling that matters) -------------


@pytest.mark.parametrize("output", ["files", "--json"])
def test_target_folder_name_not_utf8(tmp_path: Path, output: str) -> None:
    target = tmp_path / NOT_UTF8
    target.mkdir()
    (target / "app.py").write_text("import sys\nresult = eval(sys.argv[1])\n")
    out = tmp_path / "out"
    args: list[Any] = ["scan", target, "--no-ai", "--no-slack"] + (["--json"] if output == "--json" else [])
    run = secscan(*args, env=fakes_env(tmp_path), out=out)
    assert_no_traceback(run)
    assert run.code == 1, run.stderr
    assert_outputs_written(out)
    for path in out.rglob("*"):
        if path.is_file():
            path.read_bytes().decode("utf-8")  # strict: every output is valid UTF-8
    report = json.loads((out / "report.json").read_bytes())
    assert report["target"]["repository"] == "caf\ufffd"
    assert not report["warnings"] or not any("not written" in w for w in report["warnings"]), report["warnings"]
    if output == "--json":
        assert json.loads(run.stdout)["target"]["repository"] == "caf\ufffd"


# --- hostile repository content (real scanners) ---------------------------------------------------------


@dataclass
class HostileScan:
    root: Path
    run: Run
    seconds: float
    secrets: dict[str, str]


def hostile_tree(root: Path) -> dict[str, str]:
    """Write the hostile files into root; return {relative path (as the scanners show it): secret}."""
    planted = {"after-huge.env": gitlab_pat().value, f"{NOT_UTF8}.env": github_pat().value}
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("import sys\n\n\ndef calc(expression):\n    return eval(expression)\n")
    (root / f"src/{NOT_UTF8}_eval.py").write_text("def calc(expression):\n    return eval(expression)\n")
    (root / f"{NOT_UTF8}.env").write_text(f"GITHUB_TOKEN={planted[f'{NOT_UTF8}.env']}\n")
    line = "lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt\n"
    with (root / "huge.txt").open("w") as handle:
        handle.write(line * (50 * 1024 * 1024 // len(line) + 1))
    (root / "after-huge.env").write_text(f"GITLAB_TOKEN={planted['after-huge.env']}\n")
    (root / "blob.bin").write_bytes(secrets.token_bytes(8192) + b"\x00" * 512 + b"\xff\xfe" * 100)
    os.symlink("loop", root / "loop")
    os.symlink("b_link", root / "a_link")
    os.symlink("a_link", root / "b_link")
    (root / "dir").mkdir()
    os.symlink("..", root / "dir" / "up")
    os.symlink("/nonexistent/secscan/target", root / "dangling")
    return {path.replace(NOT_UTF8, "caf\ufffd"): value for path, value in planted.items()}


def specials(root: Path) -> None:
    """What git cannot hold: a FIFO, and (not as root) a file nobody may read."""
    os.mkfifo(root / "fifo")
    if not IS_ROOT:
        (root / "locked.env").write_text("PASSWORD=" + "".join(secrets.choice(string.ascii_letters) for _ in range(20)))
        (root / "locked.env").chmod(0)


def scan_hostile(root: Path, target: Path, *extra: str) -> HostileScan:
    cache = root / "trivy-cache"
    write_trivy_db(cache, ADVISORIES)
    config = root / "secscan.toml"
    config.write_text("[scan]\ntimeout_s = 300\n")  # a hang would be a layer error, not a stuck test
    started = time.monotonic()
    run = secscan(
        "scan",
        target,
        "--config",
        config,
        "--no-ai",
        "--no-slack",
        *extra,
        env=real_scanner_env(cache),
        out=root / "out",
        timeout=900,
    )
    return HostileScan(root, run, time.monotonic() - started, {})


@pytest.fixture(scope="module")
def folder_scan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileScan]:
    """A plain folder: gitleaks, semgrep and trivy all walk the file system themselves."""
    require_real("gitleaks", "semgrep", "trivy")
    root = tmp_path_factory.mktemp("hostile-folder")
    target = root / "folder"
    planted = hostile_tree(target)
    specials(target)
    scan = scan_hostile(root, target)
    scan.secrets = planted
    yield scan


@pytest.fixture(scope="module")
def repo_scan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileScan]:
    """The same content committed to git: gitleaks reads it from history (semgrep is the same either way)."""
    require_real("gitleaks", "trivy")
    root = tmp_path_factory.mktemp("hostile-repo")
    target = root / "repo"
    planted = hostile_tree(target)
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-qm", "hostile content")
    specials(target)
    scan = scan_hostile(root, target, "--layers", "gitleaks,trivy")
    scan.secrets = planted
    yield scan


def _common(scan: HostileScan, layers: set[str]) -> dict[str, Any]:
    run = scan.run
    assert_no_traceback(run)
    assert run.code == 1, run.stderr
    assert run.out is not None
    assert_outputs_written(run.out)
    report = run.report
    statuses = {entry["name"]: (entry["status"], entry["error"]) for entry in report["layers"]}
    if not IS_ROOT:  # a scanner may refuse the chmod-000 file: fail closed, naming it
        statuses = {
            name: ("ok", None) if status == "error" and error and "locked.env" in error else (status, error)
            for name, (status, error) in statuses.items()
        }
    assert statuses == dict.fromkeys(layers, ("ok", None))
    for path in run.out.rglob("*"):
        if path.is_file():
            path.read_bytes().decode("utf-8")  # strict
    return report


def test_hostile_folder_scan_completes(folder_scan: HostileScan) -> None:
    report = _common(folder_scan, {"gitleaks", "semgrep", "trivy"})
    assert folder_scan.seconds < 600
    # findings beyond the hostile files are still found
    assert folder_scan.run.findings(rule_id="python-eval-exec-injection", path="src/app.py")
    assert (folder_scan.root / "folder" / "fifo").exists()  # the FIFO was there and nobody hung on it
    assert report["verdict"] == "fail"


def test_hostile_repo_scan_completes(repo_scan: HostileScan) -> None:
    _common(repo_scan, {"gitleaks", "trivy"})
    assert repo_scan.seconds < 600


@pytest.mark.parametrize("fixture", ["folder_scan", "repo_scan"])
def test_secrets_next_to_hostile_files_are_found_once(request: pytest.FixtureRequest, fixture: str) -> None:
    """The secret behind the 50 MB file and the one in a file named in Latin-1: found, once, live."""
    scan: HostileScan = request.getfixturevalue(fixture)
    for path in scan.secrets:
        found = scan.run.findings(category="secret", path=path)
        assert len(found) == 1, (path, [(f["path"], f["scanners"], f["line"]) for f in scan.run.report["findings"]])
        assert found[0]["in_head"] is not False, f"{path} is in the current files, not only in history"
        assert not found[0]["path"].startswith("/"), "paths are relative to the scanned folder"


def test_paths_are_relative_and_valid(folder_scan: HostileScan) -> None:
    for finding in folder_scan.run.report["findings"]:
        assert finding["path"] is None or not finding["path"].startswith("/"), finding


def test_file_names_that_are_not_utf8_are_reported(folder_scan: HostileScan) -> None:
    """semgrep cannot open them: a warning says so instead of a silent "nothing found"."""
    warnings = folder_scan.run.report["warnings"]
    assert any("semgrep" in w and "not valid UTF-8" in w for w in warnings), warnings


def test_no_planted_secret_in_the_outputs(folder_scan: HostileScan, repo_scan: HostileScan) -> None:
    for scan in (folder_scan, repo_scan):
        assert scan.run.out is not None
        texts = [scan.run.stdout, scan.run.stderr] + [
            p.read_text(errors="replace") for p in scan.run.out.rglob("*") if p.is_file()
        ]
        for value in scan.secrets.values():
            assert not any(value[4:20] in text for text in texts)


@pytest.mark.skipif(IS_ROOT, reason="running as root: chmod 000 does not stop root from reading")
def test_unreadable_file_in_the_folder(folder_scan: HostileScan) -> None:
    """An unreadable file fails closed or is skipped: never a crash (checked above), never a hang."""
    assert (folder_scan.root / "folder" / "locked.env").exists()
    assert folder_scan.seconds < 600
