"""Shared helpers for the reliability suites (fault matrix, canaries, injection, determinism, edges).

Everything here drives the real command line (`python -m secscan` in a subprocess), so what a
test sees on stdout/stderr is what a CI log would show.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
SEMGREP_VENV = REPO_ROOT / ".venv-semgrep" / "bin" / "semgrep"
OUTPUT_FILES = ("report.json", "secscan.sarif", "report.md", "report.html")

# Variables that change what secscan does or says (keys, CI metadata): never inherited by a run.
_DROPPED_PREFIXES = ("OPENAI_", "SLACK_", "SECSCAN_", "GITHUB_", "CI_", "GITLAB_", "TRIVY_")
_DROPPED = {"JOB_NAME", "BUILD_URL", "BRANCH_NAME", "GIT_COMMIT", "CI"}


def base_env(**extra: str) -> dict[str, str]:
    """The current environment without anything secscan reads, plus `extra`."""
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(_DROPPED_PREFIXES) and key not in _DROPPED
    }
    env.update(SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def real_semgrep() -> str | None:
    """The semgrep the test runner chose (SECSCAN_SEMGREP), else .venv-semgrep's, else PATH's."""
    explicit = os.environ.get("SECSCAN_SEMGREP")
    if explicit and Path(explicit).is_file():
        return explicit
    if SEMGREP_VENV.is_file():
        return str(SEMGREP_VENV)
    found = shutil.which("semgrep") or (Path(sys.executable).parent / "semgrep")
    return str(found) if Path(found).is_file() else None


def real_binary(tool: str) -> str | None:
    if tool == "semgrep":
        return real_semgrep()
    found = shutil.which(tool)
    beside = Path(sys.executable).parent / tool
    return found or (str(beside) if beside.is_file() else None)


def real_scanner_env(trivy_cache: Path, **extra: str) -> dict[str, str]:
    """Environment for a run with the real scanners, offline, with a prepared trivy DB."""
    env = base_env(TRIVY_CACHE_DIR=str(trivy_cache), **extra)
    semgrep = real_semgrep()
    if semgrep:
        env["SECSCAN_SEMGREP"] = semgrep
    return env


def require_real(*tools: str) -> None:
    import pytest

    missing = [tool for tool in tools if real_binary(tool) is None]
    if missing:
        pytest.skip(f"real scanner(s) not installed: {', '.join(missing)}")


@dataclass
class Run:
    """One finished `python -m secscan …`."""

    argv: list[str]
    code: int
    stdout: str
    stderr: str
    out: Path | None

    @property
    def report(self) -> dict[str, Any]:
        assert self.out is not None and (self.out / "report.json").is_file(), (
            f"no report.json for {self.argv}\nstderr:\n{self.stderr}"
        )
        return json.loads((self.out / "report.json").read_text(encoding="utf-8"))

    def layer(self, name: str) -> dict[str, Any]:
        return layer(self.report, name)

    def findings(self, **match: Any) -> list[dict[str, Any]]:
        return [f for f in self.report["findings"] if all(f.get(k) == v for k, v in match.items())]


def secscan(
    *args: str | os.PathLike[str],
    env: dict[str, str],
    out: Path | None = None,
    cwd: Path | None = None,
    timeout: float = 600,
) -> Run:
    """Run `python -m secscan ARGS [--out OUT]` and capture everything it prints."""
    argv = [sys.executable, "-m", "secscan", *(os.fspath(a) for a in args)]
    if out is not None:
        argv += ["--out", str(out)]
    done = subprocess.run(argv, capture_output=True, env=env, cwd=cwd, timeout=timeout, check=False)
    return Run(
        argv=argv,
        code=done.returncode,
        stdout=done.stdout.decode("utf-8", errors="replace"),
        stderr=done.stderr.decode("utf-8", errors="replace"),
        out=out,
    )


# --- assertions ------------------------------------------------------------------------------


def layer(report: dict[str, Any], name: str) -> dict[str, Any]:
    found = [entry for entry in report["layers"] if entry["name"] == name]
    assert len(found) == 1, report["layers"]
    return found[0]


def assert_no_traceback(run: Run) -> None:
    for stream, text in (("stdout", run.stdout), ("stderr", run.stderr)):
        assert "Traceback" not in text, f"traceback on {stream}:\n{text}"


def assert_one_line(message: str | None) -> str:
    assert isinstance(message, str) and message.strip(), f"no message: {message!r}"
    assert "\n" not in message and "\r" not in message, repr(message)
    assert "Traceback" not in message and 'File "' not in message, message
    assert not message.rstrip().endswith(":"), f"the message does not say what went wrong: {message!r}"
    assert len(message) <= 600, f"not a one-liner ({len(message)} characters): {message[:200]}…"
    return message


def squeeze(text: str) -> str:
    """Text with all whitespace removed (the terminal wraps long lines)."""
    return re.sub(r"\s+", "", text)


def assert_on_terminal(run: Run, message: str) -> None:
    """The message reached stderr (whitespace-insensitive: rich wraps at the terminal width)."""
    assert squeeze(message) in squeeze(run.stderr), f"{message!r} not on stderr:\n{run.stderr}"


def assert_outputs_written(out: Path) -> None:
    """All four files, complete and parseable where they are JSON, and raw/ with scanner output."""
    for name in OUTPUT_FILES:
        path = out / name
        assert path.is_file() and path.stat().st_size > 0, f"{name} not written in {out}: {sorted(os.listdir(out))}"
    json.loads((out / "report.json").read_text(encoding="utf-8"))
    sarif = json.loads((out / "secscan.sarif").read_text(encoding="utf-8"))
    assert sarif.get("version") == "2.1.0"
    assert "</html>" in (out / "report.html").read_text(encoding="utf-8").lower()
    raw = out / "raw"
    assert raw.is_dir() and any(raw.glob("*.json")), f"raw/ missing or empty in {out}"
    assert not [p.name for p in out.rglob(".*.tmp")], "temporary files left behind"


def finding_keys(findings: Iterable[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """What must survive anything but the scanners: id, severity, status, rule."""
    return sorted((f["id"], f["severity"], f["status"], f["rule_id"]) for f in findings)


# --- secret leak checks -------------------------------------------------------------------------

WINDOW = 12


def secret_windows(values: Iterable[str], window: int = WINDOW) -> set[str]:
    """Every `window`-character piece of every value (PEM armour lines excepted)."""
    pieces: set[str] = set()
    for value in values:
        for line in value.splitlines():
            if line.startswith("-----"):
                continue  # PEM armour lines ("-----BEGIN ... KEY-----") are not secret
            line = line.strip()
            if len(line) < window:
                if len(line) >= 8:
                    pieces.add(line)
                continue
            pieces.update(line[i : i + window] for i in range(len(line) - window + 1))
    return pieces


def leaked(text: str, pieces: set[str], window: int = WINDOW) -> str | None:
    """The first secret piece found in text, or None."""
    if not pieces:
        return None
    for i in range(max(0, len(text) - window + 1)):
        if text[i : i + window] in pieces:
            return text[i : i + window]
    short = [p for p in pieces if len(p) < window]
    return next((p for p in short if p in text), None)


def texts_of_tree(root: Path) -> Iterator[tuple[str, str]]:
    """(relative path, text) of every file under root, decoded leniently."""
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield str(path.relative_to(root)), path.read_bytes().decode("utf-8", errors="replace")


def insert_lines(path: Path, count: int, comment: str = "#") -> None:
    """Put `count` comment lines at the top of a file (a code move for everything below)."""
    head = "".join(f"{comment} moved down by a refactoring, line {n}\n" for n in range(count))
    path.write_text(head + path.read_text(encoding="utf-8"), encoding="utf-8")


def git(path: Path, *args: str) -> str:
    from planted_repo import GIT_ENV

    done = subprocess.run(
        ["git", "-C", str(path), *args], check=True, capture_output=True, text=True, env={**os.environ, **GIT_ENV}
    )
    return done.stdout.strip()


def strip_volatile(report_text: str, *, durations: bool) -> str:
    """report.json text without generated_at (and layer durations, for scan mode)."""
    text = re.sub(r'"generated_at": "[^"]*"', '"generated_at": "<t>"', report_text)
    if durations:
        text = re.sub(r'"duration_s": [0-9.eE+-]+', '"duration_s": 0', text)
    return text
