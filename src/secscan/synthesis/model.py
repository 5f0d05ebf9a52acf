"""The synthesis output: one shape, whether a model wrote it or the deterministic ranking did.

`SynthesisOutput` is what the model must return. It is safe for OpenAI strict
structured outputs: every field required, no defaults, no free-form dicts, extra
fields forbidden (`additionalProperties: false`), no numeric bounds (secscan clamps).
The model sees findings under short reference numbers; secscan maps them back to
finding ids before a `TopRisk` reaches the report.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

Urgency = Literal["immediate", "this_week", "this_sprint", "backlog"]


def _without_property_titles(schema: JsonDict) -> None:
    """Property titles ("Finding Ids") repeat the names: dropping them saves prompt tokens on every call."""
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for value in properties.values():
            if isinstance(value, dict):
                value.pop("title", None)


_OUTPUT_CONFIG = ConfigDict(extra="forbid", json_schema_extra=_without_property_titles)


class TopRisk(BaseModel):
    model_config = _OUTPUT_CONFIG

    finding_ids: list[str] = Field(description="ids of the findings this risk is about")
    title: str = Field(description="short, names the problem and where")
    why_it_matters: str = Field(description="why it matters for this repository")
    fix: str
    urgency: Urgency


class LikelyFalsePositive(BaseModel):
    model_config = _OUTPUT_CONFIG

    finding_ids: list[str] = Field(description="ids of the findings that look like false positives")
    reason: str


class SynthesisOutput(BaseModel):
    model_config = _OUTPUT_CONFIG

    summary: str = Field(description="three sentences at most, for an engineering lead")
    risk_score: int = Field(description="0 (no risk) to 100 (exploitable, critical)")
    ai_verdict: Literal["pass", "fail"] = Field(description="fail if the findings carry a risk the team must act on")
    verdict_reason: str = Field(description="one sentence")
    top_risks: list[TopRisk]
    likely_false_positives: list[LikelyFalsePositive] = Field(description="advisory only; never hides a finding")
    next_actions: list[str]


class Synthesis(BaseModel):
    """The report's `synthesis` section."""

    model_config = ConfigDict(frozen=True)

    source: Literal["ai", "deterministic"]
    model: str | None = None
    summary: str
    risk_score: int = Field(ge=0, le=100)
    ai_verdict: Literal["pass", "fail"] | None = None
    verdict_reason: str | None = None
    top_risks: list[TopRisk] = Field(default_factory=list)
    likely_false_positives: list[LikelyFalsePositive] = Field(default_factory=list)
    next_actions: list[str] = Field(default_factory=list)
    error: str | None = Field(default=None, description="why the model's answer was not used, if it was not")
    prompt_note: str | None = Field(default=None, description="what was summarized to fit the token budget")
    adjustments: list[str] = Field(
        default_factory=list,
        description="what secscan corrected in the model's answer (invented ids, out-of-range score)",
    )


class Usage(BaseModel):
    model_config = ConfigDict(frozen=True)

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    priced: bool = Field(default=True, description="false when the model has no known price: cost_usd is then 0.0")
