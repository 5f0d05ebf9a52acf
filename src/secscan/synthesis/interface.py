"""What a synthesizer gets and gives."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from secscan.findings.model import Finding
from secscan.results import GateDecision
from secscan.synthesis.model import Synthesis, Usage


class SynthesisInput(BaseModel):
    """Only normalized, redacted findings and the gate's decision: never raw scanner output."""

    model_config = ConfigDict(frozen=True)

    findings: list[Finding]
    gate: GateDecision
    layer_errors: list[str] = []
    repository: str | None = None
    # The scanned tree, when there is one: code findings then carry their source lines.
    source_root: Path | None = None
    exceptions_notice: str | None = None  # set when exceptions hid findings or excluded files


class SynthesisResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    synthesis: Synthesis
    usage: Usage | None = None
