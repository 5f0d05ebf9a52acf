"""report.html: one self-contained page (inline CSS and JS from outputs/page/, no network), deterministic.

The verdict, synthesis and per-layer chart are rendered here, escaped. The findings
table is built in the browser from a JSON block, with textContent only, so a hostile
title stays text. A Content-Security-Policy with the hashes of the one style and the
one script blocks anything else, should markup ever slip through.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from html import escape
from importlib import resources
from typing import Any

import orjson

from secscan import catalog
from secscan.findings.model import Finding, Severity, Sighting
from secscan.outputs.safety import redacted_envelope, safe_url, shows_snippet
from secscan.report import Report, describe_exception
from secscan.synthesis.model import triage_text

# The page's style and script ship as files beside this module (outputs/page/), read once; the CSP
# carries their hashes, so the page runs exactly these and nothing else.
_PAGE = resources.files("secscan.outputs") / "page"
CSS = (_PAGE / "report.css").read_text(encoding="utf-8")
SCRIPT = (_PAGE / "report.js").read_text(encoding="utf-8")

_FINDING_COLUMNS = ["severity", "title", "location", "layer", "category", "status"]


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


CSP = (
    "default-src 'none'; "
    f"style-src {_csp_hash(CSS)}; "
    f"script-src {_csp_hash(SCRIPT)}; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


def json_for_script(value: Any) -> str:
    """JSON that can sit inside <script>: no `<`, `>` or `&` (so no `</script>` or `<!--`)."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except (TypeError, orjson.JSONEncodeError):  # e.g. lone surrogates: the standard module copes
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def _where(finding: Finding) -> str:
    if catalog.is_image_layer(finding.layer) and finding.target:
        return f"{finding.target} {finding.path}" if finding.path else finding.target
    return finding.path or finding.target or finding.package or ""


def finding_data(finding: Finding) -> dict[str, Any]:
    """What the page's script shows of a finding: its own fields (redacted when it was made)."""
    suppression = finding.suppression.model_dump(mode="json") if finding.suppression else None
    return {
        "id": finding.id,
        "severity": finding.severity.value,
        "category": finding.category.value,
        "status": finding.status,
        "layer": finding.layer,
        "rule_id": finding.rule_id,
        "title": finding.title,
        "where": _where(finding),
        "line": finding.line,
        "end_line": finding.end_line,
        "package": finding.package,
        "installed_version": finding.installed_version,
        "fixed_version": finding.fixed_version,
        "target": finding.target,
        "commit": finding.commit,
        "description": finding.description,
        "fix": finding.fix,
        "references": [{"url": url, "link": safe_url(url) is not None} for url in dict.fromkeys(finding.references)],
        "cwe": finding.cwe,
        "scanners": finding.scanners or [finding.scanner],
        "scanner_severity": finding.scanner_severity,
        "in_head": finding.in_head,
        "refs": finding.refs,
        "sightings": [_sighting_text(s) for s in finding.sightings],
        "risk": f"{finding.risk.score}/100" + (f" ({', '.join(finding.risk.factors)})" if finding.risk.factors else "")
        if finding.risk
        else None,
        "triage": triage_text(finding.triage.label, finding.triage.reason) if finding.triage else None,
        "snippet": finding.snippet if shows_snippet(finding) else None,
        "suppression": suppression,
    }


def _sighting_text(sighting: Sighting) -> str:
    where = f"{sighting.path}:{sighting.line}" if sighting.line else sighting.path or "?"
    commit = f" @ {sighting.commit[:10]}" if sighting.commit else ""
    refs = f" ({', '.join(sighting.refs[:3])})" if sighting.refs else ""
    return where + commit + refs + (" (in HEAD)" if sighting.in_head else "")


# --- server-rendered sections -----------------------------------------------------------


class Text:
    """Escape (redacted) text for HTML text and attribute values."""

    def __call__(self, value: str) -> str:
        return escape(value, quote=True)


def verdict_section(report: Report, text: Text) -> str:
    passed = report.verdict == "pass"
    badge, words = ("PASS", "The gate passed") if passed else ("FAIL", "The gate failed")
    target = report.target
    facts = [
        value
        for value in (target.repository, target.ref, target.commit[:12] if target.commit else None, target.image)
        if value
    ]
    reasons = "".join(f"<li>{text(reason)}</li>" for reason in report.reasons)
    run_url = safe_url(target.run_url)
    run = f' · <a href="{text(run_url)}">CI run</a>' if run_url else ""
    return (
        f'<header class="verdict {report.verdict}" id="verdict">'
        f'<h1><span class="verdict-badge">{badge}</span> {words}</h1>'
        f'<p class="facts">{" · ".join(text(f) for f in facts) or "secscan report"}{run}</p>'
        + (f'<ul id="reasons">{reasons}</ul>' if reasons else "")
        + "</header>"
    )


def synthesis_section(report: Report, text: Text) -> str:
    synthesis = report.synthesis
    source = f"{synthesis.source} ({synthesis.model})" if synthesis.model else synthesis.source
    parts = [
        '<section id="synthesis"><h2>Summary</h2>',
        f'<p class="score">Risk {synthesis.risk_score}/100</p>',
        f"<p>{text(synthesis.summary)}</p>",
        f'<p class="muted">synthesis: {text(source)}'
        + (f" · AI verdict: {text(synthesis.ai_verdict_text() or '')}" if synthesis.ai_verdict else "")
        + "</p>",
    ]
    if synthesis.adjustments:
        notes = "".join(f"<li>{text(note)}</li>" for note in synthesis.adjustments)
        parts.append(f'<h3>secscan corrected the model\'s answer</h3><ul id="adjustments">{notes}</ul>')
    if synthesis.error:
        parts.append(f'<p class="muted">AI synthesis not used: {text(synthesis.error)}</p>')
    if synthesis.top_risks:
        items = "".join(
            f"<li><strong>{text(risk.title)}</strong> <span "
            f'class="muted">({text(risk.urgency.replace("_", " "))})</span>'
            f"<br>{text(risk.why_it_matters)}<br>Fix: {text(risk.fix)}</li>"
            for risk in synthesis.top_risks
        )
        parts.append(f'<h3>Top risks</h3><ol id="top-risks">{items}</ol>')
    if synthesis.likely_false_positives:
        items = "".join(
            f'<li>{text(doubt.reason)} <span class="muted mono">{text(", ".join(doubt.finding_ids))}</span></li>'
            for doubt in synthesis.likely_false_positives
        )
        parts.append(
            '<h3>Likely false positives, by the AI</h3><p class="muted">Advisory: they still '
            f"count.</p><ul>{items}</ul>"
        )
    if synthesis.next_actions:
        parts.append(
            "<h3>Next actions</h3><ul>" + "".join(f"<li>{text(a)}</li>" for a in synthesis.next_actions) + "</ul>"
        )
    parts.append("</section>")
    return "".join(parts)


def severity_counts(report: Report) -> dict[str, Counter[Severity]]:
    """Unsuppressed findings by layer and severity, in one pass (the chart and the table both read it)."""
    pairs = Counter((f.layer, f.severity) for f in report.findings if f.status != "suppressed")
    counts: dict[str, Counter[Severity]] = {}
    for (layer, severity), count in pairs.items():
        counts.setdefault(layer, Counter())[severity] = count
    return counts


def chart(report: Report) -> str:
    """Horizontal stacked bars: one per layer, one segment per severity (suppressed not counted)."""
    width, label, row_height = 720, 110, 30
    every = severity_counts(report)
    counts = {layer.name: every.get(layer.name, Counter()) for layer in report.layers}
    largest = max((sum(c.values()) for c in counts.values()), default=0) or 1
    scale = (width - label - 60) / largest
    height = row_height * len(report.layers) + 10
    shapes = []
    for row, layer in enumerate(report.layers):
        y = 5 + row * row_height
        shapes.append(f'<text x="0" y="{y + 18}">{escape(layer.name)}</text>')
        x = float(label)
        for severity in Severity:
            count = counts[layer.name].get(severity, 0)
            if not count:
                continue
            bar = count * scale
            shapes.append(
                f'<rect class="sev-{severity.value}" x="{x:.1f}" y="{y + 4}" width="{bar:.1f}" '
                f'height="{row_height - 10}">'
                f"<title>{escape(layer.name)} · {severity.value}: {count}</title></rect>"
            )
            x += bar
        total = sum(counts[layer.name].values())
        note = layer.status if layer.status != "ok" else str(total)
        shapes.append(f'<text x="{x + 6:.1f}" y="{y + 18}">{escape(note)}</text>')
    legend = "".join(f'<span><span class="badge sev-{s.value}">{s.value}</span></span>' for s in Severity)
    return (
        f'<svg id="severity-chart" role="img" aria-label="findings per layer and severity" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" preserveAspectRatio="xMinYMin meet">'
        + "".join(shapes)
        + f'</svg><p class="legend">{legend}</p>'
    )


def layers_section(report: Report, text: Text) -> str:
    rows = []
    every = severity_counts(report)
    for layer in report.layers:
        counts = every.get(layer.name, Counter())
        cells = "".join(f"<td>{counts.get(s, 0)}</td>" for s in Severity)
        rows.append(
            f"<tr><td>{text(layer.name)}</td><td>{text(layer.status)}</td><td>{text(layer.version or '–')}</td>"
            f"{cells}<td>{layer.duration_s:.1f}s</td><td>{text(layer.error or '')}</td></tr>"
        )
    header = "".join(f"<th>{s.value}</th>" for s in Severity)
    warnings = ""
    if report.warnings:
        items = "".join(f"<li>{text(w)}</li>" for w in report.warnings)
        warnings = f"<details><summary>Warnings ({len(report.warnings)})</summary><ul>{items}</ul></details>"
    if report.exceptions:
        items = "".join(f"<li>{text(describe_exception(e))}</li>" for e in report.exceptions)
        summary = f"<summary>Exceptions ({len(report.exceptions)})</summary>"
        warnings += f'<details id="exceptions" open>{summary}<ul>{items}</ul></details>'
    return (
        '<section id="layers"><h2>Layers</h2>'
        + chart(report)
        + f'<table id="layers-table"><thead><tr><th>layer</th><th>status</th><th>version</th>{header}'
        f"<th>time</th><th>error</th></tr></thead><tbody>{''.join(rows)}</tbody></table>" + warnings + "</section>"
    )


def findings_section(report: Report) -> str:
    selects = "".join(
        f'<label>{key} <select id="filter-{key}"><option value="">all</option></select></label>'
        for key in ("severity", "layer", "category", "status")
    )
    headers = "".join(
        f'<th data-sort="{column}" aria-sort="none"><button type="button">{column}</button></th>'
        for column in _FINDING_COLUMNS
    )
    return (
        f'<section id="findings"><h2>Findings ({len(report.findings)})</h2>'
        '<p id="script-error" class="error-banner" hidden></p>'
        "<noscript><p>The findings table needs JavaScript; report.json has every finding.</p></noscript>"
        '<div class="controls"><input type="search" id="filter-text" placeholder="Filter: title, rule, path, '
        'package, id" '
        f'aria-label="filter findings">{selects}</div>'
        '<p id="findings-count" class="muted"></p>'
        f'<table id="findings-table"><thead><tr>{headers}</tr></thead><tbody id="findings-body"></tbody></table>'
        '<p><button type="button" id="findings-more" class="more" hidden>Show more</button></p>'
        "</section>"
    )


class HtmlReport:
    filename = "report.html"

    def render(self, report: Report) -> str:
        report = redacted_envelope(report)
        text = Text()
        data = {"findings": [finding_data(f) for f in report.findings]}
        title = f"secscan: {report.verdict.upper()}" + (
            f" · {report.target.repository}" if report.target.repository else ""
        )
        return (
            "<!doctype html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="referrer" content="no-referrer">'
            f"<title>{text(title)}</title><style>{CSS}</style></head>\n<body><main>"
            + verdict_section(report, text)
            + synthesis_section(report, text)
            + layers_section(report, text)
            + findings_section(report)
            + f"<footer>secscan {text(report.secscan_version)} · report.json has every field of every finding</footer>"
            + "</main>\n"
            + f'<script type="application/json" id="secscan-data">{json_for_script(data)}</script>\n'
            + f"<script>{SCRIPT}</script>\n</body></html>\n"
        )
