"""The CLI, which owns its process, pauses and freezes the cyclic GC; the library leaves it alone."""

from __future__ import annotations

import gc
from pathlib import Path

import anyio

from secscan import cli
from secscan.pipeline import Options, report_from_files


def test_the_library_leaves_the_gc_alone(tmp_path: Path) -> None:
    gitleaks = tmp_path / "gitleaks.json"
    gitleaks.write_text("[]")
    frozen = gc.get_freeze_count()
    seen: list[bool] = []

    async def run() -> None:
        seen.append(gc.isenabled())
        await report_from_files({"gitleaks": gitleaks}, Options(out_dir=tmp_path / "out", no_ai=True, no_slack=True))
        seen.append(gc.isenabled())

    anyio.run(run)
    assert seen == [True, True] and gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_the_cli_pauses_the_gc_for_the_run_and_freezes_what_it_leaves() -> None:
    seen: list[bool] = []

    async def scan() -> object:
        seen.append(gc.isenabled())
        return object()

    try:
        cli._run(scan)
        assert seen == [False]
        assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
