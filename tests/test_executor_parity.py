"""The Dagger module's way of running the layers gives the same report as `secscan scan`.

Both run the same layer code; only the executor differs. Here the container executor's plans
(pinned image, argv, env, working directory, mounts) are interpreted by running the same argv
locally (tests/support/container_interpreter.py): report.json must be identical, timestamps and
durations aside, on the planted repository (a history-only secret among them) and an image tarball.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import anyio
import pytest

from conftest import require_scanners
from planted_repo import build
from secscan import catalog
from secscan.pipeline import Options, scan
from secscan.scanners.containers import ContainerExecutor, container_plan
from secscan.scanners.process import Plan
from support.container_interpreter import run_locally
from support.images import alpine_root, build_docker_save_tar, python_dist_info

pytestmark = [pytest.mark.scanners, pytest.mark.slow]

VOLATILE = {"generated_at", "duration_s"}


def comparable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    return _runs(tmp_path_factory)[0]


@pytest.fixture(scope="module")
def run_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _runs(tmp_path_factory)[1]


_CACHE: dict[str, Any] = {}


def _runs(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if "runs" in _CACHE:
        return _CACHE["runs"]
    require_scanners("gitleaks", "semgrep", "trivy")
    root = tmp_path_factory.mktemp("parity")
    planted = build(root)
    image = build_docker_save_tar(root / "image.tar", [alpine_root(), python_dist_info("requests", "2.19.0")])
    saved = {
        k: os.environ.get(k) for k in ("TRIVY_CACHE_DIR", "OPENAI_API_KEY", "SLACK_WEBHOOK_URL", "SLACK_BOT_TOKEN")
    }
    os.environ["TRIVY_CACHE_DIR"] = str(planted.trivy_cache)
    for name in ("OPENAI_API_KEY", "SLACK_WEBHOOK_URL", "SLACK_BOT_TOKEN"):
        os.environ.pop(name, None)
    reports = []
    try:
        for name, executor in (("local", None), ("containers", ContainerExecutor(run_locally))):
            options = Options(
                out_dir=root / name, image=image, no_ai=True, no_slack=True, no_cache=True, executor=executor
            )
            anyio.run(scan, planted.path, options)
            reports.append(json.loads((root / name / "report.json").read_text()))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    _CACHE["runs"] = ((reports[0], reports[1]), (planted.path, root / "containers"))
    return _CACHE["runs"]


def test_every_layer_ran_and_found_something(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    local, _ = runs
    assert [layer["name"] for layer in local["layers"]] == [*catalog.default_layers(), *catalog.image_layers()]
    assert all(layer["status"] == "ok" for layer in local["layers"]), local["layers"]
    assert all(layer["findings"] > 0 for layer in local["layers"]), local["layers"]
    history = [f for f in local["findings"] if f["path"] == "legacy_settings.py"]
    assert len(history) == 1 and history[0]["in_head"] is False


def test_the_container_plans_give_the_same_report(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    local, containers = runs
    assert comparable(containers) == comparable(local)


def test_report_on_raw_gives_the_same_verdict_and_ids(
    runs: tuple[dict[str, Any], dict[str, Any]], run_dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    """README "Reproduce a CI failure locally": `secscan report --raw` on the raw/ a CI run kept."""
    from secscan.cli import main as cli_main

    _, ci = runs
    source, out = run_dirs
    again = tmp_path / "again"
    code = cli_main(
        [
            "report",
            "--raw",
            str(out / "raw"),
            "--source",
            str(source),
            "--out",
            str(again),
            "--quiet",
            "--no-ai",
            "--no-slack",
        ]
    )
    report = json.loads((again / "report.json").read_text())
    assert code == (0 if ci["verdict"] == "pass" else 1)
    assert report["verdict"] == ci["verdict"] and report["reasons"] == ci["reasons"]
    assert sorted(f["id"] for f in report["findings"]) == sorted(f["id"] for f in ci["findings"])


def test_a_plan_runs_in_its_scanners_pinned_image_with_what_it_names_mounted(tmp_path: Path) -> None:
    report = tmp_path / "work" / "gitleaks.json"
    report.parent.mkdir()
    (tmp_path / "repo").mkdir()
    plan = Plan(
        ("/opt/bin/gitleaks", "git", str(tmp_path / "repo"), "--report-path", str(report)),
        {"GIT_CONFIG_VALUE_0": str(tmp_path / "repo"), "PATH": "/host/bin", "HOME": "/root"},
        tmp_path / "repo",
        42.0,
        "gitleaks",
        (report,),
    )
    container = container_plan(plan)
    assert container.image == catalog.scanner("gitleaks").image
    assert container.argv[0] == "gitleaks" and container.argv[1:] == plan.argv[1:]
    assert "PATH" not in container.env and "HOME" not in container.env  # the image's own
    assert set(container.mounts) == {str((tmp_path / "repo").resolve()), str(report.parent.resolve())}
    assert container.timeout == 42.0 and container.writes == (str(report),)
    git = container_plan(Plan(("git", "-C", str(tmp_path / "repo"), "log"), {}, None, 5, "git"))
    assert git.image == catalog.GITLEAKS_IMAGE


def test_a_plan_that_outruns_its_timeout_is_a_layer_error(tmp_path: Path) -> None:
    from secscan.errors import ScannerError
    from secscan.scanners.containers import ContainerRun

    async def slow(_: Any) -> ContainerRun:
        await anyio.sleep(5)
        raise AssertionError("not reached")

    plan = Plan(("trivy", "fs", str(tmp_path)), {}, None, 0.2, "trivy")
    with pytest.raises(ScannerError, match=r"timed out after 0\.2s"):
        anyio.run(ContainerExecutor(slow).run, plan)
