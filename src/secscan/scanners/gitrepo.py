"""The little git the layers need: run git safely on a repository another uid may own."""

from __future__ import annotations

import os
from pathlib import Path

from secscan.errors import ScannerError
from secscan.scanners.process import run_command


def git_environment(path: Path) -> dict[str, str]:
    """Let git read a repository another uid owns (CI containers) without touching global config."""
    count = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    return {
        "GIT_CONFIG_COUNT": str(count + 1),
        f"GIT_CONFIG_KEY_{count}": "safe.directory",
        f"GIT_CONFIG_VALUE_{count}": str(path),
        "GIT_TERMINAL_PROMPT": "0",
    }


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
        code, out, _ = await git(["ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "-z"], target)
    except ScannerError:  # no git: nothing to skip
        return [], []
    if code != 0:
        return [], []
    entries = [e for e in out.split("\0") if e]
    directories = [e.rstrip("/") for e in entries if e.endswith("/")]
    files = [e for e in entries if not e.endswith("/")]
    return directories[:limit], files[:limit]
