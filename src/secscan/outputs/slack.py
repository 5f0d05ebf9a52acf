"""Slack: the report as a Block Kit message, through an incoming webhook or the Web API.

`post_report` never raises: every outcome is a `Delivery` that the pipeline records in
report.json. Everything sent is redacted, then escaped for mrkdwn, and every message fits
Slack's limits whatever the report's size: what does not fit is counted ("…and N more")
and pointed at the report files.
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import random
import re
import socket
import time
import urllib.error
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.webhook import WebhookClient

from secscan.config import Config
from secscan.errors import DeliveryFailed
from secscan.findings.model import Finding, Severity
from secscan.findings.redact import redact_text, register_secret
from secscan.outputs.safety import printable, safe_url
from secscan.report import Delivery, LayerReport, Report, count_findings
from secscan.synthesis.model import triage_text

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

ATTACHMENTS = ("report.md", "report.html")
_MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024

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

# The SDK logs request bodies at DEBUG and prints connection errors; the Delivery says what happened.
_SDK_LOGGER = logging.getLogger("secscan.outputs.slack.sdk")
_SDK_LOGGER.addHandler(logging.NullHandler())
_SDK_LOGGER.propagate = False
_SDK_LOGGER.setLevel(logging.CRITICAL)

T = TypeVar("T")


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class _Credentials:
    webhook_url: str | None
    bot_token: str | None
    channel: str | None

    @classmethod
    def from_env(cls) -> _Credentials:
        def read(name: str) -> str | None:
            return os.environ.get(name, "").strip() or None

        return cls(read("SLACK_WEBHOOK_URL"), read("SLACK_BOT_TOKEN"), read("SLACK_CHANNEL"))

    @property
    def web_api(self) -> bool:
        return bool(self.bot_token and self.channel)


def configured() -> bool:
    """A webhook, or a bot token and a channel, are set in the environment."""
    credentials = _Credentials.from_env()
    return bool(credentials.webhook_url) or credentials.web_api


# --------------------------------------------------------------------------- text


def escape(text: str) -> str:
    """Repository text made inert for mrkdwn: no mentions, no links, no markup tokens."""
    text = printable(text, keep_lines=True).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub(lambda m: f"@{_WORD_JOINER}{m.group(1)}", text)


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def _safe(text: str | None, limit: int = 300) -> str:
    """Redact the whole value first (so clipping cannot cut a secret in two), then clip, then escape."""
    return escape(_clip(redact_text(text or ""), limit))


def _one_line(text: str | None, limit: int = 200) -> str:
    return escape(_plain(text, limit))


def _plain(text: str | None, limit: int = 300) -> str:
    """One line of redacted text for report.json and the terminal (not mrkdwn: no escaping)."""
    return _clip(printable(" ".join(redact_text(text or "").split())), limit)


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


# --------------------------------------------------------------------------- retries


class _RetryBudget:
    """One deadline for every request of a post: retries can slow the pipeline, never stall it."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.retries = 0

    def allows(self, wait: float) -> bool:
        return time.monotonic() + wait <= self.deadline


class _Backoff(RetryIntervalCalculator):
    def __init__(self, base_s: float) -> None:
        self.base_s = base_s

    def calculate_sleep_duration(self, current_attempt: int) -> float:
        return float(self.base_s * 2**current_attempt * random.uniform(1.0, 1.25))


class _Budgeted(RetryHandler):
    """Mixed into slack-sdk's handlers: the same decisions, with waits bounded by the budget."""

    budget: _RetryBudget
    _next_wait: float = 0.0

    def wait_for(self, state: RetryState, response: HttpResponse | None) -> float:
        return self.interval_calculator.calculate_sleep_duration(state.current_attempt)

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not super().can_retry(state=state, request=request, response=response, error=error):
            return False
        self._next_wait = self.wait_for(state, response)
        return self.budget.allows(self._next_wait)

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        time.sleep(self._next_wait)
        self.budget.retries += 1
        state.increment_current_attempt()


def retry_after_s(response: HttpResponse | None) -> float:
    """Retry-After in seconds (delta or HTTP date); 1 s when absent or unreadable."""
    if response is None:
        return 1.0
    for name, value in response.headers.items():
        if name.lower() != "retry-after":
            continue
        raw = value[0] if isinstance(value, list) and value else value
        text = str(raw).strip()
        try:
            return max(0.0, float(text))
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError):
                return 1.0
            return max(0.0, when.timestamp() - time.time())
    return 1.0


class _RateLimitRetry(_Budgeted, RateLimitErrorRetryHandler):
    def wait_for(self, state: RetryState, response: HttpResponse | None) -> float:
        return retry_after_s(response)


class _ServerErrorRetry(_Budgeted, ServerErrorRetryHandler):
    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code in (500, 502, 503, 504)


class _ConnectionRetry(_Budgeted, ConnectionErrorRetryHandler):
    pass


def _retry_handlers(config: Config, budget: _RetryBudget) -> list[RetryHandler]:
    count = config.slack.max_retries
    backoff = _Backoff(0.5)
    handlers: list[_Budgeted] = [
        _RateLimitRetry(max_retry_count=count),
        _ServerErrorRetry(max_retry_count=count, interval_calculator=backoff),
        _ConnectionRetry(
            max_retry_count=count,
            interval_calculator=backoff,
            error_types=[urllib.error.URLError, ConnectionError, socket.timeout],
        ),
    ]
    for handler in handlers:
        handler.budget = budget
    return list(handlers)


# --------------------------------------------------------------------------- delivery


def _describe(what: str, exc: BaseException, budget: _RetryBudget, timeout_s: float) -> str:
    if isinstance(exc, DeliveryFailed):
        detail = str(exc)
    elif isinstance(exc, SlackApiError):
        response = exc.response
        error = response.get("error") if isinstance(response.data, dict) else None
        if response.status_code == 200 and error:
            detail = str(error)
        else:
            detail = f"HTTP {response.status_code}" + (f" {error}" if error else "")
        if response.status_code == 429:
            detail += " (rate limited)"
    elif isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            detail = f"no answer within {timeout_s:g} s"
        else:
            detail = f"cannot connect: {reason}"
    elif isinstance(exc, (socket.timeout, TimeoutError)):
        detail = f"no answer within {timeout_s:g} s"
    else:
        detail = f"{type(exc).__name__}: {exc}"
    if budget.retries:
        detail += f" (after {budget.retries} retr{'y' if budget.retries == 1 else 'ies'})"
    return _plain(f"{what}: {detail}", 300)


def _send_webhook(url: str, report: Report, config: Config, budget: _RetryBudget) -> str:
    client = WebhookClient(
        url,
        timeout=max(1, round(config.slack.timeout_s)),
        logger=_SDK_LOGGER,
        retry_handlers=_retry_handlers(config, budget),
    )
    message = build_message(report, config, include_findings=True)
    response = client.send(text=message.text, blocks=message.blocks, unfurl_links=False, unfurl_media=False)
    # The webhook client returns HTTP errors instead of raising them.
    if response.status_code != 200:
        raise DeliveryFailed(f"HTTP {response.status_code} {_plain(response.body, 120)}".strip())
    return f"sent through the incoming webhook ({len(message.blocks)} blocks)"


def _attachments(report: Report, attachments_dir: Path | None) -> list[tuple[str, str]]:
    """report.md and report.html (else report.json) from the out dir, or rendered now without one.
    Files this run failed to write (named in the warnings) are stale: never attached."""
    not_written = {w.split(" ", 1)[0] for w in report.warnings if " not written" in w}
    found: list[tuple[str, str]] = []
    if attachments_dir is not None:
        for names in (ATTACHMENTS, ("report.json",)):
            for name in names:
                path = attachments_dir / name
                if name in not_written or not path.is_file() or path.stat().st_size > _MAX_ATTACHMENT_BYTES:
                    continue
                found.append((name, path.read_text(encoding="utf-8", errors="replace")))
            if found:
                break
    else:
        from secscan.outputs import formats

        for output in formats():
            if output.filename in ATTACHMENTS:
                try:
                    content: str | None = output.render(report)
                except Exception:  # noqa: BLE001 - a broken renderer costs the attachment, not the message
                    content = None
                if content is not None:
                    found.append((output.filename, content))
        if not found:
            from secscan.outputs.json_report import JsonReport

            found.append(("report.json", JsonReport().render(report)))
    # The renderers redact already; this is the last look before the content leaves.
    return [(name, redact_text(content)) for name, content in found]


def _send_web_api(
    token: str, channel: str, report: Report, config: Config, budget: _RetryBudget, attachments_dir: Path | None
) -> str:
    client = WebClient(
        token=token,
        base_url=config.slack.api_url.rstrip("/") + "/",
        timeout=max(1, round(config.slack.timeout_s)),
        logger=_SDK_LOGGER,
        retry_handlers=_retry_handlers(config, budget),
    )
    attach = config.slack.attach_report
    message = build_message(report, config, attached=attach)
    posted = client.chat_postMessage(
        channel=channel,
        text=message.text,
        blocks=message.blocks,
        unfurl_links=False,
        unfurl_media=False,
        link_names=False,
        parse="none",
    )
    channel_id = str(posted.get("channel") or channel)
    thread_ts = str(posted.get("ts") or "")
    done = [f"sent through the Web API to {_plain(channel_id, 40)} ({len(message.blocks)} blocks)"]
    if not thread_ts:
        return done[0] + "; no thread: Slack returned no ts"

    replies = 0
    step = "thread reply"
    try:
        if config.slack.thread_details:
            for layer in report.layers:
                if layer.status == "skipped":
                    continue
                reply = build_layer_reply(report, layer, attached=attach)
                client.chat_postMessage(
                    channel=channel_id,
                    thread_ts=thread_ts,
                    text=reply.text,
                    blocks=reply.blocks,
                    unfurl_links=False,
                    unfurl_media=False,
                    link_names=False,
                    parse="none",
                )
                replies += 1
            done.append(f"{replies} thread repl{'y' if replies == 1 else 'ies'}")
        if attach:
            step = "attachment"
            files = _attachments(report, attachments_dir)
            client.files_upload_v2(
                file_uploads=[
                    {"filename": name, "content": content, "title": f"secscan {name}"} for name, content in files
                ],
                channel=channel_id,
                thread_ts=thread_ts,
                initial_comment="The full report",
            )
            done.append("attached " + ", ".join(name for name, _ in files))
    except Exception as exc:  # noqa: BLE001 - the message is out: a missing detail is a note, not a failure
        if step == "thread reply":
            done.append(f"{replies} thread repl{'y' if replies == 1 else 'ies'}")
        done.append(_describe(f"{step} not sent", exc, budget, config.slack.timeout_s))
    return "; ".join(done)


def post_report(report: Report, config: Config, *, attachments_dir: Path | None = None) -> Delivery:
    """Post the report; never raises. Bot token + channel win over the webhook when both are set."""
    credentials = _Credentials.from_env()
    for secret in (credentials.webhook_url, credentials.bot_token):
        register_secret(secret)
    if not config.slack.enabled:
        return Delivery(status="skipped", detail="slack is disabled in the config")
    token, channel, webhook_url = credentials.bot_token, credentials.channel, credentials.webhook_url
    budget = _RetryBudget(config.slack.retry_budget_s)
    what = "Slack Web API" if token and channel else "Slack webhook"
    try:
        if token and channel:
            detail = _send_web_api(token, channel, report, config, budget, attachments_dir)
        elif webhook_url:
            detail = _send_webhook(webhook_url, report, config, budget)
        else:
            return Delivery(
                status="skipped", detail="not configured: set SLACK_WEBHOOK_URL, or SLACK_BOT_TOKEN and SLACK_CHANNEL"
            )
    except Exception as exc:  # noqa: BLE001 - never fatal: recorded in report.json, the gate decides the exit
        return Delivery(status="failed", detail=_describe(what, exc, budget, config.slack.timeout_s))
    return Delivery(status="sent", detail=_plain(detail, 300))
