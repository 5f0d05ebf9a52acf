"""Determinism: the same input gives the same bytes, and finding ids survive code moving.

Two `secscan scan` runs with the real scanners (all four layers: the planted repository and a
container image) on the same input, under different PYTHONHASHSEEDs (set and dict ordering
must not leak into the output), give byte-identical report.json except `generated_at` and
`layers[].duration_s`, byte-identical SARIF and Markdown, and HTML identical but for the
layer timings. Two `secscan report` runs on the same scanner JSON give byte-identical files
except `generated_at` in report.json.

Then every file with a finding gets lines inserted above its findings, the change is
committed, and a third scan must report the same problems under the same ids.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from planted_repo import PlantedRepo, build
from reliability_support import (
    Run,
    assert_no_traceback,
    git,
    insert_lines,
    real_scanner_env,
    require_real,
    secscan,
    strip_volatile,
)
from support.images import alpine_root, build_oci_layout, python_dist_info

pytestmark = [pytest.mark.scanners, pytest.mark.slow]

MOVED_BY = 7
# path -> comment marker, for every planted file that carries a finding
MOVES = {
    "app.py": "#",
    "config.py": "#",
    "notify.py": "#",
    ".env": "#",
    "deploy/ci.env": "#",
    "keys/deploy.pem": "#",
    "Dockerfile": "#",
    "k8s/deployment.yaml": "#",
    "infra/main.tf": "#",
    "requirements.txt": "#",
}


@dataclass
class Runs:
    planted: PlantedRepo
    image: Path
    first: Run
    second: Run
    report_first: Run
    report_second: Run


def scan(planted: PlantedRepo, image: Path, out: Path, seed: str, cache: Path | None = None) -> Run:
    env = real_scanner_env(cache or planted.trivy_cache, PYTHONHASHSEED=seed)
    run = secscan("scan", planted.path, "--image", image, "--no-ai", "--no-slack", env=env, out=out, timeout=900)
    assert_no_traceback(run)
    assert run.code == 1, run.stderr
    assert all(entry["status"] == "ok" for entry in run.report["layers"]), run.report["layers"]
    return run


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    require_real("gitleaks", "semgrep", "trivy")
    root = tmp_path_factory.mktemp("determinism")
    planted = build(root)
    image = build_oci_layout(
        root / "image", [alpine_root(), python_dist_info("requests", "2.19.0"), python_dist_info("jinja2", "2.10")]
    )
    # Independent runs, side by side; each trivy gets its own cache (trivy locks the one it uses).
    second_cache = root / "trivy-cache-second"
    shutil.copytree(planted.trivy_cache, second_cache)
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending = [
            pool.submit(scan, planted, image, root / "first", "1"),
            pool.submit(scan, planted, image, root / "second", "2", second_cache),
        ]
        first, second = (future.result() for future in pending)
    # `secscan report` on the scanner JSON of the first run (raw/, as a CI artifact would be kept)
    raw = root / "first" / "raw"
    inputs = [f"--{name}" for name in ("gitleaks", "semgrep", "trivy", "trivy-image")]
    args: list[Any] = ["report", "--source", planted.path, "--no-ai", "--no-slack"]
    for flag in inputs:
        args += [flag, raw / f"{flag[2:]}.json"]
    env = real_scanner_env(planted.trivy_cache)
    report_first = secscan(*args, env={**env, "PYTHONHASHSEED": "3"}, out=root / "report-first")
    report_second = secscan(*args, env={**env, "PYTHONHASHSEED": "4"}, out=root / "report-second")
    yield Runs(planted, image, first, second, report_first, report_second)


def _read(run: Run, name: str) -> str:
    assert run.out is not None
    return (run.out / name).read_text(encoding="utf-8")


def _mask_html_timings(html: str) -> str:
    return re.sub(r"<td>\d+(?:\.\d+)?s</td>", "<td>Ns</td>", html)


def test_scan_report_json_is_identical_but_for_time(runs: Runs) -> None:
    first, second = _read(runs.first, "report.json"), _read(runs.second, "report.json")
    assert strip_volatile(first, durations=True) == strip_volatile(second, durations=True)


@pytest.mark.parametrize("name", ["secscan.sarif", "report.md"])
def test_scan_sarif_and_markdown_are_byte_identical(runs: Runs, name: str) -> None:
    assert _read(runs.first, name) == _read(runs.second, name)


def test_scan_html_is_identical_but_for_layer_timings(runs: Runs) -> None:
    first, second = _read(runs.first, "report.html"), _read(runs.second, "report.html")
    assert _mask_html_timings(first) == _mask_html_timings(second)


def test_report_mode_is_byte_identical_but_for_generated_at(runs: Runs) -> None:
    for run in (runs.report_first, runs.report_second):
        assert_no_traceback(run)
        assert run.code == 1, run.stderr
    first, second = runs.report_first, runs.report_second
    assert strip_volatile(_read(first, "report.json"), durations=False) == strip_volatile(
        _read(second, "report.json"), durations=False
    )
    for name in ("secscan.sarif", "report.md", "report.html"):
        assert _read(first, name) == _read(second, name), name
    # and the report made from raw/ finds what the scan found
    assert {f["id"] for f in first.report["findings"]} == {f["id"] for f in runs.first.report["findings"]}


def test_finding_order_is_stable_and_ids_unique(runs: Runs) -> None:
    ids = [f["id"] for f in runs.first.report["findings"]]
    assert ids == [f["id"] for f in runs.second.report["findings"]]
    assert len(ids) == len(set(ids)) >= 20


@pytest.fixture(scope="module")
def moved(runs: Runs, tmp_path_factory: pytest.TempPathFactory) -> Run:
    repo = runs.planted.path
    for path, comment in MOVES.items():
        insert_lines(repo / path, MOVED_BY, comment)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "refactor: a header on every file")
    return scan(runs.planted, runs.image, tmp_path_factory.mktemp("moved") / "out", seed="5")


def _by_id(run: Run) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in run.report["findings"]}


def test_ids_survive_a_code_move(runs: Runs, moved: Run) -> None:
    before, after = _by_id(runs.first), _by_id(moved)
    missing = {i: (f["rule_id"], f["path"], f["line"]) for i, f in before.items() if i not in after}
    added = {i: (f["rule_id"], f["path"], f["line"], f["scanners"]) for i, f in after.items() if i not in before}
    assert not missing and not added, f"ids changed by the move: lost {missing}, new {added}"
    for finding_id, old in before.items():
        new = after[finding_id]
        for key in ("rule_id", "path", "category", "severity", "scanner", "package", "commit"):
            assert new[key] == old[key], (finding_id, key, old[key], new[key])


def test_the_move_really_moved_the_findings(runs: Runs, moved: Run) -> None:
    """Lines in the current code moved down: the ids above held for a reason."""
    before, after = _by_id(runs.first), _by_id(moved)
    shifted = [
        i
        for i, f in before.items()
        if f["path"] in MOVES
        and f["line"]
        and after[i]["line"] == f["line"] + MOVED_BY
        and f["category"] != "vulnerability"
    ]
    code = [i for i, f in before.items() if f["category"] == "code"]
    assert code and all(i in shifted for i in code), "the code findings did not move"
    assert len(shifted) >= 8
