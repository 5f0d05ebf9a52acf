"""The little git the layers need: run git safely on a repository another uid may own."""

from __future__ import annotations

import os
from pathlib import Path

from secscan.errors import ScannerError
from secscan.scanners.process import run_command

# Settings given on git's command line (GIT_CONFIG_KEY_n) win over the repository's .git/config:
# none of the repository's commands (fsmonitor, hooks, pagers, credential helpers) can run.
_HARDENED = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("core.pager", "cat"),
    ("core.attributesFile", os.devnull),
    ("credential.helper", ""),
    ("protocol.allow", "never"),
)
# For `git log -p` (gitleaks): every file as text, whatever .gitattributes says (`-diff`, binary),
# no textconv or external diff driver the repository's config could name.
LOG_HARDENING = ("--text", "--no-textconv", "--no-ext-diff")


def git_environment(path: Path) -> dict[str, str]:
    """Hardened git for one repository: `safe.directory` for it alone (a CI checkout another uid
    owns), no system or global config, no repository-defined command, no replace refs."""
    resolved = Path(os.path.abspath(path))
    pairs = [*_HARDENED, ("safe.directory", str(resolved)), ("safe.directory", str(resolved / ".git"))]
    env = {
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_ATTR_NOSYSTEM": "1",
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_COUNT": str(len(pairs)),
    }
    for index, (key, value) in enumerate(pairs):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env


async def git(args: list[str], path: Path, timeout: float = 120) -> tuple[int, str, str]:
    completed = await run_command(
        ["git", "-C", str(path), *args], timeout=timeout, env=git_environment(path), what="git"
    )
    return (
        completed.returncode,
        completed.stdout.decode(errors="replace").strip(),
        completed.stderr.decode(errors="replace").strip(),
    )


async def ignored_paths(target: Path, limit: int = 500) -> tuple[list[str], list[str]]:
    """(directories, files) that .gitignore excludes under target; empty outside a repository."""
    try:
        code, out, _ = await git(
            ["ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "-z"], target
        )
    except ScannerError:  # no git: nothing to skip
        return [], []
    if code != 0:
        return [], []
    entries = [e for e in out.split("\0") if e]
    directories = [e.rstrip("/") for e in entries if e.endswith("/")]
    files = [e for e in entries if not e.endswith("/")]
    return directories[:limit], files[:limit]
