"""The parsers against real scanner outputs (the shared corpus), checked against counts and
properties computed independently from the raw JSON.

The corpus is tests/fixtures/corpus (its README says where each file comes from).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import pytest

from conftest import corpus_path
from secscan.config import LicensePolicy
from secscan.errors import ParseError
from secscan.findings import Category, Finding, Severity, assign_ids
from secscan.pipeline import Options, report_from_files
from secscan.policy.licenses import apply_license_policy
from secscan.scanners import gitleaks, semgrep, trivy

CORPUS = corpus_path()
COUNTS: dict[str, dict[str, int]] = json.loads((CORPUS / "counts.json").read_text())
DUMMY_TOKEN = "ghp_" + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # trivy corpus dummy (split: no token stands here)

PARSERS = {"gitleaks": gitleaks.parse, "semgrep": semgrep.parse, "trivy": trivy.parse}


def _is_sarif(name: str) -> bool:
    return name.endswith((".sarif", ".sarif.json")) or "sarif_runs" in COUNTS.get(name, {})


JSON_FILES = sorted(name for name in COUNTS if not _is_sarif(name))
SARIF_FILES = sorted(name for name in COUNTS if _is_sarif(name))


def _params(names: list[str], tool: str | None = None) -> list[str]:
    chosen = [n for n in names if tool is None or n.startswith(f"{tool}/")]
    assert chosen, f"no {tool} file in the corpus"
    return chosen


def _raw(name: str) -> Any:
    return json.loads((CORPUS / name).read_bytes())


def _parse(name: str) -> Any:
    tool = name.split("/", 1)[0]
    return PARSERS[tool]((CORPUS / name).read_bytes())


# --- counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", _params(JSON_FILES))
def test_count_matches_corpus(name: str) -> None:
    counts = COUNTS[name]
    tool = name.split("/", 1)[0]
    parsed = _parse(name)
    if tool == "trivy":
        expected = (
            counts["vulnerabilities"] + counts["misconfigurations_failed"] + counts["secrets"] + counts["licenses"]
        )
    elif tool == "gitleaks":
        expected = counts["findings"]
    else:
        expected = counts["results"]
        assert len(parsed.errors) + len(parsed.notes) == counts["errors"], (parsed.errors, parsed.notes)
    assert len(parsed.findings) == expected


@pytest.mark.parametrize("name", _params(SARIF_FILES))
def test_sarif_is_rejected_not_read_as_empty(name: str) -> None:
    """SARIF is not a parser input: a clear ParseError, never a crash and never "0 findings"."""
    tool = name.split("/", 1)[0]
    with pytest.raises(ParseError) as caught:
        _parse(name)
    assert "\n" not in str(caught.value)
    assert tool in str(caught.value)


# --- trivy ------------------------------------------------------------------------------------------

# the table in secscan.scanners.trivy's docstring
TRIVY_SEVERITY = {"CRITICAL": "critical", "HIGH": "high", "MEDIUM": "medium", "LOW": "low", "UNKNOWN": "medium"}
# trivy's names for results that are not files (langpkg.PkgTargets, license scanner)
TRIVY_PSEUDO_TARGETS = {
    "Python",
    "Conda",
    "Ruby",
    "Node.js",
    "Java",
    "Kubernetes",
    "OS Packages",
    "Loose File License(s)",
}


def _trivy_result_path(document: dict[str, Any], result: dict[str, Any]) -> str | None:
    target = result.get("Target") or ""
    if not target.strip() or target in TRIVY_PSEUDO_TARGETS:
        return None
    if document.get("ArtifactType") == "container_image" and result.get("Class") == "os-pkgs":
        return None  # "image.tar (alpine 3.10.2)": the image, not a file in it
    return target


def _trivy_expected(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    expected = []
    for result in document.get("Results") or []:
        path = _trivy_result_path(document, result)
        for v in result.get("Vulnerabilities") or []:
            expected.append(
                (
                    "vulnerability",
                    v["VulnerabilityID"],
                    TRIVY_SEVERITY[v.get("Severity", "UNKNOWN")],
                    v.get("PkgPath") or path,
                    None,
                    v.get("PkgName"),
                    v.get("InstalledVersion"),
                    v.get("FixedVersion"),
                )
            )
        for m in result.get("Misconfigurations") or []:
            if m.get("Status") != "FAIL":
                continue
            line = (m.get("CauseMetadata") or {}).get("StartLine") or None
            expected.append(
                (
                    "misconfiguration",
                    m.get("ID") or m.get("AVDID"),
                    TRIVY_SEVERITY[m["Severity"]],
                    path,
                    line,
                    None,
                    None,
                    None,
                )
            )
        for s in result.get("Secrets") or []:
            expected.append(
                ("secret", s["RuleID"], TRIVY_SEVERITY[s["Severity"]], path, s.get("StartLine"), None, None, None)
            )
        for lic in result.get("Licenses") or []:
            expected.append(
                (
                    "license",
                    lic["Name"],
                    TRIVY_SEVERITY[lic["Severity"]],
                    lic.get("FilePath") or path,
                    None,
                    lic.get("PkgName") or None,
                    None,
                    None,
                )
            )
    return expected


def _actual(finding: Finding) -> tuple[Any, ...]:
    return (
        finding.category.value,
        finding.rule_id,
        finding.severity.value,
        finding.path,
        finding.line,
        finding.package,
        finding.installed_version,
        finding.fixed_version,
    )


@pytest.mark.parametrize("name", _params(JSON_FILES, "trivy"))
def test_trivy_findings_match_raw(name: str) -> None:
    document = _raw(name)
    layer = "trivy-image" if document.get("ArtifactType") == "container_image" else "trivy"
    parsed = trivy.parse((CORPUS / name).read_bytes(), None, layer)  # type: ignore[operator]
    assert sorted(map(_actual, parsed.findings), key=repr) == sorted(_trivy_expected(document), key=repr)
    for finding in parsed.findings:
        assert finding.scanner == "trivy" and finding.layer == layer
        assert finding.title and "\n" not in finding.title
        if finding.category is Category.VULNERABILITY and finding.fixed_version:
            assert finding.fixed_version in (finding.fix or "")
        if layer == "trivy-image":
            assert finding.target == document["ArtifactName"]


def test_trivy_spot_checks() -> None:
    assert trivy.parse((CORPUS / "trivy/alpine-39-skip.json").read_bytes()).findings == []
    gomod = trivy.parse((CORPUS / "trivy/gomod.json").read_bytes()).findings
    unknown = [f for f in gomod if f.scanner_severity == "UNKNOWN"]
    assert unknown and all(f.severity is Severity.MEDIUM for f in unknown)
    assert {f.path for f in gomod} == {"go.mod", "submod/go.mod", "submod2/go.mod"}
    fluentd = trivy.parse((CORPUS / "trivy/fluentd-gems.json").read_bytes(), None, "trivy-image").findings
    gem = next(f for f in fluentd if f.package == "activesupport")
    assert gem.fixed_version == "6.0.3.1, 5.2.4.3"
    assert gem.path == "var/lib/gems/2.5.0/specifications/activesupport-6.0.2.1.gemspec"
    deb = next(f for f in fluentd if f.package == "libidn2-0")
    assert deb.path is None and deb.severity is Severity.CRITICAL and deb.installed_version == "2.0.5-1"
    secrets = trivy.parse((CORPUS / "trivy/secrets.json").read_bytes()).findings
    assert [(f.rule_id, f.severity.value, f.path, f.line) for f in sorted(secrets, key=lambda f: f.line or 0)] == [
        ("aws-access-key-id", "critical", "deploy.sh", 3),
        ("mysecret", "high", "deploy.sh", 7),
    ]
    for finding in secrets:
        assert DUMMY_TOKEN not in finding.model_dump_json()
    helm = trivy.parse((CORPUS / "trivy/helm_testchart.json").read_bytes()).findings
    assert {f.rule_id for f in helm} >= {"KSV-0001", "KSV-0118"}
    assert all(f.path == "templates/deployment.yaml" for f in helm)
    licences = trivy.parse((CORPUS / "trivy/license-cyclonedx.json").read_bytes()).findings
    assert {(f.rule_id, f.package) for f in licences} == {
        ("EPL-1.0", "org.eclipse.sisu:org.eclipse.sisu.plexus"),
        ("BSD-3-Clause", "org.ow2.asm:asm"),
        ("MIT License", "org.slf4j:slf4j-api"),
    }
    assert all(f.path is None for f in licences)  # "Java" is trivy's group name, not a file


def test_trivy_redact_raw_drops_code_lines() -> None:
    data = (CORPUS / "trivy/secrets.json").read_bytes()
    assert DUMMY_TOKEN.encode() in data  # the fixture does carry it
    assert DUMMY_TOKEN not in trivy.redact_raw(data)


# --- gitleaks -------------------------------------------------------------------------------------

# the rule of secscan.scanners.gitleaks' docstring: cloud / code host / payment / messaging
# credentials and private keys are critical, every other secret high
GITLEAKS_SEVERITY = {"pypi-upload-token": "critical", "test-rule": "high"}


@pytest.mark.parametrize("name", _params(JSON_FILES, "gitleaks"))
def test_gitleaks_findings_match_raw(name: str) -> None:
    items = _raw(name)
    parsed = _parse(name)
    assert [
        (f.rule_id, f.severity.value, f.path, f.line, f.end_line, f.commit, f.category) for f in parsed.findings
    ] == [
        (
            i["RuleID"],
            GITLEAKS_SEVERITY[i["RuleID"]],
            i["File"],
            i["StartLine"],
            i["EndLine"],
            i["Commit"],
            Category.SECRET,
        )
        for i in items
    ]
    for finding, item in zip(parsed.findings, items, strict=True):
        secret = item["Secret"]
        from_scanner = [finding.title, finding.description, finding.locator, finding.snippet, finding.path]
        if secret and set(secret) != {"*"}:
            assert not any(secret in text for text in from_scanner if text), "the secret value leaked into the finding"
        assert finding.cwe == ["CWE-798"]


def test_gitleaks_severity_table() -> None:
    for rule in (
        "aws-access-token",
        "github-pat",
        "gitlab-pat",
        "stripe-access-token",
        "slack-bot-token",
        "private-key",
        "gcp-api-key",
        "azure-ad-client-secret",
        "openai-api-key",
    ):
        assert gitleaks.severity_for(rule) is Severity.CRITICAL, rule
    for rule in ("generic-api-key", "jwt", "password-in-url", "test-rule"):
        assert gitleaks.severity_for(rule) is Severity.HIGH, rule


def test_gitleaks_raw_is_redacted() -> None:
    raw = gitleaks.redact_raw((CORPUS / "gitleaks/json_extra_simple.legacy.json").read_bytes())
    document = json.loads(raw)
    assert document[0]["Secret"] == "REDACTED"
    assert "a secret" not in raw  # also gone from Match and Line


# --- semgrep --------------------------------------------------------------------------------------

# the table in secscan.scanners.semgrep's docstring
SEMGREP_SEVERITY = {
    "CRITICAL": "critical",
    "ERROR": "high",
    "HIGH": "high",
    "WARNING": "medium",
    "MEDIUM": "medium",
    "INFO": "low",
    "LOW": "low",
    "EXPERIMENT": "info",
    "INVENTORY": "info",
}


def _semgrep_severity(result: dict[str, Any]) -> str:
    score = (result["extra"].get("metadata") or {}).get("security-severity")
    if score is not None:
        score = float(score)
        return (
            "critical"
            if score >= 9
            else "high"
            if score >= 7
            else "medium"
            if score >= 4
            else "low"
            if score > 0
            else "info"
        )
    return SEMGREP_SEVERITY[result["extra"]["severity"].upper()]


@pytest.mark.parametrize("name", _params(JSON_FILES, "semgrep"))
def test_semgrep_findings_match_raw(name: str) -> None:
    document = _raw(name)
    parsed = _parse(name)
    bundled = semgrep.bundled_rule_ids()
    assert len(parsed.findings) == len(document["results"])
    for finding, result in zip(parsed.findings, document["results"], strict=True):
        check_id = result["check_id"]
        # the dotted rules-folder prefix only comes off for rules we know (bundled, or named config)
        assert finding.rule_id == check_id or (
            finding.rule_id in bundled and check_id.endswith("." + finding.rule_id)
        ), (finding.rule_id, check_id)
        assert finding.severity.value == _semgrep_severity(result), check_id
        assert finding.scanner_severity == result["extra"]["severity"]
        assert finding.path == result["path"]
        assert finding.line == result["start"]["line"]
        assert finding.end_line == result["end"]["line"]
        assert finding.category is Category.CODE
        assert finding.status == ("suppressed" if result["extra"].get("is_ignored") else "new")
        assert finding.title and "\n" not in finding.title
    levels = Counter("error" if e.get("level", "error") == "error" else "warning" for e in document.get("errors", []))
    assert len(parsed.errors) == levels["error"]
    assert len(parsed.notes) == levels["warning"]
    for error in [*parsed.errors, *parsed.notes]:
        assert error.strip() and "\n" not in error, error


def test_semgrep_nosem_suppressed_count() -> None:
    name = "semgrep/nosem_rule__with_disable_nosem.json"
    ignored = sum(1 for r in _raw(name)["results"] if r["extra"].get("is_ignored") is True)
    parsed = _parse(name)
    assert ignored > 0
    assert sum(1 for f in parsed.findings if f.status == "suppressed") == ignored
    assert all(f.suppression and f.suppression.source == "inline" for f in parsed.findings if f.status == "suppressed")


def test_semgrep_security_severity_wins() -> None:
    assert semgrep.severity_for("INFO", {"security-severity": 9.8}) is Severity.CRITICAL
    assert semgrep.severity_for("INFO", {"security-severity": "7.5"}) is Severity.HIGH
    assert semgrep.severity_for("ERROR", {"security-severity": 5.0}) is Severity.MEDIUM
    assert semgrep.severity_for("ERROR", {"security-severity": 0.1}) is Severity.LOW
    assert semgrep.severity_for("ERROR", {"security-severity": "n/a"}) is Severity.HIGH
    assert semgrep.severity_for("CRITICAL", {}) is Severity.CRITICAL
    assert semgrep.severity_for("something-new", {}) is Severity.MEDIUM


def test_semgrep_rule_id_prefixes(tmp_path: Path) -> None:
    """semgrep prefixes a rule's id with the dotted folder of its rule file: take it off for local configs.

    Shapes as semgrep 1.x produces them: `--config /abs/rules` gives `abs.rules.sub.<id>`
    for a rule in /abs/rules/sub/r.yaml; `--config /abs/rules/sub/r.yaml` gives the same.
    """
    rules = tmp_path / "myrules"
    (rules / "sub").mkdir(parents=True)
    (rules / "sub" / "r.yaml").write_text(
        "rules:\n  - id: my-eval\n    pattern: eval($X)\n    message: m\n    languages: [python]\n    severity: ERROR\n"
        "  - id: 'my.dotted-rule'\n    pattern: exec($X)\n    message: m\n    languages: [python]\n    "
        "severity: ERROR\n"
    )
    dotted = ".".join(part for part in (rules / "sub").parts if part != "/")
    assert semgrep.rule_id(f"{dotted}.my-eval", (str(rules),)) == "my-eval"
    assert semgrep.rule_id(f"{dotted}.my-eval", (str(rules / "sub" / "r.yaml"),)) == "my-eval"
    assert semgrep.rule_id(f"{dotted}.my.dotted-rule", (str(rules),)) == "my.dotted-rule"
    # not one of ours: untouched (registry rules carry meaningful dotted ids)
    assert semgrep.rule_id("python.lang.security.audit.eval-detected.eval-detected", (str(rules),)) == (
        "python.lang.security.audit.eval-detected.eval-detected"
    )
    assert semgrep.rule_id("rules.eqeq-bad") == "rules.eqeq-bad"
    for bundled in sorted(semgrep.bundled_rule_ids())[:3]:
        assert semgrep.rule_id(f"home.ci.site-packages.secscan.rules.python.{bundled}") == bundled


# --- fingerprints --------------------------------------------------------------------------------


def _corpus_findings() -> list[Finding]:
    findings: list[Finding] = []
    for name in JSON_FILES:
        findings += _parse(name).findings
    return findings


def _moved(finding: Finding, by: int) -> Finding:
    return finding.model_copy(
        update={
            "line": (finding.line or 0) + by or None,
            "end_line": (finding.end_line + by) if finding.end_line else None,
        }
    )


def test_ids_do_not_depend_on_line_numbers() -> None:
    findings = _corpus_findings()
    before = [f.id for f in assign_ids(findings)]
    after = [f.id for f in assign_ids([_moved(f, 40) for f in findings])]
    assert before == after
    assert all(re.fullmatch(r"[0-9a-f]{20}", i) for i in before)


def test_moving_one_finding_keeps_its_id() -> None:
    base = Finding(
        scanner="semgrep",
        layer="semgrep",
        category=Category.CODE,
        rule_id="eval-used",
        severity=Severity.HIGH,
        title="eval",
        path="app.py",
        line=10,
        locator="result = eval(x)",
    )
    other = base.model_copy(update={"rule_id": "exec-used", "line": 20, "locator": "exec(y)"})
    ids = {f.rule_id: f.id for f in assign_ids([base, other])}
    moved = {f.rule_id: f.id for f in assign_ids([base.model_copy(update={"line": 95, "end_line": 96}), other])}
    assert ids == moved
    assert ids["eval-used"] != ids["exec-used"]
    # a different file or different code is a different finding
    elsewhere = assign_ids([base.model_copy(update={"path": "other.py"})])[0].id
    changed = assign_ids([base.model_copy(update={"locator": "result = eval(y)"})])[0].id
    assert len({ids["eval-used"], elsewhere, changed}) == 3
    # the same rule twice in one file on identical code: both get distinct ids
    twin = base.model_copy(update={"line": 30})
    assert len({f.id for f in assign_ids([base, twin])}) == 2


def test_vulnerability_id_ignores_fixed_version_and_severity() -> None:
    vuln = Finding(
        scanner="trivy",
        layer="trivy",
        category=Category.VULNERABILITY,
        rule_id="CVE-2018-18074",
        severity=Severity.HIGH,
        title="t",
        path="requirements.txt",
        package="requests",
        installed_version="2.19.0",
        fixed_version="2.20.0",
    )
    later = vuln.model_copy(update={"severity": Severity.CRITICAL, "fixed_version": "2.20.1", "title": "new title"})
    assert assign_ids([vuln])[0].id == assign_ids([later])[0].id


# --- the whole corpus through the pipeline -------------------------------------------------------


def _rounds() -> list[dict[str, Path | None]]:
    """Each report takes one file per layer; the corpus needs several rounds."""
    by_layer: dict[str, list[Path]] = {"gitleaks": [], "semgrep": [], "trivy": [], "trivy-image": []}
    for name in JSON_FILES:
        tool = name.split("/", 1)[0]
        if tool == "trivy" and _raw(name).get("ArtifactType") == "container_image":
            tool = "trivy-image"
        by_layer[tool].append(CORPUS / name)
    rounds = []
    for files in itertools.zip_longest(*by_layer.values()):
        rounds.append(dict(zip(by_layer, files, strict=True)))
    return rounds


def _run(inputs: dict[str, Path | None], out: Path) -> dict[str, Any]:
    options = Options(
        out_dir=out,
        no_ai=True,
        no_slack=True,
        now=lambda: dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        today=dt.date(2026, 1, 2),
    )
    anyio.run(report_from_files, inputs, options, None)  # type: ignore[arg-type]
    return json.loads((out / "report.json").read_text())


@pytest.fixture(scope="module")
def corpus_reports(
    tmp_path_factory: pytest.TempPathFactory,
) -> list[tuple[dict[str, Path | None], Path, dict[str, Any]]]:
    root = tmp_path_factory.mktemp("corpus-reports")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)  # no secscan.toml from wherever pytest was started
        for variable in ("OPENAI_API_KEY", "SLACK_WEBHOOK_URL", "SLACK_BOT_TOKEN"):
            patch.delenv(variable, raising=False)
        results = []
        for index, inputs in enumerate(_rounds()):
            out = root / f"round-{index}"
            results.append((inputs, out, _run(inputs, out)))
    return results


def test_pipeline_reports_every_corpus_finding(corpus_reports: list[Any]) -> None:
    for inputs, _, report in corpus_reports:
        names = {layer: path.name for layer, path in inputs.items() if path}
        statuses = {entry["name"]: entry["status"] for entry in report["layers"]}
        for layer, path in inputs.items():
            if path is None:
                assert statuses[layer] == "skipped"
        expected = set()
        for layer, path in inputs.items():
            if path is None:
                continue
            parsed = PARSERS["trivy" if layer == "trivy-image" else layer](path.read_bytes())
            # the default licence policy drops allowed licences and groups the rest per licence
            licensed = apply_license_policy(parsed.findings, LicensePolicy()).findings
            expected |= {(f.category.value, f.rule_id, f.path, f.package) for f in licensed}
            assert statuses[layer] == ("error" if parsed.errors else "ok"), (names, report["layers"])
        got = {(f["category"], f["rule_id"], f["path"], f["package"]) for f in report["findings"]}
        assert got == expected, names  # de-duplication may merge, never lose a distinct problem


def test_pipeline_ids_unique_and_ordered(corpus_reports: list[Any]) -> None:
    severity_rank = {s.value: s.rank for s in Severity}
    for inputs, _, report in corpus_reports:
        findings = report["findings"]
        ids = [f["id"] for f in findings]
        assert len(ids) == len(set(ids)), inputs
        assert all(re.fullmatch(r"[0-9a-f]{20}", i) for i in ids)
        # the risk model's order: suppressed last, new before known, then score, severity, place
        keys = [
            (
                f["status"] == "suppressed",
                f["status"] != "new",
                -f["risk"]["score"],
                -severity_rank[f["severity"]],
                f["category"],
                f["path"] or f.get("target") or "",
                f["line"] or 0,
                f["rule_id"],
                f["id"],
            )
            for f in findings
        ]
        assert keys == sorted(keys), inputs


def test_pipeline_is_deterministic(corpus_reports: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for variable in ("OPENAI_API_KEY", "SLACK_WEBHOOK_URL", "SLACK_BOT_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    for index, (inputs, out, report) in enumerate(corpus_reports):
        again = _run(inputs, tmp_path / f"again-{index}")
        assert again == report, inputs
        for first in sorted(out.rglob("*")):
            if first.is_file() and first.name != "report.html":
                second = tmp_path / f"again-{index}" / first.relative_to(out)
                assert second.read_bytes() == first.read_bytes(), first.relative_to(out)


def test_pipeline_output_never_contains_the_dummy_token(corpus_reports: list[Any]) -> None:
    rounds_with_secrets = [
        out for inputs, out, _ in corpus_reports if inputs["trivy"] and inputs["trivy"].name == "secrets.json"
    ]
    assert rounds_with_secrets, "trivy/secrets.json did not go through the pipeline"
    raw = rounds_with_secrets[0] / "raw" / "trivy.json"
    assert raw.is_file()
    assert DUMMY_TOKEN not in raw.read_text()
    assert "ghp_" not in raw.read_text()
    for _, out, _ in corpus_reports:
        for path in out.rglob("*"):
            if path.is_file():
                assert DUMMY_TOKEN.encode() not in path.read_bytes(), path


def test_pipeline_raw_files_are_the_scanners_json(corpus_reports: list[Any]) -> None:
    for inputs, out, _ in corpus_reports:
        for layer, path in inputs.items():
            raw = out / "raw" / f"{layer}.json"
            if path is None:
                assert not raw.exists()
                continue
            original = json.loads(path.read_bytes())
            kept = json.loads(raw.read_text())
            assert type(kept) is type(original)
            if layer == "semgrep":
                assert len(kept["results"]) == len(original["results"])
            elif layer == "gitleaks":
                assert len(kept) == len(original)
            else:
                assert len(kept.get("Results") or []) == len(original.get("Results") or [])


# --- malformed variants of real outputs: a ParseError or a result, never a crash ------------------

_ODD_VALUES: list[Any] = [None, 0, 7, 1.5, True, "", "x", [], [1], ["a"], {}, {"a": 1}, [{}], [None]]


def _json_paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _json_paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document[:2]):
            found += _json_paths(value, (*prefix, index))
    return found


def _trimmed(document: Any) -> Any:
    """Every list cut to two items: the same shapes, a fraction of the text to redact."""
    if isinstance(document, dict):
        return {key: _trimmed(value) for key, value in document.items()}
    if isinstance(document, list):
        return [_trimmed(value) for value in document[:2]]
    return document


def _replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    document = json.loads(json.dumps(document))
    cursor = document
    for key in path[:-1]:
        cursor = cursor[key]
    cursor[path[-1]] = value
    return document


@pytest.mark.parametrize("name", _params(JSON_FILES))
def test_malformed_variants_never_crash(name: str) -> None:
    import random

    tool = name.split("/", 1)[0]
    module = {"gitleaks": gitleaks, "semgrep": semgrep, "trivy": trivy}[tool]
    document = _trimmed(_raw(name))
    rng = random.Random(name)
    paths = _json_paths(document)
    for path in rng.sample(paths, min(len(paths), 8)):
        for value in rng.sample(_ODD_VALUES, 3):
            data = json.dumps(_replaced(document, path, value)).encode()
            try:
                parsed = module.parse(data)
            except ParseError as exc:
                assert "\n" not in str(exc)
            else:
                assert all("\n" not in error for error in [*parsed.errors, *parsed.notes])
            json.loads(module.redact_raw(data))


# shapes that once crashed a parser or redact_raw with TypeError/AttributeError
_KNOWN_ODD_SHAPES = [
    ("trivy/dockerfile.json", ("Results", 0, "Misconfigurations", 0, "References"), 5),
    ("trivy/helm_testchart.json", ("Results", 0, "Misconfigurations", 0, "CauseMetadata", "Code"), [1]),
    ("trivy/helm_testchart.json", ("Results", 0, "Misconfigurations", 0, "CauseMetadata", "Code"), "x"),
    ("trivy/alpine-310.json", ("Results", 0, "Vulnerabilities", 0, "CweIDs"), 5),
    ("trivy/alpine-310.json", ("Results", 0, "Vulnerabilities", 0, "References"), True),
    ("trivy/alpine-310.json", ("Metadata", "ImageConfig", "history"), 5),
    ("trivy/secrets.json", ("Results", 0, "Secrets"), 5),
    ("semgrep/autofix_django-none-password-default_dryrun.json", ("results", 0, "extra", "metavars"), [1]),
    ("semgrep/autofix_django-none-password-default_dryrun.json", ("results",), 5),
]


@pytest.mark.parametrize("name, path, value", _KNOWN_ODD_SHAPES)
def test_known_odd_shapes(name: str, path: tuple[Any, ...], value: Any) -> None:
    module = {"semgrep": semgrep, "trivy": trivy}[name.split("/", 1)[0]]
    data = json.dumps(_replaced(_raw(name), path, value)).encode()
    with contextlib.suppress(ParseError):
        module.parse(data)
    json.loads(module.redact_raw(data))
