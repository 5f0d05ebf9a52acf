"""The synthesis output: one shape, whether a model wrote it or the deterministic ranking did.

`SynthesisOutput` is what the model must return. It is safe for OpenAI strict
structured outputs: every field required, no defaults, no free-form dicts.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Urgency = Literal["immediate", "this_week", "this_sprint", "backlog"]


class TopRisk(BaseModel):
    model_config = ConfigDict(extra="forbid")

    finding_ids: list[str] = Field(description="ids of the findings this risk is about")
    title: str
    why_it_matters: str = Field(description="why it matters for this repository")
    fix: str
    urgency: Urgency


class LikelyFalsePositive(BaseModel):
    model_config = ConfigDict(extra="forbid")

    finding_ids: list[str]
    reason: str


class SynthesisOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: str = Field(description="three sentences at most, for an engineering lead")
    risk_score: int = Field(description="0 (no risk) to 100 (exploitable, critical)")
    ai_verdict: Literal["pass", "fail"]
    verdict_reason: str
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


class Usage(BaseModel):
    model_config = ConfigDict(frozen=True)

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
