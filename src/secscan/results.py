"""What one stage hands the next, as data: a layer's outcome, the gate's decision.

They sit here, beside the report model (report.py) and below every stage, so a renderer never
imports a scanner module and the synthesis never imports the gate's module: they read results."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from secscan.findings.model import Finding, LayerName

LayerStatus = Literal["ok", "error", "skipped"]
Verdict = Literal["pass", "fail"]


class LayerResult(BaseModel):
    """One layer's outcome. `raw` is the scanner's own output, already redacted."""

    model_config = ConfigDict(frozen=True)

    name: LayerName
    status: LayerStatus
    error: str | None = None
    version: str | None = None
    findings: list[Finding] = Field(default_factory=list)
    duration_s: float = 0.0
    raw: str | None = Field(default=None, exclude=True, repr=False)
    notes: list[str] = Field(default_factory=list)
    cached: bool = False  # reused from the result cache, not run
    scope: str | None = None  # what a diff scan ran this layer on (None: everything, as always)


class GateDecision(BaseModel):
    """The policy gate's verdict and one line per rule that failed it."""

    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    reasons: list[str]
    # Ids of the findings that fail the gate (the AI prompt flags them per row).
    failing_ids: frozenset[str] = frozenset()
