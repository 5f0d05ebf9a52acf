"""De-duplication, directly: which reports are one problem, and what the merged finding says."""

from __future__ import annotations

from secscan.findings.dedup import deduplicate, order
from secscan.findings.model import Category, Severity
from support.findings import make_finding

S, C, V = Category.SECRET, Category.CODE, Category.VULNERABILITY


def test_an_exact_repeat_merges_keeping_the_worst_severity_and_every_reference() -> None:
    a = make_finding(C, Severity.MEDIUM, "eval", references=["https://a"], cwe=["CWE-95"])
    b = make_finding(C, Severity.HIGH, "eval", references=["https://b", "https://a"], cwe=["CWE-94"])
    [merged] = deduplicate([a, b])
    assert merged.severity is Severity.HIGH
    assert merged.references == ["https://a", "https://b"]
    assert merged.cwe == ["CWE-95", "CWE-94"]
    assert merged.scanners == ["semgrep"]


def test_different_lines_rules_or_files_stay_apart() -> None:
    base = make_finding(C, rule="eval")
    others = [
        base.model_copy(update={"line": 4}),
        base.model_copy(update={"rule_id": "exec"}),
        base.model_copy(update={"path": "other.py"}),
    ]
    assert len(deduplicate([base, *others])) == 4


def test_one_secret_seen_by_gitleaks_and_trivy_is_one_finding_in_gitleaks_words() -> None:
    trivy = make_finding(S, Severity.CRITICAL, "github-pat", layer="trivy", line=5, title="trivy's title")
    gitleaks = make_finding(S, Severity.HIGH, "github-pat", line=5, end_line=5, title="gitleaks' title", in_head=True)
    [merged] = deduplicate([trivy, gitleaks])
    assert merged.scanner == "gitleaks" and merged.title == "gitleaks' title"
    assert merged.scanners == ["gitleaks", "trivy"]
    assert merged.severity is Severity.CRITICAL  # the worse of the two


def test_secrets_merge_when_their_lines_overlap_even_under_other_rule_names() -> None:
    gitleaks = make_finding(S, rule="private-key", line=10, end_line=20)
    trivy = make_finding(S, rule="private-key-block", layer="trivy", line=15, end_line=15)
    assert len(deduplicate([gitleaks, trivy])) == 1
    apart = trivy.model_copy(update={"line": 21, "end_line": 22})
    assert len(deduplicate([gitleaks, apart])) == 2


def test_two_secrets_of_one_scanner_never_merge_by_overlap() -> None:
    first = make_finding(S, rule="aws-access-token", line=3)
    second = make_finding(S, rule="aws-secret-key", line=3)
    assert len(deduplicate([first, second])) == 2


def test_a_secret_only_in_history_does_not_merge_with_the_working_tree() -> None:
    history = make_finding(S, rule="github-pat", line=5, in_head=False, commit="a" * 40)
    trivy = make_finding(S, rule="github-pat", layer="trivy", line=5)
    assert len(deduplicate([history, trivy])) == 2


def test_the_fix_is_kept_from_whichever_report_has_it() -> None:
    without = make_finding(V, rule="CVE-1", package="p", installed_version="1.0")
    with_fix = without.model_copy(update={"fixed_version": "1.1"})
    [merged] = deduplicate([without, with_fix])
    assert merged.fixed_version == "1.1"


def test_fill_scanners_false_leaves_lone_findings_alone() -> None:
    [alone] = deduplicate([make_finding(C)], fill_scanners=False)
    assert alone.scanners == []


def test_order_is_worst_first_then_place() -> None:
    low = make_finding(C, Severity.LOW, "a", path="a.py")
    high_b = make_finding(C, Severity.HIGH, "b", path="b.py")
    high_a = make_finding(C, Severity.HIGH, "c", path="a.py", line=9)
    assert [f.rule_id for f in order([low, high_b, high_a])] == ["c", "b", "a"]
