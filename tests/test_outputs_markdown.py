"""report.md: verdict, reasons, counts, findings tables; hostile text stays text; fits a GitHub comment.

The Markdown is rendered with markdown-it (CommonMark + GFM tables, raw HTML allowed, as
GitHub does before sanitizing) and the tests read the resulting HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from secscan.findings.model import Severity
from secscan.findings.redact import redact_text
from secscan.outputs import formats
from secscan.outputs.markdown import GITHUB_COMMENT_LIMIT, MarkdownReport, size
from secscan.report import LayerReport, Report

try:
    from tests import outputs_fixtures as fx
except ImportError:  # pragma: no cover - tests/ on sys.path (pytest rootdir-relative import)
    import outputs_fixtures as fx  # type: ignore[no-redef]

markdown_it = pytest.importorskip("markdown_it")
WORD_JOINER = "\u2060"


@dataclass
class Page(HTMLParser):
    """What a Markdown renderer produced: tables (rows of cell texts), tags, links, text."""

    tables: list[list[list[str]]] = field(default_factory=list)
    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def all_text(self) -> str:
        return "".join(self.text).replace(WORD_JOINER, "")

    def hrefs(self) -> list[str]:
        return [attrs.get("href") or "" for tag, attrs in self.tags if tag == "a"]


def rendered(markdown: str) -> Page:
    html = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    page = Page()
    page.feed(html)
    return page


def findings_tables(page: Page) -> list[list[list[str]]]:
    return [t for t in page.tables if t and t[0][:2] == ["severity", "finding"]]


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return fx.rich_report(tmp_path_factory.mktemp("rich"))


def test_is_registered_as_an_output_format() -> None:
    assert "report.md" in [f.filename for f in formats()]


def test_banner_reasons_summary_and_counts(rich: Report) -> None:
    markdown = MarkdownReport().render(rich)
    assert markdown.startswith("## ❌ secscan: the gate failed\n")
    page = rendered(markdown)
    text = page.all_text
    for reason in rich.reasons:
        assert redact_text(reason) in text
    assert redact_text(rich.synthesis.summary) in text
    assert f"Risk score: {rich.synthesis.risk_score}/100" in text

    [counts] = [t for t in page.tables if t[0][:2] == ["layer", "status"]]
    assert counts[0] == ["layer", "status", "critical", "high", "medium", "low", "info", "total"]
    rows = {row[0]: row for row in counts[1:]}
    for layer in rich.layers:
        expected = [
            sum(1 for f in rich.findings if f.layer == layer.name and f.severity is s and f.status != "suppressed")
            for s in Severity
        ]
        assert rows[layer.name][2:] == [str(n) for n in expected] + [str(sum(expected))]
    total = [str(rich.counts["severity"][s.value]) for s in Severity]
    assert rows["all"][2:7] == total


def test_passing_report_has_a_green_banner() -> None:
    report = fx.generated_report([], layers=["gitleaks", "semgrep"])
    markdown = MarkdownReport().render(report)
    assert markdown.startswith("## ✅ secscan: the gate passed\n")
    assert "No new findings." in markdown
    assert "Why the gate failed" not in markdown


def test_new_findings_first_then_existing_and_suppressed_folded(rich: Report) -> None:
    markdown = MarkdownReport().render(rich)
    new = markdown.index("### New findings (9)")
    existing = markdown.index("<details><summary>Existing findings (3)")
    suppressed = markdown.index("<details><summary>Suppressed findings (22)")
    assert new < existing < suppressed
    assert markdown.count("<details") == markdown.count("</details>")
    tables = findings_tables(rendered(markdown))
    assert [len(t) - 1 for t in tables] == [9, 3, 22]  # every finding has a row (header excluded)
    new_rows = tables[0][1:]
    expected = [f for f in rich.findings if f.status == "new"]
    for row, finding in zip(new_rows, expected, strict=True):
        assert row[0].endswith(finding.severity.value)
        assert row[1].startswith(redact_text(finding.title))
        assert finding.rule_id in row[1]
    assert tables[2][0][-1] == "why suppressed"
    assert "nosemgrep comment in the source" in {row[-1] for row in tables[2][1:]}


def test_links_to_advisories_and_rule_docs(tmp_path: Path) -> None:
    report = fx.build_report(tmp_path, dict(fx.MIXED))
    page = rendered(MarkdownReport().render(report))
    hrefs = set(page.hrefs())
    for finding in report.findings:
        if finding.references:
            assert finding.references[0] in hrefs
    assert all(h.startswith(("https://", "http://")) for h in hrefs)


def test_layer_errors_are_listed(tmp_path: Path) -> None:
    report = fx.build_report(
        tmp_path, {"gitleaks": "gitleaks/json_simple.json", "semgrep": "semgrep/missing_file_error.json"}
    )
    [error] = [layer.error for layer in report.layers if layer.error]
    page = rendered(MarkdownReport().render(report))
    assert "Layer errors" in page.all_text
    assert f"semgrep: {redact_text(error)}" in page.all_text


def test_stays_under_the_comment_limit_with_10000_findings() -> None:
    findings = fx.many_findings(10_000, "trivy")
    report = fx.generated_report(findings)
    markdown = MarkdownReport().render(report)
    assert len(markdown) < GITHUB_COMMENT_LIMIT
    assert size(markdown) < GITHUB_COMMENT_LIMIT  # UTF-16 units: emoji count twice
    assert len(markdown) > 40_000  # it uses the room it has
    notes = [int(n) for n in re.findall(r"…(\d+) more findings in report\.json", markdown)]
    assert notes
    tables = findings_tables(rendered(markdown))
    shown = sum(len(t) - 1 for t in tables)
    assert shown + sum(notes) == len(findings)
    assert markdown.count("<details") == markdown.count("</details>")
    assert markdown.rstrip().endswith("</sub>")  # the footer survived


HOSTILE = [
    "<img src=x onerror=alert(1)> image",
    "a | b | c",
    "</details><script>alert(1)</script>",
    "[click me](javascript:alert(1))",
    "@octocat and @github/security please look",
    "`code` and ``double`` ticks",
    "*bold* _em_ ~~strike~~ # not a heading",
    "line one\nline two\n\n| x | y |",
    "&lt;img src=x&gt; entity",
    "<!-- hidden comment -->",
]


def test_hostile_text_stays_text() -> None:
    findings = [
        fx.make_finding(
            index,
            "semgrep",
            Severity.HIGH,
            title=title,
            fix=f"fix {title}",
            rule_id=f"rule-{index}|`x`",
            path=f"src/we|rd`{index}`.py",
            references=[f"javascript:alert({index})"],
        )
        for index, title in enumerate(HOSTILE)
    ]
    report = fx.generated_report(findings).model_copy(update={"reasons": ["<b>bold</b> | reason @octocat"]})
    markdown = MarkdownReport().render(report)
    page = rendered(markdown)
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"img", "script", "b", "em", "h1", "details"} - {"details"}
    assert markdown.count("<details") == markdown.count("</details>") == 0  # no findings folded here
    assert all(not href.startswith("javascript:") for href in page.hrefs())
    assert "<!--" not in markdown
    [table] = findings_tables(page)
    assert all(len(row) == 4 for row in table), table
    titles = {re.sub(r"\s+", " ", t).strip() for t in HOSTILE}
    shown = {row[1].replace(WORD_JOINER, "") for row in table[1:]}
    for title in titles:
        assert any(cell.startswith(title) for cell in shown), title
    wheres = {row[2] for row in table[1:]}
    assert {f"src/we|rd`{i}`.py:{f.line}" for i, f in enumerate(findings)} == wheres
    assert "@\u2060octocat" in markdown and "@octocat" not in markdown  # no mention notifications
    assert "<b>bold</b> | reason @octocat" in page.all_text


def test_no_secret_values(rich: Report) -> None:
    markdown = MarkdownReport().render(rich)
    assert fx.CORPUS_TOKEN not in markdown
    token = "ghp_" + "A1b2C3d4" * 5
    planted = fx.make_finding(
        1, "semgrep", Severity.HIGH, title=f"token {token}", fix=f"remove {token}", path=f"src/{token}.py"
    )
    assert token not in MarkdownReport().render(fx.generated_report([planted]))


def test_deterministic(rich: Report) -> None:
    assert MarkdownReport().render(rich) == MarkdownReport().render(rich)


def test_skipped_layers_show_no_counts() -> None:
    report = fx.generated_report([fx.make_finding(1, "semgrep", Severity.LOW)], layers=["semgrep"])
    report = report.model_copy(update={"layers": [*report.layers, LayerReport(name="trivy", status="skipped")]})
    [counts] = [t for t in rendered(MarkdownReport().render(report)).tables if t[0][:2] == ["layer", "status"]]
    assert counts[2] == ["trivy", "⏭️ skipped", "–", "–", "–", "–", "–", "–"]


def test_top_risks_and_possible_false_positives_are_folded(rich: Report) -> None:
    from secscan.synthesis.model import LikelyFalsePositive

    doubt = LikelyFalsePositive(finding_ids=[rich.findings[0].id], reason="a test fixture, not a live key")
    synthesis = rich.synthesis.model_copy(update={"likely_false_positives": [doubt]})
    markdown = MarkdownReport().render(rich.model_copy(update={"synthesis": synthesis}))
    folded = markdown[markdown.index("<details><summary>Top risks") :]
    folded = folded[: folded.index("</details>")]
    text = rendered(folded).all_text
    for risk in rich.synthesis.top_risks:
        assert redact_text(risk.title) in text
    assert "a test fixture, not a live key" in text and rich.findings[0].id in text
