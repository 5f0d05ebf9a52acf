"""What a person sees in the terminal: live layer progress, a summary table, the verdict."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Self

from rich.console import Console
from rich.table import Table
from rich.text import Text

from secscan.findings.model import Severity
from secscan.findings.redact import redact_text
from secscan.findings.risk import doubted_last
from secscan.outputs.safety import printable, redacted_envelope
from secscan.report import describe_exception, exceptions_notice
from secscan.synthesis.model import triage_text

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from secscan.findings.model import Finding, LayerName
    from secscan.report import Report
    from secscan.results import LayerResult

_SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def console(stderr: bool = True) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


class LayerProgress:
    """A spinner per layer while the scanners run (stderr; plain lines when not a terminal)."""

    def __init__(self, out: Console, layers: list[LayerName]) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._out = out
        self._progress: Progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=out, transient=False
        )
        self._tasks: dict[str, TaskID] = {name: self._progress.add_task(f"{name}: waiting", total=1) for name in layers}

    def __enter__(self) -> Self:
        if self._out.is_terminal:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, name: LayerName, status: str, result: LayerResult | None) -> None:
        if result is None:
            description = f"{name}: running"
            done = False
        else:
            detail = f"{len(result.findings)} findings" if result.status == "ok" else redact_text(result.error or "")
            timing = "cached" if result.cached else f"{result.duration_s:.1f}s"
            description = f"{name}: {result.status} ({_escape(detail)}, {timing})"
            done = True
        self._progress.update(self._tasks[name], description=description, completed=1 if done else 0)
        if not self._out.is_terminal and done:
            self._out.print(description)


_STATUS_STYLE = {"ok": "green", "error": "bold red", "skipped": "dim"}
TOP_FINDINGS = 10


def _layer_counts(report: Report, layer: str) -> Counter[Severity]:
    return Counter(f.severity for f in report.findings if f.layer == layer and f.status != "suppressed")


def summary_table(report: Report) -> Table:
    """Layers × severities (suppressed findings not counted), with a total row."""
    table = Table(title="secscan", show_lines=False, show_footer=len(report.layers) > 1)
    totals: Counter[Severity] = Counter()
    for layer in report.layers:
        totals += _layer_counts(report, layer.name)
    table.add_column("layer", footer="all")
    table.add_column("status")
    table.add_column("version")
    for severity in Severity:
        table.add_column(severity.value, justify="right", style=_SEVERITY_STYLE[severity], footer=str(totals[severity]))
    table.add_column("time", justify="right")
    for layer in report.layers:
        counts = _layer_counts(report, layer.name)
        skipped = layer.status == "skipped"
        table.add_row(
            _plain(layer.name),
            Text(layer.status, style=_STATUS_STYLE[layer.status]),
            _escape(layer.version or "-"),
            *["-" if skipped else str(counts[s]) for s in Severity],
            "-" if skipped else "cached" if layer.cached else f"{layer.duration_s:.1f}s",
        )
    return table


def top_findings_table(findings: list[Finding], limit: int = TOP_FINDINGS) -> Table:
    """The worst new findings: what to look at first."""
    table = Table(title=f"top new findings ({min(limit, len(findings))} of {len(findings)})", title_justify="left")
    table.add_column("severity")
    table.add_column("finding", overflow="fold")
    table.add_column("where", overflow="fold")
    for finding in findings[:limit]:
        where = finding.location
        if finding.package:
            where = f"{where} ({finding.package} {finding.installed_version or ''})".strip()
        label = f"{finding.title} [{finding.rule_id}]"
        if finding.triage is not None:
            label += f" · {triage_text(finding.triage.label, finding.triage.reason)}"
        table.add_row(
            Text(finding.severity.value, style=_SEVERITY_STYLE[finding.severity]),
            _plain(label),
            _plain(where),
        )
    return table


def print_summary(report: Report, out: Console) -> None:
    report = redacted_envelope(report)
    out.print(summary_table(report))
    # the risk order; the AI's likely false positives last within their severity
    new = doubted_last(report.new_findings())
    if new:
        out.print(top_findings_table(new))
    for layer in report.layers:
        if layer.error:
            out.print(f"[bold red]{layer.name}[/]: " + _escape(layer.error))
    for entry in report.exceptions:
        out.print("[magenta]exception[/]: " + _escape(describe_exception(entry)))
    for warning in report.warnings:
        out.print("[yellow]warning[/]: " + _escape(warning))
    if report.diff is not None:
        out.print(f"--since {_escape(report.diff.since)} ({report.diff.merge_base[:12]}): {report.diff.summary}")
        for layer in report.layers:
            if layer.scope:
                out.print(f"  {layer.name}: {_escape(layer.scope)}")
    counts = report.counts.get("status", {})
    out.print(
        f"findings: {counts.get('new', 0)} new, {counts.get('existing', 0)} existing, "
        f"{counts.get('suppressed', 0)} suppressed · synthesis: {report.synthesis.source}"
        + (f" ({_escape(report.synthesis.model)})" if report.synthesis.model else "")
        + f" · risk {report.synthesis.risk_score}/100"
    )
    synthesis = report.synthesis
    if synthesis.summary:
        out.print(Text(printable(synthesis.summary, keep_lines=True), style="italic"))
    verdict = synthesis.ai_verdict_text()
    if verdict:
        out.print(Text(f"AI verdict: {verdict}", style="bold red" if synthesis.ai_verdict_overruled else ""))
    if synthesis.adjustments:
        out.print("secscan corrected the model's answer:")
        for note in synthesis.adjustments:
            out.print(_plain("  - " + note))
    print_verdict(report, out)


def print_verdict(report: Report, out: Console) -> None:
    report = redacted_envelope(report)
    if report.verdict == "pass":
        notice = exceptions_notice(report)
        out.print("[bold green]PASS[/] the gate passed" + (f" ({_escape(notice)})" if notice else ""))
        return
    out.print("[bold red]FAIL[/] the gate failed:")
    for reason in report.reasons:
        out.print("  - " + _escape(reason))


def _escape(text: str) -> str:
    """Repository text as one inert line of rich markup (no markup, no control characters)."""
    from rich.markup import escape

    return escape(printable(text))


def _plain(text: str) -> Text:
    return Text(printable(text))
