"""Shared fixtures: where the real scanners and the scanner-output corpus (tests/fixtures/corpus) are."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from corpus import corpus_root

REPO_ROOT = Path(__file__).resolve().parents[1]


def corpus_path() -> Path:
    """The scanner-output corpus (tests/fixtures/corpus, as the scanners wrote it)."""
    return corpus_root()


def scanner_binary(tool: str) -> str | None:
    explicit = os.environ.get(f"SECSCAN_{tool.upper()}")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    found = shutil.which(tool)
    if found:
        return found
    beside = Path(sys.executable).parent / tool
    return str(beside) if beside.is_file() else None


@pytest.fixture
def corpus_dir() -> Path:
    return corpus_root()


def require_scanners(*tools: str) -> None:
    missing = [t for t in tools if scanner_binary(t) is None]
    if missing:
        pytest.skip(f"scanner(s) not installed: {', '.join(missing)}")


@pytest.fixture(scope="session", autouse=True)
def private_result_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Scans in tests cache their layers in a folder of this test session, never the user's."""
    os.environ["SECSCAN_CACHE_DIR"] = str(tmp_path_factory.mktemp("secscan-cache"))
    # A test run inside a GitHub Actions pull request must not comment on it.
    for variable in ("GITHUB_EVENT_PATH", "GITHUB_TOKEN"):
        os.environ.pop(variable, None)
