"""report.html: one self-contained page (inline CSS and JS, no network), deterministic.

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
from typing import Any

import orjson

from secscan import catalog
from secscan.findings.model import Finding, Severity
from secscan.outputs.safety import redacted_envelope, safe_url, shows_snippet
from secscan.report import Report
from secscan.synthesis.model import triage_text

CSS = r"""
:root { color-scheme: light dark; --bg: #fff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa;
  --critical: #a40e26; --high: #d1242f; --medium: #bf8700; --low: #0969da; --info: #6e7781;
  --pass: #1a7f37; --fail: #cf222e; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d;
  --panel: #151b23; --critical: #ff6a7a; --high: #f47067; --medium: #d29922; --low: #4493f8; --info: #9198a1;
  --pass: #3fb950; --fail: #f85149; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; word-break: break-word; background: var(--panel); padding: 8px; border-radius: 6px; }
a { color: var(--low); }
.verdict { border-left: 6px solid; padding: 12px 16px; background: var(--panel); border-radius: 6px; }
.verdict.pass { border-color: var(--pass); } .verdict.fail { border-color: var(--fail); }
.verdict-badge { color: #fff; border-radius: 6px; padding: 0 8px; margin-right: 8px; }
.pass .verdict-badge { background: var(--pass); } .fail .verdict-badge { background: var(--fail); }
.muted, .facts { color: var(--muted); }
.score { font-size: 28px; font-weight: 600; }
.badge { display: inline-block; min-width: 64px; padding: 0 6px; border-radius: 10px; color: #fff; font-size: 12px;
  font-weight: 600; text-align: center; }
.sev-critical { background: var(--critical); } .sev-high { background: var(--high); } .sev-medium { background: var(--medium); }
.sev-low { background: var(--low); } .sev-info { background: var(--info); }
svg .sev-critical { fill: var(--critical); } svg .sev-high { fill: var(--high); } svg .sev-medium { fill: var(--medium); }
svg .sev-low { fill: var(--low); } svg .sev-info { fill: var(--info); } svg text { fill: var(--fg); font-size: 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th button { all: unset; cursor: pointer; font-weight: 600; }
th[aria-sort="ascending"] button::after { content: " ▲"; } th[aria-sort="descending"] button::after { content: " ▼"; }
tbody tr.finding { cursor: pointer; } tbody tr.finding:hover, tbody tr.finding:focus { background: var(--panel); outline: none; }
tr.status-suppressed td { opacity: .6; }
tr.detail td { background: var(--panel); }
dl.detail { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.detail dt { color: var(--muted); } dl.detail dd { margin: 0; word-break: break-word; }
.controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }
.controls input[type=search] { flex: 1 1 240px; padding: 4px 8px; }
.controls select, .controls input, button.more { font: inherit; color: inherit; background: var(--bg);
  border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px; }
.error-banner { background: var(--fail); color: #fff; padding: 8px 12px; border-radius: 6px; }
.legend span { margin-right: 12px; }
#severity-chart { max-width: 100%; height: auto; display: block; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
"""

SCRIPT = r"""
"use strict";
(() => {
  const fail = (message) => {
    const banner = document.getElementById("script-error");
    banner.textContent = "The findings table could not be built: " + message;
    banner.hidden = false;
  };
  window.addEventListener("error", (event) => fail(String(event.message)));

  const RANK = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };
  const STATUS = { new: 0, existing: 1, suppressed: 2 };
  const PAGE = 200;
  const COLUMNS = ["severity", "title", "location", "layer", "category", "status"];
  const FILTERS = ["severity", "layer", "category", "status"];
  const data = JSON.parse(document.getElementById("secscan-data").textContent);
  const findings = data.findings.map((finding, index) => Object.assign({ index }, finding));
  const state = { sort: "severity", descending: true, shown: PAGE, open: new Set(), text: "", filters: {} };

  const node = (tag, className, ...children) => {
    const element = document.createElement(tag);
    if (className) element.className = className;
    for (const child of children) {
      if (child === null || child === undefined) continue;
      element.append(child instanceof Node ? child : String(child));
    }
    return element;
  };

  const sortValue = {
    severity: (f) => RANK[f.severity],
    title: (f) => f.title.toLowerCase(),
    location: (f) => [f.where.toLowerCase(), f.line || 0],
    layer: (f) => f.layer,
    category: (f) => f.category,
    status: (f) => STATUS[f.status],
  };
  const compare = (a, b) => {
    const x = sortValue[state.sort](a);
    const y = sortValue[state.sort](b);
    const [p, q] = Array.isArray(x) ? [x, y] : [[x], [y]];
    for (let i = 0; i < p.length; i += 1) {
      if (p[i] < q[i]) return state.descending ? 1 : -1;
      if (p[i] > q[i]) return state.descending ? -1 : 1;
    }
    return a.index - b.index;
  };
  const matches = (f) => {
    for (const key of FILTERS) {
      if (state.filters[key] && f[key] !== state.filters[key]) return false;
    }
    return !state.text || f.search.includes(state.text);
  };
  for (const f of findings) {
    f.search = [f.title, f.rule_id, f.where, f.package, f.id, f.description, f.layer, f.category, f.triage]
      .filter(Boolean).join("\n").toLowerCase();
  }

  const link = (reference) => {  // reference.link: safe_url (outputs/safety.py) allowed it
    if (!reference.link) return node("span", "mono", reference.url);
    const anchor = node("a", null, reference.url);
    anchor.href = reference.url;
    anchor.rel = "noopener noreferrer";
    return anchor;
  };
  const detail = (f) => {
    const list = node("dl", "detail");
    const add = (label, value) => {
      if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return;
      list.append(node("dt", null, label));
      const dd = node("dd");
      if (value instanceof Node) dd.append(value); else dd.textContent = Array.isArray(value) ? value.join(", ") : String(value);
      list.append(dd);
    };
    add("Description", f.description);
    add("Fix", f.fix);
    if (f.references.length) {
      const refs = node("ul");
      for (const reference of f.references) refs.append(node("li", null, link(reference)));
      add("References", refs);
    }
    add("Location", f.where + (f.line ? ":" + f.line + (f.end_line && f.end_line !== f.line ? "-" + f.end_line : "") : ""));
    if (f.snippet) add("Code", node("pre", null, f.snippet));
    if (f.package) add("Package", [f.package, f.installed_version, f.fixed_version ? "fixed in " + f.fixed_version : "no fix yet"].filter(Boolean).join(" "));
    add("Image", f.target);
    add("Rule", f.rule_id);
    add("Finding id", node("code", null, f.id));
    add("Scanners", f.scanners);
    add("Scanner severity", f.scanner_severity);
    add("CWE", f.cwe);
    add("Commit", f.commit);
    if (f.in_head === false) add("In HEAD", "no (only in history)");
    if (f.suppression) {
      const s = f.suppression;
      add("Suppressed", [s.reason, s.owner ? "owner " + s.owner : "", s.expires ? "until " + s.expires : "", s.source === "inline" ? "inline marker" : ""].filter(Boolean).join(" · "));
    }
    const cell = node("td");
    cell.colSpan = COLUMNS.length;
    cell.append(list);
    const row = node("tr", "detail", cell);
    row.dataset.detailFor = f.id;
    return row;
  };
  const row = (f) => {
    const title = node("td", null, node("div", null, f.title), node("div", "muted mono", f.rule_id),
      f.triage ? node("div", "muted triage", f.triage) : null);
    const tr = node("tr", "finding status-" + f.status,
      node("td", null, node("span", "badge sev-" + f.severity, f.severity)),
      title,
      node("td", "mono", f.where + (f.line ? ":" + f.line : ""),
        f.package ? node("div", "muted", [f.package, f.installed_version].filter(Boolean).join(" ")) : null),
      node("td", null, f.layer),
      node("td", null, f.category),
      node("td", null, f.status));
    tr.tabIndex = 0;
    tr.dataset.id = f.id;
    tr.setAttribute("aria-expanded", state.open.has(f.id) ? "true" : "false");
    const toggle = () => {
      if (state.open.has(f.id)) state.open.delete(f.id); else state.open.add(f.id);
      render();
    };
    tr.addEventListener("click", toggle);
    tr.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle(); }
    });
    return tr;
  };

  const render = () => {
    const visible = findings.filter(matches).sort(compare);
    const rows = [];
    for (const f of visible.slice(0, state.shown)) {
      rows.push(row(f));
      if (state.open.has(f.id)) rows.push(detail(f));
    }
    document.getElementById("findings-body").replaceChildren(...rows);
    const shown = Math.min(state.shown, visible.length);
    document.getElementById("findings-count").textContent =
      "Showing " + shown + " of " + visible.length + " matching findings (" + findings.length + " in total)";
    const more = document.getElementById("findings-more");
    more.hidden = visible.length <= state.shown;
    more.textContent = "Show " + Math.min(PAGE, visible.length - state.shown) + " more";
    for (const th of document.querySelectorAll("#findings-table th[data-sort]")) {
      const active = th.dataset.sort === state.sort;
      th.setAttribute("aria-sort", active ? (state.descending ? "descending" : "ascending") : "none");
    }
  };

  for (const key of FILTERS) {
    const select = document.getElementById("filter-" + key);
    const counts = new Map();
    for (const f of findings) counts.set(f[key], (counts.get(f[key]) || 0) + 1);
    const values = Array.from(counts.keys()).sort((a, b) =>
      key === "severity" ? RANK[b] - RANK[a] : key === "status" ? STATUS[a] - STATUS[b] : a < b ? -1 : a > b ? 1 : 0);
    for (const value of values) {
      const option = node("option", null, value + " (" + counts.get(value) + ")");
      option.value = value;
      select.append(option);
    }
    select.addEventListener("change", () => { state.filters[key] = select.value; state.shown = PAGE; render(); });
  }
  document.getElementById("filter-text").addEventListener("input", (event) => {
    state.text = event.target.value.trim().toLowerCase();
    state.shown = PAGE;
    render();
  });
  for (const th of document.querySelectorAll("#findings-table th[data-sort]")) {
    th.querySelector("button").addEventListener("click", () => {
      const key = th.dataset.sort;
      state.descending = state.sort === key ? !state.descending : key === "severity";
      state.sort = key;
      render();
    });
  }
  document.getElementById("findings-more").addEventListener("click", () => { state.shown += PAGE; render(); });

  render();
  document.body.dataset.ready = "true";
})();
"""

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
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
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
        "triage": triage_text(finding.triage.label, finding.triage.reason) if finding.triage else None,
        "snippet": finding.snippet if shows_snippet(finding) else None,
        "suppression": suppression,
    }


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
            f"<li><strong>{text(risk.title)}</strong> <span class=\"muted\">({text(risk.urgency.replace('_', ' '))})</span>"
            f"<br>{text(risk.why_it_matters)}<br>Fix: {text(risk.fix)}</li>"
            for risk in synthesis.top_risks
        )
        parts.append(f'<h3>Top risks</h3><ol id="top-risks">{items}</ol>')
    if synthesis.likely_false_positives:
        items = "".join(
            f"<li>{text(doubt.reason)} <span class=\"muted mono\">{text(', '.join(doubt.finding_ids))}</span></li>"
            for doubt in synthesis.likely_false_positives
        )
        parts.append(
            f"<h3>Likely false positives, by the AI</h3><p class=\"muted\">Advisory: they still count.</p><ul>{items}</ul>"
        )
    if synthesis.next_actions:
        parts.append("<h3>Next actions</h3><ul>" + "".join(f"<li>{text(a)}</li>" for a in synthesis.next_actions) + "</ul>")
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
                f'<rect class="sev-{severity.value}" x="{x:.1f}" y="{y + 4}" width="{bar:.1f}" height="{row_height - 10}">'
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
    return (
        '<section id="layers"><h2>Layers</h2>'
        + chart(report)
        + f'<table id="layers-table"><thead><tr><th>layer</th><th>status</th><th>version</th>{header}'
        f"<th>time</th><th>error</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        + warnings
        + "</section>"
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
        '<noscript><p>The findings table needs JavaScript; report.json has every finding.</p></noscript>'
        f'<div class="controls"><input type="search" id="filter-text" placeholder="Filter: title, rule, path, package, id" '
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
        title = f"secscan: {report.verdict.upper()}" + (f" · {report.target.repository}" if report.target.repository else "")
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
