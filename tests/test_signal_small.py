"""The small things a new user trips on (issue 16, point 5): whole titles, a trivy DB message that
names its remedy once, a file given as PATH, an empty --layers, and one run's outputs never mixed
with an earlier run's."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest

from fakes import GITLEAKS_FINDING, gitleaks_report, semgrep_report, semgrep_result, trivy_report
from secscan.cli import main
from secscan.findings.titles import first_sentence, shorten, title_from_message
from secscan.pipeline import Options, report_from_files
from secscan.policy.gate import LayerOutcome, evaluate
from secscan.scanners import semgrep
from secscan.scanners.trivy import db_unavailable_message

DOCKER_MESSAGE = (
    "Image is referenced by a mutable tag or branch (e.g. `latest` or `main`). Pin it by digest so a "
    "rebuild cannot silently pull different code."
)


def test_a_title_is_the_first_sentence_whole_not_cut_at_an_abbreviation() -> None:
    assert first_sentence(DOCKER_MESSAGE) == "Image is referenced by a mutable tag or branch (e.g. `latest` or `main`)"
    assert first_sentence("Use sha256 instead, i.e. hashlib.sha256(). It is not broken.") == (
        "Use sha256 instead, i.e. hashlib.sha256()"
    )
    assert first_sentence("Version 1.2.3 of the parser is affected") == "Version 1.2.3 of the parser is affected"


def test_a_long_title_is_cut_at_a_word_with_an_ellipsis_never_inside_a_bracket() -> None:
    text = (
        "Detected a call to subprocess with shell=True "
        "(the command string comes from request data and is passed to a shell)"
    )
    cut = shorten(text, 80)
    assert cut.endswith("…") and len(cut) <= 80
    assert "(" not in cut, cut  # the bracket it could not close is left out whole
    assert cut == "Detected a call to subprocess with shell=True…"
    words = shorten("alpha beta gamma delta epsilon zeta eta theta", 20)
    assert words == "alpha beta gamma…"
    assert shorten("short enough", 80) == "short enough"


def test_semgrep_titles_are_whole_sentences() -> None:
    document = semgrep_report([semgrep_result(message=DOCKER_MESSAGE)])
    parsed = semgrep.parse(json.dumps(document).encode())
    assert parsed.findings[0].title == title_from_message(DOCKER_MESSAGE, "x")
    assert parsed.findings[0].title.endswith("(e.g. `latest` or `main`)")


def test_the_trivy_db_message_names_the_remedy_and_the_layer_once() -> None:
    message = db_unavailable_message("trivy", "failed to download vulnerability DB")
    for remedy in (
        "--download-db-only",
        "TRIVY_CACHE_DIR",
        "--layers",
        "policy.optional_layers",
        "scan.trivy_db_repositories",
    ):
        assert remedy in message
    decision = evaluate([], [LayerOutcome(name="trivy", status="error", error=message)], _policy())
    assert decision.reasons[0].startswith("layer trivy failed: vulnerability DB unavailable")
    assert "trivy: trivy:" not in " ".join(decision.reasons)


def test_report_mode_does_not_double_the_layer_name(tmp_path: Path) -> None:
    """The same message through the whole pipeline: reasons, summary and outputs say `trivy:` once."""
    trivy_json = tmp_path / "trivy.json"
    trivy_json.write_text(json.dumps(trivy_report()))
    out = tmp_path / "out"

    def with_db_error(result):  # type: ignore[no-untyped-def]
        error = db_unavailable_message("trivy", "failed to download vulnerability DB")
        return result.model_copy(update={"status": "error", "error": error}) if result.name == "trivy" else result

    inputs = {"gitleaks": None, "semgrep": None, "trivy": trivy_json, "trivy-image": None}
    report = anyio.run(
        lambda: report_from_files(inputs, Options(out_dir=out, no_ai=True, no_slack=True), adjust=with_db_error)
    )  # type: ignore[arg-type]
    assert report.verdict == "fail"
    for name in ("report.json", "report.md"):
        assert "trivy: trivy:" not in (out / name).read_text()


def _policy():  # type: ignore[no-untyped-def]
    from secscan.config import PolicyConfig

    return PolicyConfig()


def test_a_file_as_path_says_it_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "app.py"
    file.write_text("print(1)\n")
    assert main(["scan", str(file), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a directory" in err and "no such directory" not in err
    assert not (tmp_path / "out").exists()
    assert main(["scan", str(tmp_path / "missing"), "--out", str(tmp_path / "out")]) == 2
    assert "no such directory" in capsys.readouterr().err


def test_empty_layers_says_it_is_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["scan", str(tmp_path), "--layers", "", "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--layers is empty" in err and "(none)" not in err
    with pytest.raises(SystemExit):
        main(["scan", str(tmp_path), "--layers", " , ", "--out", str(tmp_path / "out")])
    assert "--layers is empty" in capsys.readouterr().err


def test_an_output_folder_holds_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A second run into the same --out leaves no raw/ file of the first run's layers behind,
    so `secscan report` on raw/ cannot mix the two runs."""
    gitleaks_json = tmp_path / "gitleaks.json"
    gitleaks_json.write_text(json.dumps(gitleaks_report(GITLEAKS_FINDING)))
    semgrep_json = tmp_path / "semgrep.json"
    semgrep_json.write_text(json.dumps(semgrep_report([semgrep_result()])))
    out = tmp_path / "out"
    main(["report", "--gitleaks", str(gitleaks_json), "--semgrep", str(semgrep_json), "--out", str(out), "--quiet"])
    assert (out / "raw" / "gitleaks.json").is_file()
    (out / "notes.txt").write_text("the user's own file")

    main(["report", "--semgrep", str(semgrep_json), "--out", str(out), "--quiet"])
    capsys.readouterr()
    assert not (out / "raw" / "gitleaks.json").exists()
    assert (out / "raw" / "semgrep.json").is_file()
    assert (out / "notes.txt").read_text() == "the user's own file"  # not ours: untouched
    report = json.loads((out / "report.json").read_text())
    assert {f["scanner"] for f in report["findings"]} == {"semgrep"}
