"""report.md: a PR comment or `$GITHUB_STEP_SUMMARY` section.

Everything that comes from a scanned repository (titles, paths, fixes, messages) is
escaped so it can neither break a table nor inject HTML, links or @-mentions. The
whole document stays under GitHub's 65,536-character comment limit: rows that do not
fit are left out with a note pointing to report.json.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from secscan import catalog
from secscan.findings.model import Finding, Severity
from secscan.findings.risk import doubted_last
from secscan.outputs.safety import printable, redacted_envelope, safe_url
from secscan.report import Report, describe_exception, exceptions_notice
from secscan.synthesis.model import triage_text

GITHUB_COMMENT_LIMIT = 65_536
# Room for what a bot adds around the report (a hidden marker, a header line).
DEFAULT_BUDGET = GITHUB_COMMENT_LIMIT - 1_536
VISIBLE_NEW_ROWS = 20

SEVERITY_BADGE = {
    Severity.CRITICAL: "🔴 critical",
    Severity.HIGH: "🟠 high",
    Severity.MEDIUM: "🟡 medium",
    Severity.LOW: "🔵 low",
    Severity.INFO: "⚪ info",
}
LAYER_STATUS = {"ok": "✅ ok", "error": "❌ error", "skipped": "⏭️ skipped"}

# What can start Markdown or HTML inline: emphasis, code, links, tables, tags, comments, entities, headings.
_PUNCTUATION = re.compile(r"([\\`*_\[\]#|~<>&!])")
_WHITESPACE = re.compile(r"\s+")


def size(text: str) -> int:
    """Length as GitHub counts it, conservatively: UTF-16 code units (emoji count twice)."""
    return len(text.encode("utf-16-le")) // 2


def _one_line(text: str, limit: int) -> str:
    text = printable(_WHITESPACE.sub(" ", text).strip())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Escaper:
    """Turns untrusted text (redacted already: see outputs/safety.py) into inert Markdown."""

    def text(self, value: str, limit: int = 300) -> str:
        escaped = _PUNCTUATION.sub(r"\\\1", _one_line(value, limit))
        # A word joiner after @ keeps `@org/team` from notifying anyone.
        return escaped.replace("@", "@\u2060")

    def code(self, value: str, limit: int = 160, in_table: bool = True) -> str:
        content = _one_line(value, limit)
        if in_table:
            content = content.replace("|", "\\|")
        fence = "`" * (max((len(run) for run in re.findall(r"`+", content)), default=0) + 1)
        if content.startswith("`") or content.endswith("`"):
            content = f" {content} "
        return f"{fence}{content}{fence}"

    def link(self, label: str, url: str) -> str:
        """A link only to a plain http(s) URL; anything else is shown as text."""
        web = safe_url(url)
        if web is None:
            return label
        return f"[{label}]({quote(web, safe=':/?#=&%+,;@!$*~.-_')})"


# --- findings tables --------------------------------------------------------------------


def _where(finding: Finding, esc: Escaper) -> str:
    parts = []
    if finding.path:
        parts.append(esc.code(f"{finding.path}:{finding.line}" if finding.line else finding.path))
    elif finding.target:
        parts.append(esc.code(finding.target))
    if finding.package:
        version = f" {finding.installed_version}" if finding.installed_version else ""
        fixed = f" → {finding.fixed_version}" if finding.fixed_version else ""
        parts.append(esc.code(f"{finding.package}{version}{fixed}"))
    if catalog.is_image_layer(finding.layer) and finding.path and finding.target:
        parts.append(f"in image {esc.code(finding.target)}")
    return "<br>".join(parts) or "–"


def _finding_cell(finding: Finding, esc: Escaper) -> str:
    rule = esc.code(finding.rule_id, limit=80)
    references = list(dict.fromkeys(finding.references))
    rule = esc.link(rule, references[0]) if references else rule
    more = " ".join(esc.link(f"[{n}]", url) for n, url in enumerate(references[1:3], start=2))
    meta = f"{finding.layer} · {finding.category.value}"
    triage = finding.triage
    note = triage_text(triage.label, triage.reason) if triage else None
    if note:
        meta += f" · {esc.text(note, 240)}"
    return f"{esc.text(finding.title, 200)}<br>{rule} {more}".rstrip() + f"<br><sub>{meta}</sub>"


def finding_row(finding: Finding, esc: Escaper, with_reason: bool = False) -> str:
    fix = esc.text(finding.fix, 240) if finding.fix else "–"
    cells = [SEVERITY_BADGE[finding.severity], _finding_cell(finding, esc), _where(finding, esc), fix]
    if with_reason:
        suppression = finding.suppression
        cells.append(esc.text(suppression.reason, 200) if suppression else "–")
    return "| " + " | ".join(cells) + " |"


def table_header(with_reason: bool = False) -> str:
    columns = ["severity", "finding", "where", "fix"] + (["why suppressed"] if with_reason else [])
    return "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns)


@dataclass
class Budget:
    """Characters left for finding rows; once one row does not fit, no later row is added."""

    remaining: int
    full: bool = False

    def take(self, text: str) -> bool:
        cost = size(text) + 1
        if self.full or cost > self.remaining:
            self.full = True
            return False
        self.remaining -= cost
        return True


@dataclass
class Table:
    rows: list[str] = field(default_factory=list)
    omitted: int = 0


def fill_table(findings: Sequence[Finding], budget: Budget, row: Callable[[Finding], str]) -> Table:
    table = Table()
    for finding in findings:
        if not budget.full and budget.take(text := row(finding)):
            table.rows.append(text)
        else:
            table.omitted += 1
    return table


def render_table(table: Table, with_reason: bool = False) -> str:
    lines = [table_header(with_reason), *table.rows] if table.rows else []
    if table.omitted:
        lines.append(f"\n…{table.omitted} more findings in report.json")
    return "\n".join(lines)


def folded(summary: str, body: str, open_: bool = False) -> str:
    return f"<details{' open' if open_ else ''}><summary>{summary}</summary>\n\n{body}\n\n</details>"


# --- head sections ----------------------------------------------------------------------


def banner(report: Report, esc: Escaper) -> str:
    title = "## ✅ secscan: the gate passed" if report.verdict == "pass" else "## ❌ secscan: the gate failed"
    lines = [title]
    target = report.target
    facts = []
    if target.repository:
        facts.append(f"**{esc.text(target.repository, 120)}**")
    if target.ref:
        facts.append(esc.code(target.ref, 80, in_table=False))
    if target.commit:
        facts.append(esc.code(target.commit[:12], 12, in_table=False))
    if target.image:
        facts.append("image " + esc.code(target.image, 120, in_table=False))
    if target.run_url:
        facts.append(esc.link("run", target.run_url))
    if facts:
        lines.append("\n" + " · ".join(facts))
    return "\n".join(lines)


def reasons(report: Report, esc: Escaper, limit: int = 20) -> str:
    if not report.reasons:
        return ""
    items = [f"- {esc.text(reason, 500)}" for reason in report.reasons[:limit]]
    if len(report.reasons) > limit:
        items.append(f"- …{len(report.reasons) - limit} more reasons in report.json")
    return "**Why the gate failed**\n\n" + "\n".join(items)


def synthesis(report: Report, esc: Escaper) -> str:
    result = report.synthesis
    quote_lines = [f"> {esc.text(line, 1500)}" for line in result.summary.splitlines() if line.strip()]
    source = f"{result.source} ({esc.text(result.model, 80)})" if result.model else result.source
    facts = [f"**Risk score:** {result.risk_score}/100", f"synthesis: {source}"]
    verdict = result.ai_verdict_text()
    if verdict:
        facts.append(f"AI verdict: **{verdict}**" if result.ai_verdict_overruled else f"AI verdict: {verdict}")
    lines = ["\n".join(quote_lines)] if quote_lines else []
    lines.append(" · ".join(facts))
    if result.adjustments:
        corrected = "\n".join(f"- {esc.text(note, 300)}" for note in result.adjustments[:10])
        lines.append(f"**secscan corrected the model's answer**\n\n{corrected}")
    if result.error:
        lines.append(f"<sub>AI synthesis not used: {esc.text(result.error, 300)}</sub>")
    return "\n\n".join(lines)


def counts_table(report: Report) -> str:
    header = "| layer | status | " + " | ".join(s.value for s in Severity) + " | total |\n|---|---|" + "---:|" * 6
    rows = [header]
    totals: Counter[Severity] = Counter()
    for layer in report.layers:
        counts = Counter(f.severity for f in report.findings if f.layer == layer.name and f.status != "suppressed")
        totals += counts
        if layer.status == "skipped":
            cells = ["–"] * 6
        else:
            cells = [str(counts.get(s, 0)) for s in Severity] + [str(sum(counts.values()))]
        rows.append(f"| {layer.name} | {LAYER_STATUS[layer.status]} | " + " | ".join(cells) + " |")
    total_cells = [f"**{totals.get(s, 0)}**" for s in Severity] + [f"**{sum(totals.values())}**"]
    rows.append("| **all** | | " + " | ".join(total_cells) + " |")
    status = report.counts.get("status", {})
    note = (
        f"<sub>{status.get('new', 0)} new · {status.get('existing', 0)} existing "
        f"({'on the base' if report.diff is not None else 'in the baseline'}) · "
        f"{status.get('suppressed', 0)} suppressed (not counted above)</sub>"
    )
    if report.diff is not None:  # --since: say it the way a reviewer asks it
        base = f"`{report.diff.merge_base[:12]}`"
        note = f"**{report.diff.summary}** ({base}, {report.diff.changed_files} changed files)\n\n" + note
    return "\n".join(rows) + "\n\n" + note


def layer_errors(report: Report, esc: Escaper) -> str:
    errors = [f"- **{layer.name}**: {esc.text(layer.error, 600)}" for layer in report.layers if layer.error]
    return "**Layer errors**\n\n" + "\n".join(errors) if errors else ""


def top_risks(report: Report, esc: Escaper, limit: int = 10) -> str:
    risks = report.synthesis.top_risks[:limit]
    actions = report.synthesis.next_actions[:limit]
    doubts = report.synthesis.likely_false_positives[:limit]
    if not risks and not actions and not doubts:
        return ""
    lines = []
    for number, risk in enumerate(risks, start=1):
        lines.append(
            f"{number}. **{esc.text(risk.title, 200)}** ({risk.urgency.replace('_', ' ')}): "
            f"{esc.text(risk.why_it_matters, 400)}<br>Fix: {esc.text(risk.fix, 300)}"
        )
    if actions:
        lines.append("\n**Next actions**\n")
        lines += [f"- {esc.text(action, 300)}" for action in actions]
    if doubts:
        lines.append("\n**Likely false positives, by the AI** (advisory: they still count)\n")
        lines += [
            f"- {esc.text(doubt.reason, 300)} "
            f"({', '.join(esc.code(i, 24, in_table=False) for i in doubt.finding_ids[:5])})"
            for doubt in doubts
        ]
    return folded(f"Top risks ({len(report.synthesis.top_risks)})", "\n".join(lines))


def _folded_list(title: str, texts: list[str], esc: Escaper, limit: int) -> str:
    if not texts:
        return ""
    items = [f"- {esc.text(text, 400)}" for text in texts[:limit]]
    if len(texts) > limit:
        items.append(f"- …{len(texts) - limit} more in report.json")
    return folded(f"{title} ({len(texts)})", "\n".join(items))


def warnings(report: Report, esc: Escaper, limit: int = 50) -> str:
    return _folded_list("Warnings", list(report.warnings), esc, limit)


def exceptions_section(report: Report, esc: Escaper, limit: int = 50) -> str:
    return _folded_list("Exceptions", [describe_exception(e) for e in report.exceptions], esc, limit)


def footer(report: Report) -> str:
    return (
        f"<sub>secscan {report.secscan_version} · every finding is in report.json, secscan.sarif and report.html</sub>"
    )


# --- the document -----------------------------------------------------------------------


def findings_sections(report: Report, esc: Escaper, budget: Budget) -> list[str]:
    by_status: dict[str, list[Finding]] = {"new": [], "existing": [], "suppressed": []}
    for finding in report.findings:
        by_status[finding.status].append(finding)
    new, existing, suppressed = by_status["new"], by_status["existing"], by_status["suppressed"]
    new = doubted_last(new)  # the risk order; the AI's likely false positives last within their severity
    sections = []
    if new:
        table = fill_table(new, budget, lambda f: finding_row(f, esc))
        visible = Table(
            rows=table.rows[:VISIBLE_NEW_ROWS], omitted=0 if len(table.rows) > VISIBLE_NEW_ROWS else table.omitted
        )
        body = render_table(visible)
        if len(table.rows) > VISIBLE_NEW_ROWS:
            rest = Table(rows=table.rows[VISIBLE_NEW_ROWS:], omitted=table.omitted)
            body += "\n\n" + folded(f"{len(new) - VISIBLE_NEW_ROWS} more new findings", render_table(rest))
        sections.append(f"### New findings ({len(new)})\n\n{body}")
    else:
        notice = exceptions_notice(report)
        sections.append(
            "### New findings (0)\n\n" + (f"No new findings, but {notice}." if notice else "No new findings.")
        )
    if existing:
        table = fill_table(existing, budget, lambda f: finding_row(f, esc))
        sections.append(folded(f"Existing findings ({len(existing)}), already in the baseline", render_table(table)))
    if suppressed:
        table = fill_table(suppressed, budget, lambda f: finding_row(f, esc, with_reason=True))
        sections.append(folded(f"Suppressed findings ({len(suppressed)})", render_table(table, with_reason=True)))
    return sections


class MarkdownReport:
    filename = "report.md"

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget

    def render(self, report: Report) -> str:
        report = redacted_envelope(report)
        esc = Escaper()
        head = [
            banner(report, esc),
            reasons(report, esc),
            synthesis(report, esc),
            counts_table(report),
            layer_errors(report, esc),
            top_risks(report, esc),
        ]
        tail = [exceptions_section(report, esc), warnings(report, esc), footer(report)]
        fixed = "\n\n".join(part for part in head + tail if part)
        # Headroom for section headings, <details> wrappers and truncation notes.
        budget = Budget(remaining=self.budget - size(fixed) - 1_000)
        sections = findings_sections(report, esc, budget)
        parts = [part for part in [*head, *sections, *tail] if part]
        return "\n\n".join(parts) + "\n"
