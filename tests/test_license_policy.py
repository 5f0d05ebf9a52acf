"""Licences by policy (issue 16, point 2): allowed licences produce no findings, the rest are one
finding per licence, by SPDX id or trivy category, configurable in [policy.licenses]."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from fakes import trivy_report
from secscan.errors import ConfigError
from secscan.pipeline import Options, report_from_files
from secscan.report import Report

# (licence, trivy category, trivy severity, package)
LICENCES = [
    ("MIT", "notice", "LOW", "express"),
    ("MIT", "notice", "LOW", "lodash"),
    ("MIT/X11", "unknown", "UNKNOWN", "underscore"),  # trivy does not know this spelling of MIT
    ("ISC", "notice", "LOW", "glob"),
    ("Unlicense", "unencumbered", "LOW", "tweetnacl"),
    ("GPL-3.0", "restricted", "HIGH", "readline-gpl"),
    ("GPL-3.0", "restricted", "HIGH", "gpl-helper"),
    ("AGPL-3.0", "forbidden", "CRITICAL", "agpl-server"),
    ("LGPL-2.1", "reciprocal", "MEDIUM", "libfoo"),
    ("Acme-Proprietary", "unknown", "UNKNOWN", "acme"),
]


def trivy_licences() -> dict[str, Any]:
    document = trivy_report()
    document["Results"] = [
        {
            "Target": "Node.js",
            "Class": "license",
            "Licenses": [
                {
                    "Severity": severity,
                    "Category": category,
                    "PkgName": package,
                    "FilePath": f"node_modules/{package}/package.json",
                    "Name": name,
                    "Confidence": 1,
                    "Link": "",
                }
                for name, category, severity, package in LICENCES
            ],
        }
    ]
    return document


def run(tmp_path: Path, policy: str = "") -> Report:
    trivy_json = tmp_path / "trivy.json"
    trivy_json.write_text(json.dumps(trivy_licences()))
    config = tmp_path / "secscan.toml"
    config.write_text(policy)
    options = Options(out_dir=tmp_path / "out", config_path=config, no_ai=True, no_slack=True)
    inputs = {"gitleaks": None, "semgrep": None, "trivy": trivy_json, "trivy-image": None}
    return anyio.run(report_from_files, inputs, options)  # type: ignore[arg-type]


def licences(report: Report) -> dict[str, Any]:
    return {f.rule_id: f for f in report.findings if f.category.value == "license"}


def test_default_policy_reports_only_what_a_company_acts_on(tmp_path: Path) -> None:
    report = run(tmp_path)
    found = licences(report)
    # notice/permissive/unencumbered are allowed (MIT/X11 read as MIT); one finding per licence
    assert set(found) == {"GPL-3.0", "AGPL-3.0", "LGPL-2.1", "Acme-Proprietary"}
    gpl = found["GPL-3.0"]
    assert "2 packages" in gpl.title and "gpl-helper" in gpl.title and "readline-gpl" in gpl.title
    assert found["AGPL-3.0"].severity.value == "critical"
    assert any("licence policy: 5 licence finding(s) of allowed licences not reported" in w for w in report.warnings)
    assert report.verdict == "pass"  # policy.license = "none": reported, never failing


def test_allowed_licences_produce_no_findings_and_an_id_beats_a_category(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        '[policy.licenses]\nallow = ["notice", "GPL-3.0", "Acme-Proprietary"]\ndeny = ["forbidden", "ISC"]\n'
        'unlisted = "ignore"\n',
    )
    found = licences(report)
    # GPL-3.0 allowed by id over its category; ISC denied by id though notice is allowed;
    # Unlicense and LGPL-2.1 are on neither list: ignored
    assert set(found) == {"AGPL-3.0", "ISC"}


def test_a_gate_on_licences_still_works(tmp_path: Path) -> None:
    report = run(tmp_path, '[policy]\nlicense = "high"\n')
    assert report.verdict == "fail"
    assert any(r.startswith("license: 2 new findings") for r in report.reasons), report.reasons


def test_bad_licence_config_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        run(tmp_path, '[policy.licenses]\nunlisted = "maybe"\n')
