"""The synthesis output: one shape, whether a model wrote it or the deterministic ranking did.

`SynthesisOutput` is what the model must return. It is safe for OpenAI strict
structured outputs: every field required, no defaults, no free-form dicts, extra
fields forbidden (`additionalProperties: false`). `prompt.answer_schema` adds, per call,
what only the input knows: finding references as an enum of the numbers the prompt listed,
list lengths, and `risk_score` bounds (0-100, never below the policy's floor when the gate
fails). The model sees findings under short reference numbers; secscan maps them back to
finding ids before a `TopRisk` or a triage label reaches the report.
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


TriageLabel = Literal["likely_true_positive", "likely_false_positive", "needs_review"]


class TriageAnswer(BaseModel):
    model_config = _OUTPUT_CONFIG

    finding_id: str = Field(description="the id of one finding listed in the data")
    label: TriageLabel
    reason: str = Field(description="one line, tied to the code or data shown for this finding")


class FindingTriage(BaseModel):
    """The model's label for one finding, by finding id: advisory, never read by the gate."""

    model_config = ConfigDict(frozen=True)

    finding_id: str
    label: TriageLabel
    reason: str


RISK_RUBRIC = (
    "0-100. 0: nothing to fix. 1-29: only medium/low findings, or risks with no realistic attack path. "
    "30-59: high findings, or critical vulnerabilities without a reachable path. 60-84: an exploitable "
    "injection, a critical vulnerability with a fix available, a credential only in git history. "
    "85-100: a live credential in the current code, or an exploitable critical issue."
)


class SynthesisOutput(BaseModel):
    model_config = _OUTPUT_CONFIG

    summary: str = Field(description="three sentences at most, for an engineering lead")
    risk_score: int = Field(description=RISK_RUBRIC)
    ai_verdict: Literal["pass", "fail"] = Field(description="fail if the findings carry a risk the team must act on")
    verdict_reason: str = Field(description="one sentence")
    top_risks: list[TopRisk] = Field(description="most urgent first, one per fix")
    triage: list[TriageAnswer] = Field(
        description="one label per finding listed one by one, most urgent first; advisory, never hides a finding"
    )
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
    triage: list[FindingTriage] = Field(
        default_factory=list, description="the model's label per finding it saw (also on each finding)"
    )
    gate_verdict: Literal["pass", "fail"] | None = Field(
        default=None, description="the policy's verdict the synthesis was written against"
    )

    @property
    def ai_verdict_overruled(self) -> bool:
        """The model answered pass but the policy fails the scan: shown as 'overruled by policy'."""
        return self.ai_verdict == "pass" and self.gate_verdict == "fail"

    def ai_verdict_text(self) -> str | None:
        if self.ai_verdict is None:
            return None
        return f"{self.ai_verdict} (overruled by policy)" if self.ai_verdict_overruled else self.ai_verdict


class Usage(BaseModel):
    model_config = ConfigDict(frozen=True)

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    priced: bool = Field(default=True, description="false when the model has no known price: cost_usd is then 0.0")


TRIAGE_WORDS = {
    "likely_true_positive": "likely true positive",
    "likely_false_positive": "likely false positive",
    "needs_review": "needs review",
}


def triage_text(label: str | None, reason: str | None) -> str | None:
    """'AI: likely false positive (reason)' for the human outputs; advisory, the finding still counts."""
    if label is None:
        return None
    words = TRIAGE_WORDS.get(label, label)
    return f"AI: {words}" + (f" ({reason})" if reason else "")
