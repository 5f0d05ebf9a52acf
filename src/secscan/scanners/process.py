"""Finding scanner binaries and running them with a hard timeout."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import anyio
from anyio.abc import Process

from secscan import catalog
from secscan.errors import ScannerError
from secscan.findings.redact import redact_text


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: bytes
    stderr: bytes

    def stderr_line(self, limit: int = 300) -> str:
        """The most telling line of stderr, redacted, for a one-line error message."""
        return last_meaningful_line(self.stderr.decode(errors="replace"), limit)

    def exit_description(self) -> str:
        """`exit 3`, or `killed by signal SIGSEGV` for a crash."""
        if self.returncode < 0:
            try:
                name = signal.Signals(-self.returncode).name
            except ValueError:
                name = str(-self.returncode)
            return f"killed by signal {name}"
        return f"exit {self.returncode}"

    def failure(self, what: str, limit: int = 300) -> str:
        """One line for a scanner that failed: how it ended and what it said (or that it said nothing)."""
        return f"{what} failed ({self.exit_description()}): {self.stderr_line(limit) or 'no error output'}"


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def last_meaningful_line(text: str, limit: int = 300) -> str:
    lines = [_ANSI.sub("", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    preferred = [line for line in lines if re.search(r"(?i)\b(error|fatal|failed|refus|denied|not found)", line)]
    chosen = (preferred or lines or [""])[-1]
    if chosen.endswith(":"):  # e.g. trivy's "2 errors occurred:": the reasons are on the lines after it
        chosen = " ".join([chosen, "; ".join(lines[lines.index(chosen) + 1 :])]).strip()
    chosen = redact_text(chosen)
    return chosen if len(chosen) <= limit else chosen[: limit - 1] + "…"


@dataclass(frozen=True)
class Plan:
    """One command a layer wants run: the same plan whoever executes it (see `Executor`)."""

    argv: tuple[str, ...]
    env: Mapping[str, str]  # what the layer sets; the executor adds its own base environment
    cwd: Path | None
    timeout: float
    what: str
    writes: tuple[Path, ...] = ()  # files the command writes (its report), read back by the layer


class Executor(Protocol):
    """Runs the layers' plans: here as subprocesses (the default), or in the scanners' pinned
    containers (`secscan.scanners.containers`, the Dagger module). The layers' judging is the same."""

    def resolve(self, tool: str) -> str:
        """The binary to put in argv[0] for a scanner."""
        ...

    async def run(self, plan: Plan) -> Completed: ...


# Set for a run by `pipeline.run_layers(..., executor=...)`; None: local subprocesses.
EXECUTOR: ContextVar[Executor | None] = ContextVar("secscan_executor", default=None)


def resolve_binary(tool: str) -> str:
    """SECSCAN_<TOOL> wins (and must work); else PATH; else next to this Python (a venv's bin)."""
    executor = EXECUTOR.get()
    if executor is not None:
        return executor.resolve(tool)
    variable = catalog.scanner(tool).env_override
    explicit = os.environ.get(variable)
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ScannerError(f"{variable}={explicit}: no such file")
        if not os.access(path, os.X_OK):
            raise ScannerError(f"{variable}={explicit}: not executable")
        # absolute: layers run the binary from another working directory (semgrep runs in the target)
        return os.path.abspath(path)
    found = shutil.which(tool)
    if found:
        return os.path.abspath(found)
    beside = Path(sys.executable).parent / tool
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    raise ScannerError(f"{tool} not found on PATH: install it (pip install 'secscan[scanners]') or set {variable}")


def _kill_group(process: Process) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            process.kill()


async def run_command(
    command: Sequence[str],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    what: str,
    writes: Sequence[Path] = (),
) -> Completed:
    """Run a command through the run's executor (`EXECUTOR`), by default a local subprocess."""
    plan = Plan(tuple(command), dict(env or {}), cwd, timeout, what, tuple(writes))
    executor = EXECUTOR.get()
    if executor is not None:
        return await executor.run(plan)
    return await run_local(plan)


async def run_local(plan: Plan) -> Completed:
    """Run a command to completion; kill its whole process group when it overruns `timeout`."""
    command, timeout, env, cwd, what = plan.argv, plan.timeout, plan.env, plan.cwd, plan.what
    # scanners and git run on hostile input: never with secscan's own environment (credentials)
    full_env = scanner_environment(env)
    try:
        process = await anyio.open_process(
            list(command),
            stdin=subprocess.DEVNULL,
            env=full_env,
            cwd=cwd,
            start_new_session=True,
        )
    except OSError as exc:
        raise ScannerError(f"{what}: cannot start {command[0]}: {exc.strerror or exc}") from None
    stdout = bytearray()
    stderr = bytearray()

    async def drain(stream: object, sink: bytearray) -> None:
        if stream is None:
            return
        async for chunk in stream:  # type: ignore[attr-defined]
            sink.extend(chunk)

    async with process:
        try:
            with anyio.fail_after(timeout):
                async with anyio.create_task_group() as group:
                    group.start_soon(drain, process.stdout, stdout)
                    group.start_soon(drain, process.stderr, stderr)
                returncode = await process.wait()
        except TimeoutError:
            _kill_group(process)
            with anyio.CancelScope(shield=True):
                await process.wait()
            raise ScannerError(f"{what}: timed out after {timeout:g}s (raise scan.timeout_s)") from None
        except BaseException:
            _kill_group(process)
            with anyio.CancelScope(shield=True):
                await process.wait()
            raise
    return Completed(returncode, bytes(stdout), bytes(stderr))


_VERSION = re.compile(r"(\d+\.\d+\.\d+(?:[-+.][0-9A-Za-z.]+)?)")


# Semgrep checks for a newer release on every start unless told not to: ~98 s offline.
QUIET_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}

# What a scanner may inherit from secscan's environment: how to find programs, the locale, the
# proxy and CA settings of the network it runs on, and the operator's trivy cache. Nothing else:
# no OPENAI_*, SLACK_*, cloud, CI or registry tokens, no GIT_* or SEMGREP_*/GITLEAKS_* settings
# (a GITLEAKS_CONFIG or SEMGREP_APP_TOKEN is not the repository's to use either).
INHERITED = frozenset(
    {
        "PATH",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TMPDIR",
        "http_proxy",
        "https_proxy",
        "no_proxy",
        "all_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "ALL_PROXY",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
    }
)
_home: list[str] = []


def private_home() -> str:
    """A HOME of secscan's own for the scanners (their dot-files, not the user's ~/.gitconfig or tokens)."""
    if not _home:
        import atexit
        import shutil
        import tempfile

        home = tempfile.mkdtemp(prefix="secscan-home-")
        atexit.register(shutil.rmtree, home, True)
        _home.append(home)
    return _home[0]


def operator_trivy_cache() -> str:
    """The trivy cache the operator chose (TRIVY_CACHE_DIR), else trivy's default under the real HOME."""
    explicit = os.environ.get("TRIVY_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "trivy")


def scanner_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The one environment every scanner and git process gets: `INHERITED` from ours (plus LC_*),
    a private HOME, quiet semgrep, hardened git (`secscan.scanners.gitrepo.git_environment` goes in
    `extra`), and `extra`."""
    env = {key: value for key, value in os.environ.items() if key in INHERITED or key.startswith("LC_")}
    env.setdefault("PATH", os.defpath)
    env["HOME"] = private_home()
    env["TRIVY_CACHE_DIR"] = operator_trivy_cache()
    env.update(QUIET_ENV)
    env.update(extra or {})
    return env


def beside_first_on_path(binary: str) -> dict[str, str]:
    """PATH with the binary's own directory first.

    semgrep's `semgrep` entry point hands most work to the `pysemgrep` it finds on PATH:
    without this, SECSCAN_SEMGREP=/other/venv/bin/semgrep silently runs another venv's semgrep.
    """
    return {"PATH": f"{Path(binary).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


async def probe_version(binary: str, args: Sequence[str], tool: str, timeout: float = 60) -> str:
    """Run `<binary> <args>` and pull the version out; a binary that does not run is an error."""
    env = {**QUIET_ENV, **beside_first_on_path(binary)}
    completed = await run_command([binary, *args], timeout=timeout, env=env, what=f"{tool} version check")
    text = (completed.stdout + completed.stderr).decode(errors="replace")
    match = _VERSION.search(text)
    if completed.returncode != 0 or match is None:
        detail = last_meaningful_line(text) or f"exit code {completed.returncode}"
        raise ScannerError(f"{binary} does not run as {tool}: {detail}")
    return match.group(1)
