"""Hostile files around secscan: inputs that never end, configs nested without end, output
folders that point elsewhere. Each is a one-line exit 2 (bad input) with nothing written through
the trap, never a hang, a traceback or a file outside --out.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fakes import semgrep_report, semgrep_result
from reliability_support import Run, assert_no_traceback, base_env, secscan


def assert_usage_error(run: Run, *words: str) -> str:
    assert_no_traceback(run)
    assert run.code == 2, (run.code, run.stderr)
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    for word in words:
        assert word.lower() in lines[0].lower(), (word, lines[0])
    return lines[0]


def semgrep_input(root: Path) -> Path:
    path = root / "semgrep.json"
    path.write_text(json.dumps(semgrep_report([semgrep_result()])))
    return path


# --- secscan report inputs: regular files under a size cap -----------------------------------------


def test_report_input_fifo_is_refused_not_read(tmp_path: Path) -> None:
    """A FIFO blocks whoever opens it for reading until a writer comes: it is never opened that way."""
    fifo = tmp_path / "gitleaks.json"
    os.mkfifo(fifo)
    run = secscan(
        "report", "--gitleaks", fifo, "--no-ai", "--no-slack", env=base_env(), out=tmp_path / "out", timeout=60
    )
    assert_usage_error(run, "--gitleaks", "not a regular file")
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_report_input_endless_device_is_refused(tmp_path: Path) -> None:
    run = secscan(
        "report", "--trivy", "/dev/zero", "--no-ai", "--no-slack", env=base_env(), out=tmp_path / "out", timeout=60
    )
    assert_usage_error(run, "--trivy", "not a regular file")


def test_report_input_over_the_size_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from secscan import cli, pipeline

    big = semgrep_input(tmp_path)
    monkeypatch.setattr(pipeline, "MAX_INPUT_BYTES", big.stat().st_size - 1)
    code = cli.main(["report", "--semgrep", str(big), "--no-ai", "--no-slack", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "larger than" in err and err.count("\n") == 1
    monkeypatch.setattr(pipeline, "MAX_INPUT_BYTES", big.stat().st_size)
    assert (
        cli.main(["report", "--semgrep", str(big), "--no-ai", "--no-slack", "-q", "--out", str(tmp_path / "out")]) == 1
    )


def test_report_input_through_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(semgrep_input(tmp_path))
    run = secscan("report", "--semgrep", link, "--no-ai", "--no-slack", env=base_env(), out=tmp_path / "out")
    assert run.code == 1, run.stderr
    assert run.report["findings"]


# --- config nesting --------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["arrays", "inline-tables", "tables"])
def test_config_nested_without_end_is_one_line(tmp_path: Path, shape: str) -> None:
    depth = 500
    if shape == "arrays":
        text = "[policy]\nx = " + "[" * depth + "]" * depth + "\n"
    elif shape == "inline-tables":
        text = "x = " + "{a = " * depth + "1" + "}" * depth + "\n"
    else:
        text = "[" + ".".join(["a"] * depth) + "]\n"
    config = tmp_path / "secscan.toml"
    config.write_text(text)
    out = tmp_path / "out"
    run = secscan(
        "report",
        "--semgrep",
        semgrep_input(tmp_path),
        "--config",
        config,
        "--no-ai",
        "--no-slack",
        env=base_env(),
        out=out,
    )
    assert_usage_error(run, "nested deeper than")
    assert not out.exists()


def test_config_of_ordinary_depth_still_loads(tmp_path: Path) -> None:
    config = tmp_path / "secscan.toml"
    config.write_text("[policy]\ncode = 'critical'\n[scan.timeouts]\ntrivy = 10\n")
    run = secscan(
        "report",
        "--semgrep",
        semgrep_input(tmp_path),
        "--config",
        config,
        "--no-ai",
        "--no-slack",
        env=base_env(),
        out=tmp_path / "out",
    )
    assert run.code == 0, run.stderr  # the ERROR (high) finding is below the critical threshold


# --- output folders that point elsewhere -------------------------------------------------------------


@pytest.mark.parametrize("link", ["secscan-report", "secscan-report/raw"])
def test_output_folder_symlink_is_refused(tmp_path: Path, link: str) -> None:
    """A repository may commit `secscan-report -> elsewhere`; the default --out must not follow it."""
    workdir = tmp_path / "checkout"
    elsewhere = tmp_path / "elsewhere"
    workdir.mkdir()
    elsewhere.mkdir()
    (workdir / link).parent.mkdir(parents=True, exist_ok=True)
    (workdir / link).symlink_to(elsewhere, target_is_directory=True)
    run = secscan("report", "--semgrep", semgrep_input(tmp_path), "--no-ai", "--no-slack", env=base_env(), cwd=workdir)
    assert_usage_error(run, "symbolic link")
    assert list(elsewhere.iterdir()) == []


def test_nested_relative_out_through_a_symlinked_parent_is_refused(tmp_path: Path) -> None:
    workdir = tmp_path / "checkout"
    elsewhere = tmp_path / "elsewhere"
    workdir.mkdir()
    elsewhere.mkdir()
    (workdir / "reports").symlink_to(elsewhere, target_is_directory=True)
    run = secscan(
        "report",
        "--semgrep",
        semgrep_input(tmp_path),
        "--no-ai",
        "--no-slack",
        "--out",
        "reports/today",
        env=base_env(),
        cwd=workdir,
    )
    assert_usage_error(run, "symbolic link")
    assert list(elsewhere.iterdir()) == []


def test_raw_folder_made_a_symlink_during_the_run_is_not_written_through(tmp_path: Path) -> None:
    from secscan.errors import OutputError
    from secscan.outputs import write_outputs
    from secscan.report import Report
    from secscan.synthesis.model import Synthesis

    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "raw").symlink_to(elsewhere, target_is_directory=True)
    report = Report(
        verdict="pass",
        reasons=[],
        layers=[],
        findings=[],
        synthesis=Synthesis(source="deterministic", summary="", risk_score=0),
        secscan_version="0",
        generated_at="2026-01-01T00:00:00+00:00",
        mode="report",
    )
    with pytest.raises(OutputError, match="symbolic link"):
        write_outputs(report, {"semgrep": "{}"}, out)
    assert list(elsewhere.iterdir()) == []


def test_baseline_fifo_is_refused_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "baseline.json"
    os.mkfifo(fifo)
    run = secscan(
        "report", "--semgrep", semgrep_input(tmp_path), "--baseline", fifo, "--no-ai", "--no-slack",
        env=base_env(), out=tmp_path / "out", timeout=60,
    )  # fmt: skip
    assert_usage_error(run, "--baseline", "not a regular file")
    assert not (tmp_path / "out").exists()
