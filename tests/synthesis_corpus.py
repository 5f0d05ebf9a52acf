"""The whole scanner-output corpus as one synthesis input: what the AI layer would read for it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from secscan.config import Config
from secscan.findings import LayerName
from secscan.pipeline import gate_findings, results_from_files
from secscan.policy import LayerOutcome, evaluate
from secscan.results import LayerResult
from secscan.synthesis.interface import SynthesisInput


def _layer(corpus: Path, name: str) -> LayerName:
    tool = name.split("/", 1)[0]
    if tool == "trivy" and json.loads((corpus / name).read_bytes()).get("ArtifactType") == "container_image":
        return "trivy-image"
    return tool  # type: ignore[return-value]


def corpus_json_files(corpus: Path) -> list[str]:
    counts: dict[str, dict[str, int]] = json.loads((corpus / "counts.json").read_text())
    return sorted(n for n in counts if not n.endswith((".sarif", ".sarif.json")) and "sarif_runs" not in counts[n])


def corpus_input(corpus: Path, config: Config | None = None) -> SynthesisInput:
    """Every JSON file of the corpus parsed by its layer, gated together as one scan."""
    config = config or Config()
    results: list[LayerResult] = []
    for name in corpus_json_files(corpus):
        results += [r for r in results_from_files({_layer(corpus, name): corpus / name}, None) if r.status != "skipped"]
    ok = [r for r in results if r.status == "ok"]
    findings, _ = gate_findings(ok, config, None, dt.date(2026, 1, 2))
    outcomes = [LayerOutcome(name=r.name, status="ok", error=None) for r in ok]
    decision = evaluate(findings, outcomes, config.policy)
    return SynthesisInput(findings=findings, gate=decision, repository="corpus")
