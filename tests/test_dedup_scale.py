"""De-duplication is linear in the findings, and the analysis has a time budget.

One hostile file with 100,000 secrets took over ten minutes in `deduplicate` (every secret was
compared with every other secret of its file). These tests check the indexed version gives
exactly what the pairwise rule gives (against a plain reference of that rule, on random input),
and that 100,000 findings in one file are de-duplicated correctly within a generous sanity bound
(the speed target itself is measured by benchmarks/one_file.py, not asserted here).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from secscan.findings import Category, Finding, Severity, deduplicate
from secscan.findings.dedup import _combine, _is_worktree_secret, _merge_key, _overlaps


def secret(
    scanner: str,
    line: int | None,
    end: int | None = None,
    rule: str = "generic-api-key",
    path: str | None = "bundle.min.js",
    in_head: bool | None = None,
) -> Finding:
    return Finding(
        scanner=scanner,  # type: ignore[arg-type]
        layer=scanner,  # type: ignore[arg-type]
        category=Category.SECRET,
        rule_id=rule,
        severity=Severity.HIGH,
        title=f"{rule} found",
        path=path,
        line=line,
        end_line=end,
        in_head=in_head,
    )


def pairwise_reference(findings: list[Finding]) -> list[Finding]:
    """The rule as first written: compare each secret with every earlier one of its file."""
    merged: dict[tuple[object, ...], Finding] = {}
    for finding in findings:
        if not finding.scanners:
            finding = finding.model_copy(update={"scanners": [finding.scanner]})
        key = _merge_key(finding)
        merged[key] = _combine(merged[key], finding) if key in merged else finding
    by_path: dict[str | None, list[Finding]] = {}
    result: list[Finding] = []
    for finding in merged.values():
        if not _is_worktree_secret(finding):
            result.append(finding)
            continue
        same_file = by_path.setdefault(finding.path, [])
        for index, other in enumerate(same_file):
            if other.scanner != finding.scanner and _overlaps(other, finding):
                same_file[index] = _combine(other, finding)
                break
        else:
            same_file.append(finding)
    for same_file in by_path.values():
        result.extend(same_file)
    return result


def random_findings(rng: random.Random, count: int) -> list[Finding]:
    findings = []
    for _ in range(count):
        start = rng.choice([None, *range(0, 40)])
        end = None if start is None or rng.random() < 0.5 else start + rng.choice([0, 1, 3, 8, 5000])
        findings.append(
            secret(
                rng.choice(["gitleaks", "trivy"]),
                start,
                end,
                rule=rng.choice(["generic-api-key", "aws-access-token", "private-key"]),
                path=rng.choice(["a.py", "b.py", None]),
                in_head=rng.choice([None, True, False]),
            )
        )
    return findings


@pytest.mark.parametrize("seed", range(40))
def test_indexed_dedup_gives_what_the_pairwise_rule_gives(seed: int) -> None:
    rng = random.Random(seed)
    findings = random_findings(rng, rng.randint(1, 300))
    expected = pairwise_reference(findings)
    got = deduplicate(findings)
    assert [f.model_dump() for f in got] == [f.model_dump() for f in expected]


def test_one_file_with_100000_secrets_dedups_correctly_and_fast() -> None:
    """Half from gitleaks, half from trivy, every trivy secret on a line gitleaks also found (and a
    minified bundle: 20,000 of them all on line 1, as the issue's one-line file)."""
    count = 50_000
    gitleaks = [secret("gitleaks", line) for line in range(2, count + 2)]
    trivy = [secret("trivy", line, rule="aws-access-key-id") for line in range(2, count + 2)]
    one_line = [secret(scanner, 1, rule=f"rule-{i}") for i in range(10_000) for scanner in ("gitleaks", "trivy")]
    findings = [*gitleaks, *trivy, *one_line]
    assert len(findings) >= 100_000
    started = time.perf_counter()
    result = deduplicate(findings)
    elapsed = time.perf_counter() - started
    assert len(result) == count + 10_000  # each trivy secret merged into gitleaks' on its line
    assert all(f.scanner == "gitleaks" for f in result)
    assert all(f.scanners == ["gitleaks", "trivy"] for f in result if f.line != 1)
    # on line 1 every trivy secret overlaps the first gitleaks one: the rule merges them all there
    assert [f.rule_id for f in result if f.line == 1 and f.scanners == ["gitleaks", "trivy"]] == ["rule-0"]
    assert sorted(f.line or 0 for f in result if f.line != 1) == list(range(2, count + 2))
    assert elapsed < 60, f"{elapsed:.1f} s: quadratic again? (benchmarks/one_file.py measures the target)"


def test_analysis_past_its_budget_fails_closed(tmp_path: Path) -> None:
    import anyio

    from secscan.errors import AnalysisTimeout
    from secscan.pipeline import Options, report_from_files

    gitleaks = tmp_path / "gitleaks.json"
    gitleaks.write_text("[]")
    out = tmp_path / "out"
    with pytest.raises(AnalysisTimeout, match="budget") as raised:
        anyio.run(
            lambda: report_from_files(
                {"gitleaks": gitleaks}, Options(out_dir=out, no_ai=True, no_slack=True, analysis_budget_s=-1)
            )
        )
    assert "failing closed" in str(raised.value)
    assert not (out / "report.json").exists()


def test_analysis_budget_is_one_line_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from secscan import budget, cli

    gitleaks = tmp_path / "gitleaks.json"
    gitleaks.write_text("[]")
    monkeypatch.setattr(budget, "DEFAULT_ANALYSIS_BUDGET_S", -1.0)
    code = cli.main(["report", "--gitleaks", str(gitleaks), "--no-ai", "--no-slack", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "budget" in err and "failing closed" in err, err
    assert not (tmp_path / "out" / "report.json").exists()
