"""The GitLab security reports validate against GitLab's own published schemas (15.0.7, vendored)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from outputs_fixtures import MIXED, RICH, build_report, rich_report
from secscan.outputs import formats
from secscan.outputs.gitlab import GITLAB_REPORTS, SCHEMA_VERSION
from secscan.report import Report

SCHEMAS = Path(__file__).parent / "fixtures" / f"gitlab-security-report-schemas-{SCHEMA_VERSION}"
KINDS = {
    "gl-secret-detection-report.json": "secret-detection",
    "gl-sast-report.json": "sast",
    "gl-dependency-scanning-report.json": "dependency-scanning",
    "gl-container-scanning-report.json": "container-scanning",
}


def _validator(filename: str) -> Draft7Validator:
    schema = json.loads((SCHEMAS / f"{KINDS[filename]}-report-format.json").read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def _documents(report: Report) -> dict[str, dict[str, Any]]:
    return {output.filename: json.loads(output.render(report)) for output in GITLAB_REPORTS}


def _assert_valid(filename: str, document: dict[str, Any]) -> None:
    errors = sorted(_validator(filename).iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


@pytest.mark.parametrize("inputs", [RICH, MIXED], ids=["rich", "mixed"])
def test_every_gitlab_report_validates(tmp_path: Path, inputs: dict[str, str]) -> None:
    report = build_report(tmp_path, dict(inputs))
    documents = _documents(report)
    assert set(documents) == set(KINDS)
    for filename, document in documents.items():
        _assert_valid(filename, document)
    # each report carries its category's findings (suppressed ones left out)
    unsuppressed = [f for f in report.findings if f.status != "suppressed"]
    secrets = [f for f in unsuppressed if f.category.value == "secret" and f.layer != "trivy-image"]
    assert len(documents["gl-secret-detection-report.json"]["vulnerabilities"]) == len(secrets) > 0
    code = [f for f in unsuppressed if f.category.value in ("code", "misconfiguration") and f.layer != "trivy-image"]
    assert len(documents["gl-sast-report.json"]["vulnerabilities"]) == len(code)
    image = [f for f in unsuppressed if f.layer == "trivy-image" and f.category.value == "vulnerability"]
    assert len(documents["gl-container-scanning-report.json"]["vulnerabilities"]) == len(image) > 0


def test_rich_report_with_suppressions_and_baseline_validates(tmp_path: Path) -> None:
    report = rich_report(tmp_path)
    for filename, document in _documents(report).items():
        _assert_valid(filename, document)
        ids = [v["id"] for v in document["vulnerabilities"]]
        assert len(ids) == len(set(ids)), filename


def test_the_schemas_reject_a_broken_report(tmp_path: Path) -> None:
    """The vendored schemas do check: a report without its scan, or with a bad severity, fails."""
    document = _documents(build_report(tmp_path, dict(MIXED)))["gl-sast-report.json"]
    broken = {**document, "scan": {**document["scan"], "type": "dast"}}
    assert list(_validator("gl-sast-report.json").iter_errors(broken))
    if document["vulnerabilities"]:
        bad = {**document, "vulnerabilities": [{**document["vulnerabilities"][0], "severity": "severe"}]}
        assert list(_validator("gl-sast-report.json").iter_errors(bad))


def test_container_report_only_with_an_image(tmp_path: Path) -> None:
    without_image = build_report(tmp_path / "a", {"gitleaks": RICH["gitleaks"], "semgrep": RICH["semgrep"]})
    written = {output.filename for output in formats() if getattr(output, "applies", lambda r: True)(without_image)}
    assert "gl-container-scanning-report.json" not in written
    assert {"gl-secret-detection-report.json", "gl-sast-report.json", "gl-dependency-scanning-report.json"} <= written
