"""Every way a layer can fail, and every way a user can hold secscan wrong.

A failing layer must give `status: error` with a one-line, actionable message naming
the layer, fail the gate (exit 1) unless the policy makes the layer optional, and
leave the other layers' findings in report.json. Bad usage or config exits 2 with
one line on stderr and writes nothing.

Scanners are fakes (tests/fakes.py) selected with SECSCAN_<TOOL>, except where the
real binary is the point (trivy without a vulnerability DB).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import signal
import string
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from fakes import (
    ENV_VAR,
    GITLEAKS_FINDING,
    clean,
    fake_scanner,
    gitleaks_report,
    process_alive,
    recorded_calls,
    semgrep_report,
    semgrep_result,
    trivy_report,
    trivy_vulnerability,
    with_findings,
)
from secscan import catalog, cli

TOOLS = catalog.scanner_names()
OTHER = {tool: tuple(t for t in TOOLS if t != tool) for tool in TOOLS}


# --- harness ---------------------------------------------------------------------------


class Workspace:
    """A folder to scan, an --out folder, and one fake per scanner (all reporting a finding)."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        self.root = root
        self.target = root / "project"
        self.out = root / "out"
        self.bin = root / "bin"
        self.records = root / "records"
        self.records.mkdir()
        self._monkeypatch = monkeypatch
        self._capsys = capsys
        self.target.mkdir()
        (self.target / "settings.py").write_text("import os\n\napi_key = os.environ['API_KEY']\n")
        (self.target / "app.py").write_text("import sys\nresult = eval(sys.argv[1])\n")
        (self.target / "requirements.txt").write_text("requests==2.19.0\n")
        for tool in TOOLS:
            self.use(tool, with_findings(self.bin / f"{tool}-findings", tool, record=self.record(tool)))

    def record(self, tool: str) -> Path:
        return self.records / f"{tool}.calls"

    def use(self, tool: str, binary: Path | str) -> None:
        self._monkeypatch.setenv(ENV_VAR[tool], str(binary))

    def fake(self, tool: str, variant: str, **kwargs: Any) -> Path:
        """Install a fake `tool` built with fakes.fake_scanner(**kwargs)."""
        kwargs.setdefault("record", self.record(tool))
        path = fake_scanner(self.bin / f"{tool}-{variant}", tool, **kwargs)
        self.use(tool, path)
        return path

    def config(self, text: str) -> None:
        """Operator config (`--config`): settings such as timeouts a repository may not set."""
        self.operator_config.parent.mkdir(exist_ok=True)
        self.operator_config.write_text(text)

    @property
    def operator_config(self) -> Path:
        return self.root / "operator" / "secscan.toml"

    def cli(self, *argv: str) -> tuple[int, str, str]:
        """Run `secscan ARGV`; (exit code, stdout, stderr)."""
        self._capsys.readouterr()
        try:
            code = cli.main(list(argv))
        except SystemExit as exc:  # argparse errors exit from inside main
            code = exc.code if isinstance(exc.code, int) else 2
        captured = self._capsys.readouterr()
        return code, captured.out, captured.err

    def scan(self, *extra: str) -> tuple[int, str, dict[str, Any] | None]:
        config = (
            ["--config", str(self.operator_config)]
            if self.operator_config.is_file() and "--config" not in extra
            else []
        )
        code, _, err = self.cli(
            "scan", str(self.target), "--out", str(self.out), "--no-ai", "--no-slack", *config, *extra
        )
        return code, err, self.report()

    def report(self) -> dict[str, Any] | None:
        path = self.out / "report.json"
        return json.loads(path.read_text()) if path.exists() else None


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Workspace:
    for variable in list(os.environ):
        if variable.startswith(("OPENAI_", "SLACK_", "SECSCAN_", "GITHUB_", "CI_")) or variable == "TRIVY_CACHE_DIR":
            monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("TRIVY_CACHE_DIR", str(tmp_path / "trivy-cache"))
    return Workspace(tmp_path, monkeypatch, capsys)


def layer(report: dict[str, Any], name: str) -> dict[str, Any]:
    found = [entry for entry in report["layers"] if entry["name"] == name]
    assert len(found) == 1, report["layers"]
    return found[0]


def assert_one_line(message: str) -> None:
    assert message.strip(), "empty message"
    assert "\n" not in message and "\r" not in message, repr(message)
    assert "Traceback" not in message and 'File "' not in message, message
    assert not message.rstrip().endswith(":"), f"message ends without saying what went wrong: {message!r}"


def assert_layer_failed(code: int, report: dict[str, Any] | None, tool: str, *words: str) -> str:
    """The layer errored with a usable message, the gate failed, exit 1, other layers' findings kept."""
    assert report is not None, "no report.json written"
    entry = layer(report, tool)
    assert entry["status"] == "error", entry
    message = entry["error"]
    assert isinstance(message, str)
    assert_one_line(message)
    assert tool in message.lower(), f"the message does not name the layer: {message!r}"
    for word in words:
        assert word.lower() in message.lower(), f"{word!r} not in {message!r}"
    assert report["verdict"] == "fail"
    assert any(reason.startswith(f"layer {tool} failed") for reason in report["reasons"]), report["reasons"]
    assert code == 1
    assert_others_survived(report, tool)
    return message


def assert_others_survived(report: dict[str, Any], tool: str) -> None:
    for other in OTHER[tool]:
        assert layer(report, other)["status"] == "ok", layer(report, other)
        assert any(f["layer"] == other for f in report["findings"]), f"{other} findings lost: {report['findings']}"


# --- binary problems ----------------------------------------------------------------------


@pytest.mark.parametrize("tool", TOOLS)
def test_binary_missing(ws: Workspace, tool: str) -> None:
    ws.use(tool, ws.root / "nowhere" / tool)
    code, _, report = ws.scan()
    message = assert_layer_failed(code, report, tool, "no such file", ENV_VAR[tool])
    assert str(ws.root / "nowhere" / tool) in message


@pytest.mark.parametrize("tool", TOOLS)
def test_binary_not_executable(ws: Workspace, tool: str) -> None:
    path = ws.fake(tool, "noexec")
    path.chmod(0o644)
    code, _, report = ws.scan()
    assert_layer_failed(code, report, tool, "not executable")


@pytest.mark.parametrize("tool", TOOLS)
def test_binary_that_is_not_the_scanner(ws: Workspace, tool: str) -> None:
    """SECSCAN_<TOOL> names something that does not answer the version probe: no fall-back to PATH."""
    ws.fake(tool, "wrong", version=None, version_exit=127, version_stderr="exec format error\n")
    code, _, report = ws.scan()
    assert_layer_failed(code, report, tool, "does not run")
    assert report is not None
    assert not any(f["layer"] == tool for f in report["findings"]), "a binary that failed the probe was believed"
    if tool != "semgrep":
        assert recorded_calls(ws.record(tool)) == []
    # semgrep is not probed before its scan (a Python start-up, ~3 s, on the critical path):
    # its report names its version. The scan of a binary that is not semgrep fails, and the
    # probe run then names the cause.


@pytest.mark.parametrize("tool", TOOLS)
def test_layer_version(ws: Workspace, tool: str) -> None:
    """gitleaks and trivy report the version their probe printed; semgrep the one its JSON names."""
    ws.fake(
        tool,
        "versioned",
        version={"gitleaks": "8.30.7\n", "semgrep": "1.185.3\n", "trivy": "Version: 0.74.9\n"}[tool],
        report={"gitleaks": [], "semgrep": {**semgrep_report(), "version": "1.185.4"}, "trivy": trivy_report()}[tool],
    )
    _, _, report = ws.scan()
    assert report is not None
    assert layer(report, tool)["version"] == {"gitleaks": "8.30.7", "semgrep": "1.185.4", "trivy": "0.74.9"}[tool]


def test_semgrep_report_without_a_version_is_probed(ws: Workspace) -> None:
    document = semgrep_report()
    del document["version"]
    ws.fake("semgrep", "unversioned", version="1.185.3\n", report=document)
    _, _, report = ws.scan()
    assert report is not None
    assert layer(report, "semgrep") == {**layer(report, "semgrep"), "status": "ok", "version": "1.185.3"}


@pytest.mark.parametrize("tool", TOOLS)
def test_relative_binary_path_works(ws: Workspace, tool: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """SECSCAN_<TOOL>=bin/x is relative to where secscan starts, not to where a layer runs the tool."""
    path = ws.fake(
        tool, "relative", report={"gitleaks": [], "semgrep": semgrep_report(), "trivy": trivy_report()}[tool]
    )
    monkeypatch.chdir(ws.root)
    ws.use(tool, path.relative_to(ws.root))
    _, _, report = ws.scan()
    assert report is not None
    assert layer(report, tool)["status"] == "ok", layer(report, tool)
    assert recorded_calls(ws.record(tool))


# --- scanner runs and fails ---------------------------------------------------------------


@pytest.mark.parametrize("tool", TOOLS)
def test_crash_with_no_output(ws: Workspace, tool: str) -> None:
    ws.fake(tool, "segv", signal=signal.SIGSEGV)
    code, _, report = ws.scan()
    message = assert_layer_failed(code, report, tool)
    assert "SIGSEGV" in message or "signal" in message.lower(), message


@pytest.mark.parametrize("tool", TOOLS)
def test_exit_failure_with_no_output(ws: Workspace, tool: str) -> None:
    ws.fake(tool, "exit3", exit_code=3)
    code, _, report = ws.scan()
    message = assert_layer_failed(code, report, tool, "exit 3")
    assert "no error output" in message or "no report" in message, message


@pytest.mark.parametrize("tool", TOOLS)
def test_failure_names_the_scanners_own_error(ws: Workspace, tool: str) -> None:
    ws.fake(
        tool,
        "stderr",
        exit_code=1,
        stderr="starting...\nloading rules\nFATAL: cannot open /proc/self/mountinfo: permission denied\ncleanup done\n",
    )
    code, _, report = ws.scan()
    assert_layer_failed(code, report, tool, "cannot open /proc/self/mountinfo")


@pytest.mark.parametrize("tool", TOOLS)
def test_exit_zero_but_no_report(ws: Workspace, tool: str) -> None:
    ws.fake(tool, "silent")
    code, _, report = ws.scan()
    assert_layer_failed(code, report, tool, "no report")


@pytest.mark.parametrize("tool", TOOLS)
def test_garbage_output(ws: Workspace, tool: str) -> None:
    garbage = "<html><body>502 Bad Gateway</body></html>\n"
    ws.fake(tool, "garbage", report=garbage, stdout=garbage)
    code, _, report = ws.scan()
    assert_layer_failed(code, report, tool, "not JSON")


@pytest.mark.parametrize("tool", TOOLS)
def test_wrong_json_shape(ws: Workspace, tool: str) -> None:
    ws.fake(tool, "shape", report={"gitleaks": {"findings": []}, "semgrep": [], "trivy": []}[tool])
    code, _, report = ws.scan()
    assert_layer_failed(code, report, tool)


@pytest.mark.parametrize("tool", TOOLS)
def test_hang_is_killed_at_the_timeout(ws: Workspace, tool: str) -> None:
    pidfile = ws.root / f"{tool}.pids"
    ws.fake(tool, "hang", sleep=300, pidfile=pidfile, spawn_child=True)
    ws.config(f"[scan.timeouts]\n{tool} = 2\n")
    started = time.monotonic()
    code, _, report = ws.scan()
    elapsed = time.monotonic() - started
    assert elapsed < 30, f"the scan took {elapsed:.0f}s: the timeout did not stop the hung {tool}"
    message = assert_layer_failed(code, report, tool, "timed out", "2s")
    assert "timeout" in message  # says what to raise
    pids = [int(p) for p in pidfile.read_text().split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 5
    while any(process_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(process_alive(p) for p in pids), f"{tool} (or its child) still runs after the timeout"


def test_trivy_image_layer_failure_names_its_layer(ws: Workspace) -> None:
    image = ws.root / "image.tar"
    image.write_bytes(b"not really an image")
    ws.fake("trivy", "segv", signal=signal.SIGSEGV)
    code, _, report = ws.scan("--layers", "gitleaks,semgrep,trivy-image", "--image", str(image))
    assert report is not None
    message = layer(report, "trivy-image")["error"]
    assert_one_line(message)
    assert message.startswith("trivy-image"), message
    assert code == 1 and any(r.startswith("layer trivy-image failed") for r in report["reasons"])
    assert report["target"]["image"] == str(image)
    for other in ("gitleaks", "semgrep"):
        assert any(f["layer"] == other for f in report["findings"])


@pytest.mark.parametrize("tool", TOOLS)
def test_hang_in_the_version_probe_is_bounded_by_the_timeout(ws: Workspace, tool: str) -> None:
    ws.fake(tool, "hang-version", version_sleep=300)
    ws.config(f"[scan.timeouts]\n{tool} = 2\n")
    started = time.monotonic()
    code, _, report = ws.scan()
    assert time.monotonic() - started < 30
    assert_layer_failed(code, report, tool, "timed out")


def test_timeout_s_applies_to_every_layer(ws: Workspace) -> None:
    ws.fake("semgrep", "hang", sleep=300)
    ws.config("[scan]\ntimeout_s = 2\n")
    started = time.monotonic()
    code, _, report = ws.scan()
    assert time.monotonic() - started < 30
    assert_layer_failed(code, report, "semgrep", "timed out")


@pytest.mark.parametrize("timeout, flag", [(0.5, "1s"), (1.5, "2s"), (900, "900s")])
def test_trivy_timeout_flag_never_zero(tmp_path: Path, timeout: float, flag: str) -> None:
    """A sub-second timeout must not become trivy's `--timeout 0s` (an immediate deadline)."""
    from secscan.config import parse_config
    from secscan.scanners.interface import ScanContext
    from secscan.scanners.trivy import FS_LAYER

    config = parse_config({"scan": {"timeouts": {"trivy": timeout}}}, "test")
    context = ScanContext(target=tmp_path, workdir=tmp_path, config=config)
    command = FS_LAYER.command("trivy", [str(tmp_path)], tmp_path / "r.json", FS_LAYER.scanners, context)
    assert command[command.index("--timeout") + 1] == flag


# --- valid but empty: a clean tool is fine ----------------------------------------------------


@pytest.mark.parametrize("tool", TOOLS)
def test_valid_empty_output_is_ok(ws: Workspace, tool: str) -> None:
    ws.use(tool, clean(ws.bin / f"{tool}-clean", tool))
    code, _, report = ws.scan()
    assert report is not None
    entry = layer(report, tool)
    assert entry["status"] == "ok", entry
    assert entry["error"] is None
    assert entry["findings"] == 0
    assert entry["version"]
    assert not any(r.startswith("layer ") for r in report["reasons"]), report["reasons"]
    assert code == 1  # the other layers' findings still fail the gate
    assert_others_survived(report, tool)


def test_gitleaks_null_output_is_ok(ws: Workspace) -> None:
    ws.fake("gitleaks", "null", report="null\n")
    _, _, report = ws.scan()
    assert report is not None and layer(report, "gitleaks")["status"] == "ok"


def test_all_clean_passes(ws: Workspace) -> None:
    for tool in TOOLS:
        ws.use(tool, clean(ws.bin / f"{tool}-clean", tool))
    code, err, report = ws.scan()
    assert code == 0, err
    assert report is not None and report["verdict"] == "pass" and report["reasons"] == []
    assert [entry["status"] for entry in report["layers"]] == ["ok", "ok", "ok"]


# --- errors inside an otherwise valid output ------------------------------------------------


def _semgrep_error(level: str = "error", message: str = "Invalid rule schema: missing `pattern`") -> dict[str, Any]:
    return {
        "code": 7,
        "level": level,
        "type": "InvalidRuleSchemaError",
        "message": message,
        "path": "rules/broken.yaml",
    }


def test_semgrep_exit_zero_with_errors_inside(ws: Workspace) -> None:
    ws.fake("semgrep", "errors0", report=semgrep_report([semgrep_result()], [_semgrep_error()]), exit_code=0)
    code, _, report = ws.scan()
    message = assert_layer_failed(code, report, "semgrep", "InvalidRuleSchemaError", "missing `pattern`")
    assert "1 error" in message
    assert report is not None
    # what semgrep did find is kept
    assert any(f["layer"] == "semgrep" for f in report["findings"])


def test_semgrep_exit_two_with_errors_and_results(ws: Workspace) -> None:
    ws.fake(
        "semgrep",
        "errors2",
        exit_code=2,
        report=semgrep_report([semgrep_result()], [_semgrep_error(), _semgrep_error(message="second\nline")]),
    )
    code, _, report = ws.scan()
    message = assert_layer_failed(code, report, "semgrep", "2 error")
    assert report is not None and any(f["layer"] == "semgrep" for f in report["findings"])
    assert "second" not in message or "\n" not in message


def test_semgrep_warnings_do_not_fail(ws: Workspace) -> None:
    warning = {
        "code": 3,
        "level": "warn",
        "type": ["PartialParsing", []],
        "message": "Syntax error at line 9",
        "path": "bad.go",
    }
    for tool in ("gitleaks", "trivy"):
        ws.use(tool, clean(ws.bin / f"{tool}-clean", tool))
    ws.fake("semgrep", "warn", report=semgrep_report([], [warning]), exit_code=0)
    code, err, report = ws.scan()
    assert report is not None
    assert layer(report, "semgrep")["status"] == "ok"
    assert any("PartialParsing" in w for w in report["warnings"]), report["warnings"]
    assert code == 0, err


# --- gitleaks on a shallow clone ---------------------------------------------------------------


def _git(*args: str, cwd: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(cwd),
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=60)


def test_gitleaks_on_a_shallow_clone(ws: Workspace) -> None:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    origin = ws.root / "origin"
    shutil.copytree(ws.target, origin)
    _git("init", "-q", "-b", "main", ".", cwd=origin)
    _git("add", "-A", cwd=origin)
    _git("commit", "-q", "-m", "one", cwd=origin)
    (origin / "more.py").write_text("print('two')\n")
    _git("add", "-A", cwd=origin)
    _git("commit", "-q", "-m", "two", cwd=origin)
    shutil.rmtree(ws.target)
    _git("clone", "-q", "--depth", "1", f"file://{origin}", str(ws.target), cwd=ws.root)
    code, _, report = ws.scan()
    assert_layer_failed(code, report, "gitleaks", "shallow", "fetch-depth: 0", "unshallow")


# --- trivy without a vulnerability DB (the real trivy) -------------------------------------------


def _trivy_binary() -> str | None:
    found = shutil.which("trivy")
    beside = Path(sys.executable).parent / "trivy"
    return found or (str(beside) if beside.is_file() else None)


@pytest.mark.scanners
def test_trivy_without_a_vulnerability_db(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = _trivy_binary()
    if binary is None:
        pytest.skip("trivy not installed")
    monkeypatch.delenv("SECSCAN_TRIVY")
    empty_cache = ws.root / "empty-cache"
    empty_cache.mkdir()
    monkeypatch.setenv("TRIVY_CACHE_DIR", str(empty_cache))
    key_id = "AKIA" + "".join(secrets.choice(string.ascii_uppercase + "234567") for _ in range(16))
    (ws.target / "Dockerfile").write_text("FROM alpine:3.19\nRUN apk add --no-cache curl\n")
    (ws.target / "deploy.sh").write_text(f"#!/bin/sh\nexport AWS_ACCESS_KEY_ID={key_id}\n")
    code, _, report = ws.scan()
    message = assert_layer_failed(code, report, "trivy", "DB", "unavailable")
    assert report is not None
    trivy_findings = [f for f in report["findings"] if f["layer"] == "trivy" or "trivy" in f.get("scanners", [])]
    categories = {f["category"] for f in trivy_findings}
    assert {"misconfiguration", "secret"} <= categories, trivy_findings
    assert not any(f["category"] == "vulnerability" and f["layer"] == "trivy" for f in report["findings"])
    assert "TRIVY_CACHE_DIR" in message
    for path in ws.out.rglob("*"):
        if path.is_file():
            assert key_id not in path.read_text(errors="replace"), path


# --- optional layers ------------------------------------------------------------------------------


def test_optional_layer_error_does_not_fail_the_gate(ws: Workspace) -> None:
    for tool in ("gitleaks", "trivy"):
        ws.use(tool, clean(ws.bin / f"{tool}-clean", tool))
    ws.fake("semgrep", "segv", signal=signal.SIGSEGV)
    ws.config('[policy]\noptional_layers = ["semgrep"]\n')
    code, err, report = ws.scan()
    assert report is not None
    assert layer(report, "semgrep")["status"] == "error"
    assert report["verdict"] == "pass", report["reasons"]
    assert code == 0, err


def test_optional_layer_does_not_excuse_the_others(ws: Workspace) -> None:
    ws.fake("semgrep", "segv", signal=signal.SIGSEGV)
    ws.fake("trivy", "segv", signal=signal.SIGSEGV)
    ws.config('[policy]\noptional_layers = ["semgrep"]\n')
    code, _, report = ws.scan()
    assert report is not None and code == 1
    assert any(r.startswith("layer trivy failed") for r in report["reasons"])
    assert not any(r.startswith("layer semgrep failed") for r in report["reasons"])


# --- bad usage and bad config: exit 2, one line, nothing written ------------------------------------


def assert_usage_error(ws: Workspace, code: int, err: str, *words: str) -> None:
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("secscan: "), err
    assert "Traceback" not in err
    for word in words:
        assert word.lower() in lines[0].lower(), f"{word!r} not in {lines[0]!r}"
    assert not ws.out.exists(), f"--out written: {list(ws.out.rglob('*'))}"
    for tool in TOOLS:
        assert recorded_calls(ws.record(tool)) == [], f"{tool} ran despite the bad config"


BAD_CONFIGS = {
    "invalid-toml": ("[policy\ncode = 'high'\n", ["not valid TOML", "secscan.toml"]),
    "unknown-key": ("[scan]\nbogus = 1\n", ["scan.bogus", "secscan.toml"]),
    "unknown-section": ("[polcy]\ncode = 'high'\n", ["polcy"]),
    "bad-severity": ("[policy]\ncode = 'severe'\n", ["policy.code"]),
    "bad-layer": ("[scan]\nlayers = ['gitleaks', 'bogus']\n", ["scan.layers"]),
    "bad-optional-layer": ("[policy]\noptional_layers = ['bogus']\n", ["optional_layers"]),
    "negative-timeout": ("[scan]\ntimeout_s = -1\n", ["timeout_s"]),
    "zero-layer-timeout": ("[scan.timeouts]\ngitleaks = 0\n", ["scan.timeouts.gitleaks"]),
    "no-layers": ("[scan]\nlayers = []\n", ["scan.layers"]),
    "suppression-without-reason": (
        "[[suppress]]\nrule = 'generic-api-key'\nowner = 'sec'\nexpires = 2099-01-01\n",
        ["suppress.0.reason"],
    ),
    "suppression-empty-reason": (
        "[[suppress]]\nrule = 'generic-api-key'\nreason = ''\nowner = 'sec'\nexpires = 2099-01-01\n",
        ["reason"],
    ),
    "suppression-without-expiry": ("[[suppress]]\nrule = 'x'\nreason = 'r'\nowner = 'sec'\n", ["expires"]),
    "suppression-naming-nothing": ("[[suppress]]\nreason = 'r'\nowner = 'sec'\nexpires = 2099-01-01\n", ["rule"]),
    "missing-suppressions-file": ("suppressions_file = 'nope.toml'\n", ["nope.toml"]),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config(ws: Workspace, case: str) -> None:
    text, words = BAD_CONFIGS[case]
    ws.config(text)
    code, err, _ = ws.scan()
    assert_usage_error(ws, code, err, *words)


def test_a_layer_listed_twice_runs_once(ws: Workspace) -> None:
    ws.config('[scan]\nlayers = ["semgrep", "gitleaks", "semgrep"]\n')
    code, err, report = ws.scan()
    assert report is not None, err
    assert [entry["name"] for entry in report["layers"]] == ["semgrep", "gitleaks"]
    assert len(recorded_calls(ws.record("semgrep"))) == 1
    assert code == 1


def test_bad_config_in_pyproject(ws: Workspace) -> None:
    (ws.target / "pyproject.toml").write_text("[tool.secscan.policy]\nsecret = 'loud'\n")
    code, err, _ = ws.scan()
    assert_usage_error(ws, code, err, "pyproject.toml", "policy.secret")


def test_explicit_config_missing(ws: Workspace) -> None:
    code, err, _ = ws.scan("--config", str(ws.root / "missing.toml"))
    assert_usage_error(ws, code, err, "--config", "missing.toml")


def test_explicit_pyproject_without_section(ws: Workspace) -> None:
    config = ws.root / "pyproject.toml"
    config.write_text("[project]\nname = 'x'\n")
    code, err, _ = ws.scan("--config", str(config))
    assert_usage_error(ws, code, err, "tool.secscan")


@pytest.mark.parametrize(
    "content, words",
    [
        (None, ["no such file"]),
        ("this is not json", ["not JSON"]),
        ('[{"id": "x"}]', ["not a secscan report"]),
        ('{"findings": "none"}', ["not a secscan report"]),
        ('{"findings": [{"rule_id": "x"}]}', ["id"]),
    ],
    ids=["missing", "text", "list", "findings-not-a-list", "finding-without-id"],
)
def test_bad_baseline(ws: Workspace, content: str | None, words: list[str]) -> None:
    baseline = ws.root / "baseline.json"
    if content is not None:
        baseline.write_text(content)
    code, err, _ = ws.scan("--baseline", str(baseline))
    assert_usage_error(ws, code, err, "--baseline", *words)


@pytest.mark.parametrize("value", ["bogus", "gitleaks,bogus", ","])
def test_bad_layers_option(ws: Workspace, value: str) -> None:
    code, err, _ = ws.scan("--layers", value)
    assert_usage_error(ws, code, err, "--layers")


def test_trivy_image_layer_without_image(ws: Workspace) -> None:
    code, err, _ = ws.scan("--layers", "trivy-image")
    assert_usage_error(ws, code, err, "--image")


def test_image_that_does_not_exist(ws: Workspace) -> None:
    code, err, _ = ws.scan("--image", str(ws.root / "missing.tar"))
    assert_usage_error(ws, code, err, "missing.tar")


def test_scan_path_that_does_not_exist(ws: Workspace) -> None:
    code, _, err = ws.cli("scan", str(ws.root / "no-such-dir"), "--out", str(ws.out), "--no-ai", "--no-slack")
    assert_usage_error(ws, code, err, "no-such-dir")


def test_scan_path_that_is_a_file(ws: Workspace) -> None:
    code, _, err = ws.cli("scan", str(ws.target / "app.py"), "--out", str(ws.out), "--no-ai", "--no-slack")
    assert_usage_error(ws, code, err, "app.py")


def test_out_is_a_file(ws: Workspace) -> None:
    ws.out.write_text("not a folder")
    code, err, _ = ws.scan()
    assert code == 2 and "--out" in err
    assert ws.out.read_text() == "not a folder"
    for tool in TOOLS:
        assert recorded_calls(ws.record(tool)) == []


def test_unknown_option(ws: Workspace) -> None:
    code, err, _ = ws.scan("--no-such-option")
    assert_usage_error(ws, code, err, "--no-such-option")


def test_via_subprocess_exit_codes(ws: Workspace) -> None:
    """The same exit codes through `python -m secscan` (what CI runs)."""
    ws.fake("semgrep", "segv", signal=signal.SIGSEGV)
    env = dict(os.environ)  # the fakes, chosen through SECSCAN_<TOOL>
    command = [sys.executable, "-m", "secscan", "scan", str(ws.target), "--out", str(ws.out), "--no-ai", "--no-slack"]
    bad = subprocess.run(
        [*command, "--layers", "bogus"], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad.stderr
    assert not ws.out.exists()
    failed = subprocess.run([*command, "-q"], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert failed.returncode == 1, failed.stderr
    assert "Traceback" not in failed.stderr
    assert layer(json.loads((ws.out / "report.json").read_text()), "semgrep")["status"] == "error"


# --- secscan report ----------------------------------------------------------------------------------


def test_report_without_inputs(ws: Workspace) -> None:
    code, _, err = ws.cli("report", "--out", str(ws.out), "--no-ai", "--no-slack")
    assert_usage_error(ws, code, err, "at least one")


def test_report_input_that_does_not_exist(ws: Workspace) -> None:
    code, _, err = ws.cli("report", "--semgrep", str(ws.root / "gone.json"), "--out", str(ws.out), "--no-ai")
    assert_usage_error(ws, code, err, "--semgrep", "gone.json")


def test_report_input_that_is_a_directory(ws: Workspace) -> None:
    code, _, err = ws.cli("report", "--trivy", str(ws.root), "--out", str(ws.out), "--no-ai")
    assert_usage_error(ws, code, err, "--trivy", "directory")


@pytest.mark.parametrize("tool", TOOLS)
def test_report_with_a_garbage_input(ws: Workspace, tool: str) -> None:
    inputs = {t: ws.root / f"{t}.json" for t in TOOLS}
    inputs[OTHER[tool][0]].write_text(
        json.dumps(
            {
                "gitleaks": gitleaks_report(GITLEAKS_FINDING),
                "semgrep": semgrep_report([semgrep_result()]),
                "trivy": trivy_report(trivy_vulnerability()),
            }[OTHER[tool][0]]
        )
    )
    inputs[tool].write_text("\x00\x01 garbage \xff")
    code, _, err = ws.cli(
        "report",
        f"--{tool}",
        str(inputs[tool]),
        f"--{OTHER[tool][0]}",
        str(inputs[OTHER[tool][0]]),
        "--out",
        str(ws.out),
        "--no-ai",
        "--no-slack",
    )
    report = ws.report()
    assert report is not None, err
    entry = layer(report, tool)
    assert entry["status"] == "error"
    assert_one_line(entry["error"])
    assert tool in entry["error"].lower() and f"{tool}.json" in entry["error"]
    assert report["verdict"] == "fail" and code == 1
    assert layer(report, OTHER[tool][1])["status"] == "skipped"
    assert any(f["layer"] == OTHER[tool][0] for f in report["findings"])
    assert not any(r.startswith(f"layer {OTHER[tool][1]}") for r in report["reasons"])


def test_scan_survives_a_parser_bug(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    import secscan.scanners.semgrep as semgrep_module

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("1 validation error for Finding\nline\n  Input should be a valid integer")

    monkeypatch.setattr(semgrep_module, "parse_document", broken)
    code, _, report = ws.scan()
    assert_layer_failed(code, report, "semgrep", "internal error", "ValueError")


def test_report_survives_a_parser_bug(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected exception in a parser fails closed as a layer error, not a traceback."""
    from secscan.scanners.trivy import FS_LAYER

    def broken(document: Any, source_root: Path | None = None) -> Any:
        raise KeyError("Results\nsecond line")

    monkeypatch.setattr(FS_LAYER, "parse_document", broken)
    trivy_input = ws.root / "trivy.json"
    trivy_input.write_text(json.dumps(trivy_report(trivy_vulnerability())))
    semgrep_input = ws.root / "semgrep.json"
    semgrep_input.write_text(json.dumps(semgrep_report([semgrep_result()])))
    code, _, err = ws.cli(
        "report",
        "--trivy",
        str(trivy_input),
        "--semgrep",
        str(semgrep_input),
        "--out",
        str(ws.out),
        "--no-ai",
        "--no-slack",
    )
    assert "Traceback" not in err
    report = ws.report()
    assert report is not None, err
    message = layer(report, "trivy")["error"]
    assert_one_line(message)
    assert "trivy" in message and "internal error" in message
    assert code == 1 and any(f["layer"] == "semgrep" for f in report["findings"])


@pytest.mark.parametrize("tool", ("semgrep", "trivy"))
def test_report_rejects_sarif_given_as_json(ws: Workspace, tool: str) -> None:
    """A SARIF file is not the scanner's JSON: a layer error, never a silent clean pass."""
    sarif = ws.root / "scan.sarif"
    sarif.write_text(
        json.dumps(
            {
                "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                "version": "2.1.0",
                "runs": [{"tool": {"driver": {"name": tool}}, "results": [{"ruleId": "x", "message": {"text": "m"}}]}],
            }
        )
    )
    code, _, err = ws.cli("report", f"--{tool}", str(sarif), "--out", str(ws.out), "--no-ai", "--no-slack")
    report = ws.report()
    assert report is not None, err
    assert layer(report, tool)["status"] == "error"
    assert code == 1


# --- suppressions ------------------------------------------------------------------------------------


def _two_secrets(ws: Workspace) -> Path:
    second = {
        **GITLEAKS_FINDING,
        "RuleID": "aws-access-token",
        "File": "deploy/env.sh",
        "StartLine": 2,
        "EndLine": 2,
        "Match": "AWS_ACCESS_KEY_ID=REDACTED",
        "Fingerprint": "deploy/env.sh:aws-access-token:2",
    }
    path = ws.root / "gitleaks.json"
    path.write_text(json.dumps(gitleaks_report(GITLEAKS_FINDING, second)))
    return path


def _report(ws: Workspace, gitleaks: Path, *extra: str) -> tuple[int, str, dict[str, Any]]:
    code, _, err = ws.cli("report", "--gitleaks", str(gitleaks), "--out", str(ws.out), "--no-ai", "--no-slack", *extra)
    report = ws.report()
    assert report is not None, err
    return code, err, report


def _by_rule(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["rule_id"]: f for f in report["findings"]}


def test_suppress_by_id(ws: Workspace) -> None:
    gitleaks = _two_secrets(ws)
    code, _, first = _report(ws, gitleaks)
    assert code == 1
    ids = {rule: f["id"] for rule, f in _by_rule(first).items()}
    config = ws.root / "secscan.toml"
    config.write_text(
        "".join(
            f"[[suppress]]\nid = '{ids[rule]}'\nreason = 'test fixture'\nowner = 'sec'\nexpires = 2099-12-31\n"
            for rule in ("generic-api-key", "aws-access-token")
        )
    )
    code, _, second = _report(ws, gitleaks, "--config", str(config))
    assert {f["status"] for f in second["findings"]} == {"suppressed"}
    assert all(f["suppression"]["reason"] == "test fixture" for f in second["findings"])
    assert second["verdict"] == "pass" and code == 0, second["reasons"]


def test_suppress_by_rule_and_path_glob(ws: Workspace) -> None:
    gitleaks = _two_secrets(ws)
    config = ws.root / "secscan.toml"
    config.write_text(
        "[[suppress]]\nrule = 'aws-access-token'\npath = 'deploy/*.sh'\nreason = 'dummy key'\nowner = 'sec'\nexpires "
        "= 2099-12-31\n"
        "[[suppress]]\nrule = 'generic-api-key'\npath = 'other/*.py'\nreason = 'elsewhere'\nowner = 'sec'\nexpires = "
        "2099-12-31\n"
    )
    code, _, report = _report(ws, gitleaks, "--config", str(config))
    rules = _by_rule(report)
    assert rules["aws-access-token"]["status"] == "suppressed"
    assert rules["generic-api-key"]["status"] == "new"  # the glob does not match settings.py
    assert code == 1 and report["verdict"] == "fail"
    assert not any("aws-access-token" in r for r in report["reasons"])
    assert any("matched no finding" in w for w in report["warnings"]), report["warnings"]


def test_expired_suppression_stops_suppressing_and_warns(ws: Workspace) -> None:
    gitleaks = _two_secrets(ws)
    config = ws.root / "secscan.toml"
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    config.write_text(
        f"[[suppress]]\nrule = 'aws-access-token'\nreason = 'rotating'\nowner = 'sec'\nexpires = {yesterday}\n"
        "[[suppress]]\nrule = 'generic-api-key'\nreason = 'test'\nowner = 'sec'\nexpires = 2099-12-31\n"
    )
    code, err, report = _report(ws, gitleaks, "--config", str(config))
    rules = _by_rule(report)
    assert rules["aws-access-token"]["status"] == "new"
    assert rules["generic-api-key"]["status"] == "suppressed"
    assert code == 1 and any("aws-access-token" in r for r in report["reasons"])
    expired = [w for w in report["warnings"] if "expired" in w]
    assert len(expired) == 1 and "aws-access-token" in expired[0] and yesterday in expired[0]
    assert "expired" in err  # told on the terminal too


def test_suppression_expiring_today_still_applies(ws: Workspace) -> None:
    gitleaks = _two_secrets(ws)
    config = ws.root / "secscan.toml"
    config.write_text(
        "[[suppress]]\nrule = 'aws-access-token'\nreason = 'r'\nowner = 'sec'\nexpires = "
        f"{dt.date.today().isoformat()}\n"
    )
    _, _, report = _report(ws, gitleaks, "--config", str(config))
    assert _by_rule(report)["aws-access-token"]["status"] == "suppressed"


# --- baseline ------------------------------------------------------------------------------------------


def test_baseline(ws: Workspace) -> None:
    one = ws.root / "one.json"
    one.write_text(json.dumps(gitleaks_report(GITLEAKS_FINDING)))
    code, _, _ = _report(ws, one)
    assert code == 1
    baseline = ws.root / "baseline.json"
    shutil.copy(ws.out / "report.json", baseline)

    # the same finding, moved down a few lines: still known
    moved = {**GITLEAKS_FINDING, "StartLine": 9, "EndLine": 9}
    one.write_text(json.dumps(gitleaks_report(moved)))
    code, _, second = _report(ws, one, "--baseline", str(baseline))
    assert [f["status"] for f in second["findings"]] == ["existing"]
    assert second["verdict"] == "pass" and code == 0, second["reasons"]

    # a new finding next to it fails the gate; the known one does not count
    both = _two_secrets(ws)
    code, _, third = _report(ws, both, "--baseline", str(baseline))
    statuses = {f["rule_id"]: f["status"] for f in third["findings"]}
    assert statuses == {"generic-api-key": "existing", "aws-access-token": "new"}
    assert code == 1 and third["verdict"] == "fail"
    assert any("1 new finding" in r and "aws-access-token" in r for r in third["reasons"]), third["reasons"]
    assert not any("generic-api-key" in r for r in third["reasons"])


def test_baseline_in_scan_mode(ws: Workspace) -> None:
    code, _, first = ws.scan()
    assert code == 1 and first is not None
    baseline = ws.root / "baseline.json"
    shutil.copy(ws.out / "report.json", baseline)
    code, _, second = ws.scan("--baseline", str(baseline))
    assert second is not None
    assert {f["status"] for f in second["findings"]} == {"existing"}
    assert code == 0, second["reasons"]
