"""Slack: the report as Block Kit blocks within Slack's limits (what does not fit is counted and
pointed at the report files). Every text is the report's, redacted once (outputs/safety.py), escaped here for mrkdwn."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from secscan.config import Config
from secscan.findings.model import Finding, Severity
from secscan.outputs.safety import printable, redacted_envelope, safe_url
from secscan.report import LayerReport, Report, count_findings
from secscan.synthesis.model import triage_text

T = TypeVar("T")

# Slack's documented limits.
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_CONTEXT_ELEMENTS = 10
# Slack rejects messages whose blocks exceed roughly 12,000 characters; keep a margin.
MAX_MESSAGE_CHARS = 11_500
MAX_FALLBACK_TEXT = 3000

_SEVERITY_EMOJI = {
    Severity.CRITICAL: ":red_circle:",
    Severity.HIGH: ":large_orange_circle:",
    Severity.MEDIUM: ":large_yellow_circle:",
    Severity.LOW: ":large_blue_circle:",
    Severity.INFO: ":white_circle:",
}
_LAYER_EMOJI = {"ok": ":white_check_mark:", "error": ":x:", "skipped": ":heavy_minus_sign:"}
_MENTION = re.compile(r"(?i)@(channel|here|everyone)\b")
_WORD_JOINER = "\u2060"

# --------------------------------------------------------------------------- text


def escape(text: str) -> str:
    """Repository text made inert for mrkdwn: no mentions, no links, no markup tokens."""
    text = printable(text, keep_lines=True).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub(lambda m: f"@{_WORD_JOINER}{m.group(1)}", text)


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def _safe(text: str | None, limit: int = 300) -> str:
    """Report text (redacted whole by the envelope, so clipping cannot cut a secret in two), clipped, escaped."""
    return escape(_clip(text or "", limit))


def _one_line(text: str | None, limit: int = 200) -> str:
    return escape(_clip(printable(" ".join((text or "").split())), limit))


def _code(text: str | None, limit: int = 120) -> str:
    value = _one_line((text or "").replace("`", "'"), limit)
    return f"`{value}`" if value else ""


def _fit(text: str, limit: int) -> str:
    """Hard limit on already-escaped text, never cutting an entity like `&amp;` in half."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def _link(url: str | None, label: str) -> str | None:
    """A mrkdwn link for a URL `safe_url` allows (else None: no link)."""
    web = safe_url(url)
    if web is None:
        return None
    encoded = quote(web, safe=":/?#[]@!$&'()*+,;=%~-._").replace("&", "&amp;")
    return f"<{encoded}|{escape(label)}>"


def _n(value: int) -> str:
    return f"{value:,}"


# --------------------------------------------------------------------------- blocks within limits


def _mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> MarkdownTextObject:
    # verbatim: Slack must not auto-link channel names, URLs or mentions in text we did not write.
    return MarkdownTextObject(text=_fit(text, limit), verbatim=True)


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=_mrkdwn(text))


def _context(*texts: str) -> ContextBlock:
    return ContextBlock(elements=[_mrkdwn(t, MAX_FIELD_TEXT) for t in texts if t][:MAX_CONTEXT_ELEMENTS])


def _size(block: dict[str, Any]) -> int:
    return len(json.dumps(block, ensure_ascii=False)) + 1


@dataclass(frozen=True)
class _Room:
    blocks: int = 0
    chars: int = 0

    def __add__(self, other: _Room) -> _Room:
        return _Room(self.blocks + other.blocks, self.chars + other.chars)


def _room_for(blocks: Sequence[Block]) -> _Room:
    return _Room(len(blocks), sum(_size(b.to_dict()) for b in blocks))


class _Message:
    """Blocks added in order while they fit in Slack's block count and size limits."""

    def __init__(self) -> None:
        self.blocks: list[dict[str, Any]] = []
        self.chars = 0

    def fits(self, *blocks: Block, reserve: _Room = _Room()) -> bool:
        needed = _room_for(blocks) + reserve
        return len(self.blocks) + needed.blocks <= MAX_BLOCKS and self.chars + needed.chars <= MAX_MESSAGE_CHARS

    def add(self, block: Block, reserve: _Room = _Room()) -> bool:
        if not self.fits(block, reserve=reserve):
            return False
        rendered = block.to_dict()  # runs slack-sdk's own validators too
        self.blocks.append(rendered)
        self.chars += _size(rendered)
        return True

    def add_items(
        self,
        heading: str,
        items: Sequence[T],
        render: Callable[[T], str],
        more: str,
        *,
        reserve: _Room,
        separator: str = "\n",
        max_sections: int = MAX_BLOCKS,
        hidden: int = 0,
    ) -> int:
        """Items packed into sections of at most 3,000 characters while the message has room, then
        "…and N more {more}" for what was left out (plus `hidden`, items the caller never passed).
        The heading opens the first section; it is not shown alone. Items are rendered only when
        considered, so a list of 10,000 costs what fits. Returns how many items were shown."""

        def text(part: list[str], first: bool) -> str:
            return separator.join([heading, *part] if first and heading else part)

        def more_block(left: int) -> ContextBlock:
            return _context(f"…and {_n(left)} {more}")

        # Every check keeps room for the longest "…and N more" this list could need.
        keep = reserve + _room_for([more_block(len(items) + hidden)])
        sections = 0
        pending: list[str] = []
        shown = 0
        for raw in items:
            item = render(raw)
            candidate = [*pending, item]
            if pending and len(text(candidate, sections == 0)) > MAX_SECTION_TEXT:
                if sections + 1 >= max_sections or not self.add(_section(text(pending, sections == 0)), keep):
                    break
                sections += 1
                pending, candidate = [], [item]
            if not self.fits(_section(text(candidate, sections == 0)), reserve=keep):
                break
            pending = candidate
            shown += 1
        if pending:
            self.add(_section(text(pending, sections == 0)), keep)
        if shown < len(items) or hidden:
            self.add(more_block(len(items) - shown + hidden), reserve)
        return shown


# --------------------------------------------------------------------------- the main message


def _where(report: Report) -> str:
    target = report.target
    name = target.repository or (Path(target.path).name if target.path else None) or target.image or "local scan"
    ref = target.ref or (target.commit[:12] if target.commit else None)
    return f"{name} @ {ref}" if ref else name


def _artifacts_hint(report: Report, attached: bool) -> str:
    if attached:
        return "see report.html (attached in the thread) or report.json"
    where = _link(report.target.run_url, "the CI run's artifacts")
    return f"see report.html / report.json in {where}" if where else "see report.html / report.json in the scan output"


def _counts(report: Report) -> dict[str, dict[str, int]]:
    return report.counts if report.counts.get("severity") else count_findings(report.findings)


def _verdict_emoji(report: Report) -> str:
    return ":white_check_mark:" if report.verdict == "pass" else ":rotating_light:"


def _header(report: Report) -> HeaderBlock:
    title = f"{_verdict_emoji(report)} secscan {report.verdict.upper()}: {_one_line(_where(report), 100)}"
    return HeaderBlock(text=PlainTextObject(text=_fit(title, MAX_HEADER_TEXT), emoji=True))


def _summary(report: Report) -> SectionBlock:
    synthesis = report.synthesis
    lines = [f"*Risk score:* {synthesis.risk_score}/100 · *Gate:* {report.verdict.upper()}"]
    lines.append(_safe(synthesis.summary, 1500))
    if synthesis.source == "ai" and synthesis.ai_verdict:
        reason = f": {_safe(synthesis.verdict_reason, 600)}" if synthesis.verdict_reason else ""
        verdict = synthesis.ai_verdict_text() or synthesis.ai_verdict
        overruled = synthesis.ai_verdict_overruled
        lines.append(f"*AI verdict:* *{verdict}*" if overruled else f"*AI verdict:* {verdict}{reason}")
    if synthesis.triage:
        labels = Counter(t.label for t in synthesis.triage)
        lines.append(
            f"*AI triage* (advisory, never changes the gate): {_n(labels['likely_true_positive'])} likely true, "
            f"{_n(labels['likely_false_positive'])} likely false positives, {_n(labels['needs_review'])} need review"
        )
    if synthesis.adjustments:
        lines.append("*secscan corrected the model's answer:*")
        lines += [f"• {_safe(note, 300)}" for note in synthesis.adjustments[:6]]
    return _section("\n".join(lines))


def _layer_line(layer: LayerReport, counts: dict[str, int]) -> str:
    emoji = _LAYER_EMOJI.get(layer.status, "")
    if layer.status == "ok":
        return f"{emoji} {_one_line(layer.name, 30)}: {_n(counts.get(layer.name, 0))}"
    return f"{emoji} {_one_line(layer.name, 30)}: {layer.status}"


def _count_fields(report: Report) -> SectionBlock:
    counts = _counts(report)
    severity = counts.get("severity", {})
    status = counts.get("status", {})
    by_severity = "\n".join(f"{_SEVERITY_EMOJI[s]} {s.value}: {_n(severity.get(s.value, 0))}" for s in Severity)
    by_layer = "\n".join(_layer_line(layer, counts.get("layer", {})) for layer in report.layers) or "no layers"
    by_status = (
        f"new: {_n(status.get('new', 0))}\nexisting: {_n(status.get('existing', 0))}\n"
        f"suppressed: {_n(status.get('suppressed', 0))}"
    )
    fields = [
        _mrkdwn(f"*By severity* (not suppressed)\n{by_severity}", MAX_FIELD_TEXT),
        _mrkdwn(f"*By layer*\n{by_layer}", MAX_FIELD_TEXT),
        _mrkdwn(f"*Status*\n{by_status}", MAX_FIELD_TEXT),
    ]
    return SectionBlock(fields=fields[:MAX_FIELDS])


def _risk_text(index: int, report: Report, risk_index: dict[str, Finding]) -> str:
    risk = report.synthesis.top_risks[index]
    lines = [f"*{index + 1}. {_safe(risk.title, 200)}* · _{risk.urgency.replace('_', ' ')}_"]
    places = list(dict.fromkeys(risk_index[i].location for i in risk.finding_ids if i in risk_index))
    places = [p for p in places if p]
    if places:
        shown = ", ".join(_code(p) for p in places[:3])
        extra = f" and {_n(len(places) - 3)} more" if len(places) > 3 else ""
        lines.append(f"*Where:* {shown}{extra}")
    if risk.why_it_matters:
        lines.append(f"*Why:* {_safe(risk.why_it_matters, 300)}")
    lines.append(f"*Fix:* {_safe(risk.fix, 500)}")
    return "\n".join(lines)


def _finding_line(finding: Finding) -> str:
    parts = [f"{_SEVERITY_EMOJI[finding.severity]} *{_safe(finding.title, 160)}*"]
    if finding.location:
        parts.append(_code(finding.location))
    if finding.package:
        fixed = f" → {_one_line(finding.fixed_version, 40)}" if finding.fixed_version else " (no fix yet)"
        parts.append(f"{_one_line(finding.package, 60)} {_one_line(finding.installed_version, 40)}{fixed}")
    parts.append(_code(finding.rule_id, 80))
    if finding.status != "new":
        parts.append(f"_{finding.status}_")
    if finding.triage is not None:
        parts.append(f"_{_safe(triage_text(finding.triage.label, finding.triage.reason), 200)}_")
    return " · ".join(p for p in parts if p)


def _folded_as_false_positive(finding: Finding) -> bool:
    """Below high, a finding the AI calls a likely false positive is counted, not listed. Critical
    and high ones stay listed (with the label): a model talked into "all false positives" cannot
    empty the list of what fails the gate."""
    return (
        finding.triage is not None
        and finding.triage.label == "likely_false_positive"
        and finding.severity.rank < Severity.HIGH.rank
    )


def _ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Active findings, new first, worst first, the AI's likely false positives last within a
    severity: the order a reader should go through them."""
    active = [f for f in findings if f.status != "suppressed" and not _folded_as_false_positive(f)]
    return sorted(
        active,
        key=lambda f: (
            f.status != "new",
            -f.severity.rank,
            f.triage is not None and f.triage.label == "likely_false_positive",
            f.path or "",
            f.line or 0,
            f.id,
        ),
    )


def _footer(report: Report) -> ContextBlock:
    elements = [
        f"secscan {_one_line(report.secscan_version, 20)} · {report.mode} · {_one_line(report.generated_at, 40)}"
    ]
    versions = [
        f"{_one_line(layer.name, 20)} {_one_line(layer.version, 30)}" for layer in report.layers if layer.version
    ]
    if versions:
        elements.append(" · ".join(versions))
    synthesis = report.synthesis
    source = f"synthesis: {synthesis.source}" + (f" ({_one_line(synthesis.model, 60)})" if synthesis.model else "")
    if synthesis.error:
        source += f" — AI answer not used: {_one_line(synthesis.error, 150)}"
    elements.append(source)
    if report.usage is not None:
        usage = report.usage
        elements.append(
            f"tokens: {_n(usage.prompt_tokens)} in / {_n(usage.completion_tokens)} out · cost ${usage.cost_usd:.4f}"
        )
    if report.target.commit:
        elements.append(f"commit {_code(report.target.commit, 40)}")
    if report.warnings:
        elements.append(f"{_n(len(report.warnings))} warning(s) in report.json")
    return _context(*elements)


@dataclass(frozen=True)
class Rendered:
    """A message as sent: the fallback text and the blocks (plain dicts)."""

    text: str
    blocks: list[dict[str, Any]]


def fallback_text(report: Report) -> str:
    """The notification and screen-reader text: what the header and the summary say."""
    report = redacted_envelope(report)
    text = (
        f"secscan {report.verdict.upper()}: {_one_line(_where(report), 100)} · "
        f"risk {report.synthesis.risk_score}/100 · {_one_line(report.synthesis.summary, 1500)}"
    )
    return _fit(text, MAX_FALLBACK_TEXT)


def build_message(
    report: Report, config: Config, *, include_findings: bool = False, attached: bool = False
) -> Rendered:
    """The main message. With `include_findings` (incoming webhooks, which cannot thread) it also
    lists the findings, as many as fit."""
    report = redacted_envelope(report)
    message = _Message()
    hint = _artifacts_hint(report, attached)
    tail: list[Block] = []
    run_link = _link(report.target.run_url, "View the CI run")
    if run_link:
        tail.append(_section(f":link: {run_link}"))
    tail.append(_footer(report))
    reserve = _room_for(tail)

    opening: list[Block] = [_header(report), _summary(report), _count_fields(report), DividerBlock()]
    for block in opening:
        message.add(block, reserve)

    ordered = _ordered(report.findings) if include_findings else []
    more_findings = f"more findings — {hint}"
    # However long the reasons and risks, the findings list keeps room for its "…and N more".
    upper = reserve
    if ordered:
        upper = reserve + _room_for([DividerBlock(), _context(f"…and {_n(len(ordered))} {more_findings}")])

    if report.reasons:
        # The reasons get one section at most, so they cannot crowd out the fixes.
        message.add_items(
            "*Why the gate failed*",
            report.reasons,
            lambda reason: f"• {_safe(reason, 400)}",
            "more reasons in report.json",
            reserve=upper,
            max_sections=1,
        )

    risks = report.synthesis.top_risks
    if risks:
        by_id = {f.id: f for f in report.findings}
        limit = min(len(risks), config.slack.max_top_findings)
        message.add_items(
            "*Top risks*",
            range(limit),
            lambda i: _risk_text(i, report, by_id),
            f"more top risks — {hint}",
            reserve=upper,
            separator="\n\n",
            max_sections=2,
            hidden=len(risks) - limit,
        )

    if ordered:
        message.add(DividerBlock(), reserve)
        folded = sum(1 for f in report.findings if f.status != "suppressed" and _folded_as_false_positive(f))
        fold_note = f"; {_n(folded)} more below high that the AI calls likely false positives" if folded else ""
        heading = f"*Findings* ({_n(len(ordered))}, new first, worst first{fold_note})"
        message.add_items(heading, ordered, _finding_line, more_findings, reserve=reserve)

    for block in tail:
        message.add(block)
    return Rendered(text=fallback_text(report), blocks=message.blocks)


def build_layer_reply(report: Report, layer: LayerReport, *, attached: bool = False) -> Rendered:
    """One thread reply: a layer's status, counts and findings (as many as fit)."""
    report = redacted_envelope(report)
    layer = next(redacted for redacted in report.layers if redacted.name == layer.name)
    message = _Message()
    findings = [f for f in report.findings if f.layer == layer.name]
    status = Counter(f.status for f in findings)
    active = [f for f in findings if f.status != "suppressed"]
    severity = Counter(f.severity for f in active)
    version = f" {_one_line(layer.version, 30)}" if layer.version else ""
    lines = [
        (
            f"{_LAYER_EMOJI.get(layer.status, '')} *{_one_line(layer.name, 30)}*{version} · {layer.status} · "
            f"{_n(len(active))} finding(s) · {layer.duration_s:.1f} s"
        ),
        " · ".join(f"{_SEVERITY_EMOJI[s]} {s.value} {_n(severity[s])}" for s in Severity),
        f"new {_n(status['new'])} · existing {_n(status['existing'])} · suppressed {_n(status['suppressed'])}",
    ]
    if layer.error:
        lines.append(f"*Error:* {_safe(layer.error, 1000)}")
    for note in layer.notes[:5]:
        lines.append(f"_note:_ {_safe(note, 200)}")
    if len(layer.notes) > 5:
        lines.append(f"…and {_n(len(layer.notes) - 5)} more notes in report.json")
    message.add(_section("\n".join(lines)))
    ordered = _ordered(findings)
    message.add_items("", ordered, _finding_line, f"more — {_artifacts_hint(report, attached)}", reserve=_Room())
    text = _fit(f"secscan {_one_line(layer.name, 30)}: {layer.status}, {_n(len(active))} finding(s)", MAX_FALLBACK_TEXT)
    return Rendered(text=text, blocks=message.blocks)
