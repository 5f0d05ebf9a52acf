"""Reports for the output-format tests: built from the real scanner corpus, or generated.

Corpus reports go through the whole pipeline (`report_from_files`): parsers, redaction,
dedup, ids, policy suppressions, baseline, gate, deterministic synthesis.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections.abc import Sequence
from pathlib import Path

import anyio

from corpus import corpus_root
from secscan.findings.model import Category, Finding, LayerName, ScannerName, Severity, Suppression
from secscan.pipeline import Options, report_from_files
from secscan.report import LayerReport, Report, Target, count_findings
from secscan.synthesis.model import Synthesis

FIXED_NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)

# The real token-shaped string in trivy's secrets fixture (dummy, but a secret scanner's catch).
CORPUS_TOKEN = "ghp_" + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # trivy corpus dummy (split: no token stands here)

# Every layer, inline (nosemgrep) and policy suppressions, secrets, image packages with in-image paths.
RICH = {
    "gitleaks": "gitleaks/baseline.json",
    "semgrep": "semgrep/nosem_rule__with_disable_nosem.json",
    "trivy": "trivy/secrets.json",
    "trivy-image": "trivy/fluentd-gems.json",
}
# Misconfigurations with lines and references, vulnerabilities with lockfile paths.
MIXED = {
    "gitleaks": "gitleaks/json_simple.json",
    "semgrep": "semgrep/paths.json",
    "trivy": "trivy/helm_testchart.json",
    "trivy-image": "trivy/debian-buster.json",
}
POLICY = """
# the corpus's semgrep output carries nosemgrep-suppressed results: this operator honours them
[policy]
repository_exceptions = "honour"

[[suppress]]
rule = "mysecret"
reason = "test fixture, not a real credential"
owner = "security@example.com"
expires = "2099-01-01"
"""


def corpus_files(scanner: str) -> list[str]:
    """Every JSON output of one scanner in the corpus (SARIF files are not inputs)."""
    return sorted(p.name for p in (corpus_root() / scanner).glob("*.json") if ".sarif" not in p.name)


def build_report(
    out_dir: Path,
    inputs: dict[str, str | None],
    *,
    policy: str | None = None,
    baseline_ids: Sequence[str] = (),
    now: dt.datetime = FIXED_NOW,
) -> Report:
    """The real pipeline on corpus files; `inputs` maps a layer to a path under the corpus."""
    root = corpus_root()
    layers: dict[LayerName, Path | None] = {"gitleaks": None, "semgrep": None, "trivy": None, "trivy-image": None}
    for layer, relative in inputs.items():
        assert layer in layers
        layers[layer] = root / relative if relative else None  # type: ignore[index,unused-ignore]
    config_path = None
    if policy is not None:
        config_path = out_dir / "secscan.toml"
        config_path.parent.mkdir(parents=True, exist_ok=True)
        config_path.write_text(policy, encoding="utf-8")
    baseline_path = None
    if baseline_ids:
        baseline_path = out_dir / "baseline.json"
        baseline_path.parent.mkdir(parents=True, exist_ok=True)
        baseline_path.write_text(json.dumps({"findings": [{"id": i} for i in baseline_ids]}), encoding="utf-8")
    options = Options(
        out_dir=out_dir / "out",
        config_path=config_path,
        baseline_path=baseline_path,
        no_ai=True,
        no_slack=True,
        today=now.date(),
        now=lambda: now,
    )
    return anyio.run(report_from_files, layers, options)


def rich_report(tmp_path: Path) -> Report:
    """RICH, with a policy suppression and the semgrep findings as a baseline (status `existing`)."""
    first = build_report(tmp_path / "first", dict(RICH), policy=POLICY)
    semgrep_ids = [f.id for f in first.findings if f.layer == "semgrep" and f.status == "new"][:3]
    return build_report(tmp_path / "second", dict(RICH), policy=POLICY, baseline_ids=semgrep_ids)


# --- generated reports --------------------------------------------------------------------

_SCANNER: dict[LayerName, ScannerName] = {
    "gitleaks": "gitleaks",
    "semgrep": "semgrep",
    "trivy": "trivy",
    "trivy-image": "trivy",
}
_CATEGORY: dict[LayerName, Category] = {
    "gitleaks": Category.SECRET,
    "semgrep": Category.CODE,
    "trivy": Category.VULNERABILITY,
    "trivy-image": Category.VULNERABILITY,
}


def finding_id(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:20]


def make_finding(index: int, layer: LayerName, severity: Severity, **overrides: object) -> Finding:
    """A realistic finding: rules, paths and packages repeat the way they do in real scans."""
    category = _CATEGORY[layer]
    rule = f"{layer}-rule-{index % 40:02d}"
    values: dict[str, object] = {
        "id": finding_id(layer, index),
        "scanner": _SCANNER[layer],
        "layer": layer,
        "scanners": [_SCANNER[layer]],
        "category": category,
        "rule_id": rule,
        "severity": severity,
        "title": f"Problem found by {rule}",
        "path": f"src/module_{index % 300:03d}/file.py",
        "line": index % 500 + 1,
        "description": f"What {rule} looks for, and why it matters.",
        "fix": f"Apply the fix documented for {rule}.",
        "references": [f"https://example.com/rules/{rule}"],
        "cwe": ["CWE-79"] if category is Category.CODE else [],
    }
    if category is Category.VULNERABILITY:
        values.update(
            package=f"package-{index % 60}",
            installed_version="1.0.0",
            fixed_version="1.0.1" if index % 3 else None,
            path="requirements.txt" if layer == "trivy" else None,
            line=None,
            target="registry.example.com/app:1.2.3" if layer == "trivy-image" else None,
        )
    if category is Category.SECRET:
        values.update(cwe=["CWE-798"], commit=f"{index:040x}")
    values.update(overrides)
    return Finding.model_validate(values)


def generated_report(findings: list[Finding], layers: Sequence[LayerName] | None = None) -> Report:
    """A report around these findings; every named layer ran fine."""
    names = list(layers) if layers is not None else sorted({f.layer for f in findings})
    new = [f for f in findings if f.status == "new"]
    return Report(
        verdict="fail" if new else "pass",
        reasons=[f"{len(new)} new findings"] if new else [],
        layers=[
            LayerReport(name=name, status="ok", version="1.0", findings=sum(f.layer == name for f in findings))
            for name in names
        ],
        findings=findings,
        synthesis=Synthesis(source="deterministic", summary=f"{len(findings)} findings.", risk_score=50),
        secscan_version="0.1.0",
        generated_at=FIXED_NOW.isoformat(),
        mode="report",
        target=Target(repository="example/app", ref="main", commit="0" * 40),
        counts=count_findings(findings),
    )


def many_findings(count: int, layer: LayerName = "semgrep", seed: int = 7) -> list[Finding]:
    """`count` findings of every severity and status, in a shuffled (not severity) order."""
    severities = list(Severity)
    rng = random.Random(seed)
    findings = []
    for index in range(count):
        status = "new" if index % 7 else "existing"
        extra: dict[str, object] = {"status": status}
        if index % 11 == 0:
            extra = {
                "status": "suppressed",
                "suppression": Suppression(reason="accepted risk", owner="team", expires="2099-01-01"),
            }
        findings.append(make_finding(index, layer, severities[index % len(severities)], **extra))
    rng.shuffle(findings)
    return findings
