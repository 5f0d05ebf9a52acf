"""The AI synthesis: one chat-completions call with a strict output schema, or the deterministic one.

`synthesize_or_fall_back` never raises. Whatever goes wrong (rate limits past the SDK's
retries, 5xx, timeouts, refusals, cut-off or off-schema answers) ends in the deterministic
synthesis with the reason recorded, and with the token usage when tokens were spent.

The model's answer can only add to the gate: the pipeline reads `ai_verdict == "fail"` and
never its "pass". Here the answer is checked: the risk score is clamped, finding references
the model invented are dropped, and every correction is listed in `Synthesis.adjustments`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import anyio
import openai
from pydantic import ValidationError

from secscan.config import Config, Price
from secscan.credentials import Credentials, reveal
from secscan.errors import PromptTooLarge, UnusableAnswer
from secscan.findings.redact import register_secret
from secscan.synthesis import deterministic
from secscan.synthesis.interface import SynthesisInput, SynthesisResult
from secscan.synthesis.model import (
    FindingTriage,
    LikelyFalsePositive,
    Synthesis,
    SynthesisOutput,
    TopRisk,
    Usage,
)
from secscan.synthesis.pricing import cost_usd, price_for
from secscan.synthesis.prompt import Prompt, build_prompt, clean
from secscan.synthesis.tokens import counting_for

DEFAULT_MODEL = "gpt-4o"
MAX_TOP_RISKS = 15
MAX_FALSE_POSITIVES = 20
MAX_ACTIONS = 10
MAX_IDS_PER_ITEM = 50
# Reasoning models (o1, o3, o4-mini, gpt-5…) reject any temperature but the default.
_NO_TEMPERATURE = re.compile(r"^(?:o\d|gpt-5)")


@dataclass
class Meter:
    """Tokens spent across the calls of one synthesis, priced at the end."""

    model: str
    prices: dict[str, Price]
    prompt_tokens: int = 0
    completion_tokens: int = 0
    answered_by: str | None = None
    seen: bool = False

    def add(self, body: object) -> None:
        if not isinstance(body, dict):
            return
        if isinstance(body.get("model"), str) and body["model"]:
            self.answered_by = str(body["model"])
        usage = body.get("usage")
        if not isinstance(usage, dict):
            return
        self.seen = True
        self.prompt_tokens += _int(usage.get("prompt_tokens"))
        self.completion_tokens += _int(usage.get("completion_tokens"))

    def usage(self) -> Usage | None:
        if not self.seen:
            return None
        # An operator's price for the configured name (an Azure deployment) wins; else the snapshot
        # that answered (gpt-4o-2024-05-13 costs twice gpt-4o); else the configured name.
        price = self.prices.get(self.model)
        if price is None and self.answered_by:
            price = price_for(self.answered_by, self.prices)
        if price is None:
            price = price_for(self.model, self.prices)
        return Usage(
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            cost_usd=cost_usd(price, self.prompt_tokens, self.completion_tokens),
            priced=price is not None,
        )


def _int(value: object) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def _one_line(text: str, limit: int = 300) -> str:
    return clean(text, limit) or "unknown error"


def reason_for(exc: BaseException, config: Config) -> str:
    """One redacted line: why the model's answer could not be used."""
    retries = config.ai.max_retries
    after = f" after {retries} {'retry' if retries == 1 else 'retries'}" if retries else ""
    if isinstance(exc, UnusableAnswer):
        text = str(exc)
    elif isinstance(exc, TimeoutError):
        text = f"the model call did not finish within {_deadline(config):.0f}s in total"
    elif isinstance(exc, openai.APITimeoutError):
        text = f"the model endpoint timed out ({config.ai.timeout_s:g}s per attempt){after}"
    elif isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        text = f"cannot reach the model endpoint{after}: {cause or exc}"
    elif isinstance(exc, openai.RateLimitError):
        text = f"rate limited by the model endpoint (HTTP 429){after}: {exc.message}"
    elif isinstance(exc, openai.APIStatusError):
        retry_note = after if exc.status_code >= 500 else ""
        text = f"the model endpoint answered HTTP {exc.status_code}{retry_note}: {exc.message}"
    elif isinstance(exc, openai.OpenAIError):
        text = f"{type(exc).__name__}: {exc}"
    else:
        text = f"unexpected {type(exc).__name__}: {exc}"
    return _one_line(text)


def _deadline(config: Config) -> float:
    """A bound on one call with all its retries: each attempt's timeout plus the SDK's backoff
    (at most 8 s per retry, more when the server sends Retry-After)."""
    retries = config.ai.max_retries
    return config.ai.timeout_s * (retries + 1) + 10.0 * retries + 5.0


def _sampling(model: str) -> dict[str, Any]:
    return {} if _NO_TEMPERATURE.match(model) else {"temperature": 0}


def _rejects_json_schema(exc: openai.BadRequestError) -> bool:
    text = f"{exc.message} {json.dumps(exc.body, default=str) if exc.body is not None else ''}".lower()
    return "response_format" in text or "json_schema" in text or "json schema" in text


def _body(response: Any) -> object:
    try:
        return response.http_response.json()
    except Exception:  # noqa: BLE001 - an unreadable body just carries no usage
        return None


_CUT_OFF = "the model's answer was cut off at max_completion_tokens (finish_reason=length)"
_FILTERED = "the model's answer was withheld by the content filter (finish_reason=content_filter)"


def _message(completion: Any) -> Any:
    """The first choice's message, or UnusableAnswer saying why there is nothing to use."""
    choices = getattr(completion, "choices", None) or []
    if not choices:
        raise UnusableAnswer("the model returned no choices")
    choice = choices[0]
    if choice.finish_reason == "length":
        raise UnusableAnswer(_CUT_OFF)
    if choice.finish_reason == "content_filter":
        raise UnusableAnswer(_FILTERED)
    message = choice.message
    if message is None:
        raise UnusableAnswer("the model returned no message")
    if message.refusal:
        raise UnusableAnswer(f"the model refused: {message.refusal}")
    return message


def _off_schema(exc: ValidationError) -> UnusableAnswer:
    errors = exc.errors()
    where = ".".join(str(part) for part in errors[0]["loc"]) if errors and errors[0]["loc"] else "answer"
    what = errors[0]["msg"] if errors else str(exc)
    return UnusableAnswer(f"the model's answer does not fit the schema ({exc.error_count()} error(s); {where}: {what})")


def _read(raw: Any, meter: Meter) -> SynthesisOutput:
    """The answer in a raw response: usage first (spent even when the answer is unusable), then
    our own validation against the pydantic model (in strict and in JSON mode alike)."""
    meter.add(_body(raw))
    try:
        message = _message(raw.parse())
        parsed = SynthesisOutput.model_validate_json(message.content) if message.content else None
    except ValidationError as exc:
        raise _off_schema(exc) from None
    except (AttributeError, TypeError, KeyError, ValueError) as exc:  # a body that is no chat completion
        raise UnusableAnswer(f"the endpoint's answer is not a chat completion ({type(exc).__name__})") from None
    if not isinstance(parsed, SynthesisOutput):
        raise UnusableAnswer("the model returned no content")
    return parsed


@dataclass
class Request:
    """What one synthesis sends; `limit_parameter` switches to max_tokens for servers that reject
    max_completion_tokens (older proxies, some OpenAI-compatible servers)."""

    model: str
    prompt: Prompt
    max_tokens: int
    limit_parameter: str = "max_completion_tokens"
    strict: bool = True

    def arguments(self) -> dict[str, Any]:
        if self.strict:
            system = self.prompt.system
            response_format: dict[str, Any] = {
                "type": "json_schema",
                "json_schema": {"name": "SynthesisOutput", "strict": True, "schema": self.prompt.schema_object},
            }
        else:  # JSON mode for servers without json_schema support: the schema goes into the prompt
            system = self.prompt.system_with_schema
            response_format = {"type": "json_object"}
        return {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": self.prompt.user}],
            "response_format": response_format,
            self.limit_parameter: self.max_tokens,
            **_sampling(self.model),
        }


def _rejects_max_completion_tokens(exc: openai.BadRequestError) -> bool:
    text = f"{exc.message} {json.dumps(exc.body, default=str) if exc.body is not None else ''}".lower()
    return "max_completion_tokens" in text


async def _send(client: openai.AsyncOpenAI, request: Request, config: Config, meter: Meter) -> SynthesisOutput:
    with anyio.fail_after(_deadline(config)):
        raw = await client.chat.completions.with_raw_response.create(**request.arguments())
    return _read(raw, meter)


async def _send_with_limit_fallback(
    client: openai.AsyncOpenAI, request: Request, config: Config, meter: Meter
) -> SynthesisOutput:
    """Once, with max_tokens, when the server rejects max_completion_tokens."""
    try:
        return await _send(client, request, config, meter)
    except openai.BadRequestError as exc:
        if request.limit_parameter != "max_completion_tokens" or not _rejects_max_completion_tokens(exc):
            raise
    request.limit_parameter = "max_tokens"
    return await _send(client, request, config, meter)


async def ask(client: openai.AsyncOpenAI, model: str, prompt: Prompt, config: Config, meter: Meter) -> SynthesisOutput:
    request = Request(model=model, prompt=prompt, max_tokens=config.ai.max_completion_tokens)
    try:
        return await _send_with_limit_fallback(client, request, config, meter)
    except openai.BadRequestError as exc:
        if not _rejects_json_schema(exc):
            raise
    request.strict = False
    return await _send_with_limit_fallback(client, request, config, meter)


def _ids(raw_ids: list[str], prompt: Prompt, known: frozenset[str], invented: list[str]) -> list[str]:
    """Map the model's references to finding ids; anything unknown is collected in `invented`."""
    ids: list[str] = []
    for raw in raw_ids[:MAX_IDS_PER_ITEM]:
        ref = str(raw).strip().lstrip("#")
        finding_id = prompt.refs.get(ref) or (ref if ref in known else None)
        if finding_id is None:
            invented.append(str(raw))
        elif finding_id not in ids:
            ids.append(finding_id)
    return ids


# A summary or action that tells the team the scan is fine: never shown while the gate fails.
_ALL_CLEAR = re.compile(
    r"\ball[ -]clear\b|\bsafe to (?:merge|deploy|ship|release)\b|\bmerge (?:it )?now\b|\bgood to (?:go|merge)\b"
    r"|\bno (?:real |significant |actual |actionable |security )?(?:risks?|issues?|problems?|vulnerabilit(?:y|ies)|"
    r"findings?) (?:found|remain|to fix|were found)\b|\bnothing to (?:fix|worry)\b|\b(?:the )?gate (?:passes|passed)\b"
    r"|\b(?:is|are|looks?) (?:clean|safe|secure)\b|\bfalse positives? only\b|\ball (?:findings )?(?:are )?false positives\b",  # noqa: E501
    re.IGNORECASE,
)


def _says_all_clear(text: str) -> bool:
    return bool(_ALL_CLEAR.search(text))


def _risks(
    output: SynthesisOutput, prompt: Prompt, known: frozenset[str], invented: list[str]
) -> tuple[list[TopRisk], int]:
    risks: list[TopRisk] = []
    dropped = 0
    for risk in output.top_risks:
        ids = _ids(risk.finding_ids, prompt, known, invented)
        if risk.finding_ids and not ids:
            dropped += 1
            continue
        risks.append(
            TopRisk(
                finding_ids=ids,
                title=clean(risk.title, 200),
                why_it_matters=clean(risk.why_it_matters, 600),
                fix=clean(risk.fix, 600),
                urgency=risk.urgency,
            )
        )
    return risks, dropped


def _triage(output: SynthesisOutput, prompt: Prompt, known: frozenset[str], invented: list[str]) -> list[FindingTriage]:
    """One label per finding the model saw, the first one it gave; ids it invented are dropped."""
    labels: dict[str, FindingTriage] = {}
    for item in output.triage[: max(len(prompt.refs), 1) * 2]:
        ids = _ids([item.finding_id], prompt, known, invented)
        if ids and ids[0] not in labels:
            labels[ids[0]] = FindingTriage(finding_id=ids[0], label=item.label, reason=clean(item.reason, 300))
    return list(labels.values())


def _bound_to_gate(
    data: SynthesisInput,
    prompt: Prompt,
    summary: str,
    score: int,
    risks: list[TopRisk],
    actions: list[str],
    ai_verdict: str,
    adjustments: list[str],
) -> tuple[str, int, list[TopRisk], list[str]]:
    """While the gate fails: no risk below the floor, no all-clear, no empty top risks."""
    if data.gate.verdict != "fail":
        return summary, score, risks, actions
    if score < prompt.risk_floor:
        adjustments.append(f"risk_score {score} raised to {prompt.risk_floor}: the gate fails (secscan's own score)")
        score = prompt.risk_floor
    if ai_verdict == "pass":
        adjustments.append("the model answered pass; overruled by policy: the gate's fail stands")
    if ai_verdict == "pass" or _says_all_clear(summary):
        adjustments.append("the model's summary was replaced by secscan's: it contradicted the failing gate")
        summary = deterministic.summary(data, prompt.ranked)
    kept = [a for a in actions if not _says_all_clear(a)]
    if len(kept) < len(actions):
        adjustments.append(f"dropped {len(actions) - len(kept)} next action(s) that contradicted the failing gate")
        actions = kept or deterministic.next_actions(data, prompt.ranked)
    if not risks and prompt.ranked:
        adjustments.append("the model listed no top risks while the gate fails: secscan's are shown")
        risks = deterministic.top_risks(prompt.ranked)
    return summary, score, risks, actions


def to_synthesis(output: SynthesisOutput, data: SynthesisInput, prompt: Prompt, model: str) -> Synthesis:
    """The report's synthesis from a model answer, checked; never changes a finding or the gate."""
    adjustments: list[str] = []
    known = frozenset(f.id for f in data.findings)
    invented: list[str] = []

    score = output.risk_score
    if not 0 <= score <= 100:
        score = min(100, max(0, score))
        adjustments.append(f"risk_score {output.risk_score} clamped to {score}")
    risks, dropped_risks = _risks(output, prompt, known, invented)
    triage = _triage(output, prompt, known, invented)
    if invented:
        shown = ", ".join(clean(i, 24) for i in invented[:5]) + (", …" if len(invented) > 5 else "")
        adjustments.append(f"dropped {len(invented)} finding reference(s) not in the input: {shown}")
    if dropped_risks:
        adjustments.append(f"dropped {dropped_risks} top risk(s) that referred only to findings not in the input")
    if len(risks) > MAX_TOP_RISKS:
        adjustments.append(f"kept the first {MAX_TOP_RISKS} of {len(risks)} top risks")
        risks = risks[:MAX_TOP_RISKS]
    actions = [a for a in (clean(a, 300) for a in output.next_actions) if a]
    if len(actions) > MAX_ACTIONS:
        adjustments.append(f"kept the first {MAX_ACTIONS} of {len(actions)} next actions")
        actions = actions[:MAX_ACTIONS]
    summary = clean(output.summary, 1500) or deterministic.summary(data, prompt.ranked)
    summary, score, risks, actions = _bound_to_gate(
        data, prompt, summary, score, risks, actions, output.ai_verdict, adjustments
    )
    false_positives = [
        LikelyFalsePositive(finding_ids=[t.finding_id], reason=t.reason)
        for t in triage
        if t.label == "likely_false_positive"
    ]
    return Synthesis(
        source="ai",
        model=model,
        summary=summary,
        risk_score=score,
        ai_verdict=output.ai_verdict,
        verdict_reason=clean(output.verdict_reason, 300) or None,
        top_risks=risks,
        likely_false_positives=false_positives[:MAX_FALSE_POSITIVES],
        next_actions=actions,
        error=None,
        prompt_note=prompt.note,
        adjustments=adjustments,
        triage=triage,
        gate_verdict=data.gate.verdict,
    )


def client_for(api_key: str, config: Config, credentials: Credentials) -> openai.AsyncOpenAI:
    """The SDK's client: classic Azure OpenAI (endpoint + deployment + api-version) when an
    api-version is set, else any OpenAI-compatible base URL (Azure's /openai/v1/ included)."""
    # A short connect timeout apart from the read timeout: an unreachable endpoint fails in
    # seconds, not after timeout_s for every retry.
    timeout = openai.Timeout(config.ai.timeout_s, connect=min(config.ai.connect_timeout_s, config.ai.timeout_s))
    api_version = credentials.openai_api_version or config.ai.azure_api_version
    base_url = credentials.openai_base_url
    if api_version:
        endpoint = credentials.azure_openai_endpoint or base_url
        if not endpoint:
            raise UnusableAnswer("an Azure api-version is set but no endpoint: set AZURE_OPENAI_ENDPOINT")
        return openai.AsyncAzureOpenAI(
            api_key=api_key,
            azure_endpoint=endpoint,
            api_version=api_version,
            timeout=timeout,
            max_retries=config.ai.max_retries,
        )
    return openai.AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=config.ai.max_retries)


def fall_back(data: SynthesisInput, reason: str, usage: Usage | None, prompt: Prompt | None = None) -> SynthesisResult:
    synthesis = deterministic.build(data, error=_one_line(reason), ranked=prompt.ranked if prompt else None)
    return SynthesisResult(synthesis=synthesis, usage=usage)


async def synthesize_or_fall_back(
    data: SynthesisInput, config: Config, credentials: Credentials | None = None
) -> SynthesisResult:
    """The model's synthesis when it can be had and used; the deterministic one otherwise. Never raises.
    `credentials`: the run's (the pipeline passes them); None reads the environment."""
    credentials = credentials or Credentials.from_environment()
    api_key = reveal(credentials.openai_api_key)
    if not api_key:
        return fall_back(data, "OPENAI_API_KEY is not set", None)
    register_secret(api_key)
    model = credentials.model or config.ai.model or DEFAULT_MODEL
    meter = Meter(model=model, prices=dict(config.ai.prices))
    prompt: Prompt | None = None
    try:
        with counting_for(model):
            prompt = build_prompt(data, config.ai.prompt_budget_tokens, config.ai.context_lines)
        async with client_for(api_key, config, credentials) as client:
            output = await ask(client, model, prompt, config, meter)
        return SynthesisResult(
            synthesis=to_synthesis(output, data, prompt, meter.answered_by or model), usage=meter.usage()
        )
    except PromptTooLarge as exc:
        return fall_back(data, str(exc), None)
    except Exception as exc:  # noqa: BLE001 - the contract: never raise, never lose the findings
        return fall_back(data, reason_for(exc, config), meter.usage(), prompt)
