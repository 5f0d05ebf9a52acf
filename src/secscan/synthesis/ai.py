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
import os
import re
from dataclasses import dataclass
from typing import Any

import anyio
import openai
from pydantic import ValidationError

from secscan.config import Config, Price
from secscan.errors import PromptTooLarge, UnusableAnswer
from secscan.findings.redact import register_secret
from secscan.synthesis import deterministic
from secscan.synthesis.interface import SynthesisInput, SynthesisResult
from secscan.synthesis.model import LikelyFalsePositive, Synthesis, SynthesisOutput, TopRisk, Usage
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
        price = price_for(self.model, self.prices)
        if price is None and self.answered_by:
            price = price_for(self.answered_by, self.prices)
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
        text = f"the model endpoint answered HTTP {exc.status_code}{after if exc.status_code >= 500 else ''}: {exc.message}"
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


def _read(raw: Any, meter: Meter, strict: bool) -> SynthesisOutput:
    """The answer in a raw response: usage first (spent even when the answer is unusable), then
    the SDK's parse (strict mode) or our own validation (JSON mode)."""
    meter.add(_body(raw))
    try:
        message = _message(raw.parse())
        if strict:
            parsed = message.parsed
        elif message.content:
            parsed = SynthesisOutput.model_validate_json(message.content)
        else:
            parsed = None
    except openai.LengthFinishReasonError:
        raise UnusableAnswer(_CUT_OFF) from None
    except openai.ContentFilterFinishReasonError:
        raise UnusableAnswer(_FILTERED) from None
    except ValidationError as exc:
        raise _off_schema(exc) from None
    except (AttributeError, TypeError, KeyError, ValueError) as exc:  # a body that is no chat completion
        raise UnusableAnswer(f"the endpoint's answer is not a chat completion ({type(exc).__name__})") from None
    if not isinstance(parsed, SynthesisOutput):
        raise UnusableAnswer("the model returned no content")
    return parsed


async def _ask_strict(
    client: openai.AsyncOpenAI, model: str, prompt: Prompt, config: Config, meter: Meter
) -> SynthesisOutput:
    raw = await client.chat.completions.with_raw_response.parse(
        model=model,
        messages=[{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}],
        response_format=SynthesisOutput,
        max_completion_tokens=config.ai.max_completion_tokens,
        **_sampling(model),
    )
    return _read(raw, meter, strict=True)


async def _ask_json_object(
    client: openai.AsyncOpenAI, model: str, prompt: Prompt, config: Config, meter: Meter
) -> SynthesisOutput:
    """For OpenAI-compatible servers without json_schema support: JSON mode, schema in the prompt."""
    raw = await client.chat.completions.with_raw_response.create(
        model=model,
        messages=[
            {"role": "system", "content": prompt.system_with_schema},
            {"role": "user", "content": prompt.user},
        ],
        response_format={"type": "json_object"},
        max_completion_tokens=config.ai.max_completion_tokens,
        **_sampling(model),
    )
    return _read(raw, meter, strict=False)


async def ask(client: openai.AsyncOpenAI, model: str, prompt: Prompt, config: Config, meter: Meter) -> SynthesisOutput:
    try:
        with anyio.fail_after(_deadline(config)):
            return await _ask_strict(client, model, prompt, config, meter)
    except openai.BadRequestError as exc:
        if not _rejects_json_schema(exc):
            raise
    with anyio.fail_after(_deadline(config)):
        return await _ask_json_object(client, model, prompt, config, meter)


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


def to_synthesis(output: SynthesisOutput, data: SynthesisInput, prompt: Prompt, model: str) -> Synthesis:
    """The report's synthesis from a model answer, checked; never changes a finding or the gate."""
    adjustments: list[str] = []
    known = frozenset(f.id for f in data.findings)
    invented: list[str] = []

    score = output.risk_score
    if not 0 <= score <= 100:
        score = min(100, max(0, score))
        adjustments.append(f"risk_score {output.risk_score} clamped to {score}")

    risks: list[TopRisk] = []
    dropped_risks = 0
    for risk in output.top_risks:
        ids = _ids(risk.finding_ids, prompt, known, invented)
        if risk.finding_ids and not ids:
            dropped_risks += 1
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
    false_positives: list[LikelyFalsePositive] = []
    for item in output.likely_false_positives:
        ids = _ids(item.finding_ids, prompt, known, invented)
        if ids:
            false_positives.append(LikelyFalsePositive(finding_ids=ids, reason=clean(item.reason, 400)))
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
    if data.gate.verdict == "fail" and output.ai_verdict == "pass":
        adjustments.append("the model answered pass; the policy's fail stands")

    return Synthesis(
        source="ai",
        model=model,
        summary=clean(output.summary, 1500) or deterministic.summary(data, prompt.ranked),
        risk_score=score,
        ai_verdict=output.ai_verdict,
        verdict_reason=clean(output.verdict_reason, 300) or None,
        top_risks=risks,
        likely_false_positives=false_positives[:MAX_FALSE_POSITIVES],
        next_actions=actions,
        error=None,
        prompt_note=prompt.note,
        adjustments=adjustments,
    )


def fall_back(data: SynthesisInput, reason: str, usage: Usage | None, prompt: Prompt | None = None) -> SynthesisResult:
    synthesis = deterministic.build(data, error=_one_line(reason), ranked=prompt.ranked if prompt else None)
    return SynthesisResult(synthesis=synthesis, usage=usage)


async def synthesize_or_fall_back(data: SynthesisInput, config: Config) -> SynthesisResult:
    """The model's synthesis when it can be had and used; the deterministic one otherwise. Never raises."""
    api_key = os.environ.get("OPENAI_API_KEY", "").strip()
    if not api_key:
        return fall_back(data, "OPENAI_API_KEY is not set", None)
    register_secret(api_key)
    model = os.environ.get("SECSCAN_MODEL", "").strip() or config.ai.model or DEFAULT_MODEL
    meter = Meter(model=model, prices=dict(config.ai.prices))
    prompt: Prompt | None = None
    try:
        with counting_for(model):
            prompt = build_prompt(data, config.ai.prompt_budget_tokens)
        async with openai.AsyncOpenAI(
            api_key=api_key,
            base_url=os.environ.get("OPENAI_BASE_URL", "").strip() or None,
            timeout=config.ai.timeout_s,
            max_retries=config.ai.max_retries,
        ) as client:
            output = await ask(client, model, prompt, config, meter)
        return SynthesisResult(
            synthesis=to_synthesis(output, data, prompt, meter.answered_by or model), usage=meter.usage()
        )
    except PromptTooLarge as exc:
        return fall_back(data, str(exc), None)
    except Exception as exc:  # noqa: BLE001 - the contract: never raise, never lose the findings
        return fall_back(data, reason_for(exc, config), meter.usage(), prompt)
