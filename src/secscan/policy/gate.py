"""The deterministic gate. The AI can add a reason to fail; nothing can remove one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from secscan.config import PolicyConfig
from secscan.findings.model import Category, Finding, LayerName
from secscan.results import GateDecision


class LayerOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: LayerName
    status: Literal["ok", "error", "skipped"]
    error: str | None = None


def layer_error_line(name: str, error: str | None) -> str:
    """`name: error`, the name once: layer errors already start with their layer's name."""
    return f"{name}: {layer_error_text(name, error)}"


def layer_error_text(name: str, error: str | None) -> str:
    """A layer's error without the layer-name prefix it carries."""
    message = error or "unknown error"
    return message.removeprefix(f"{name}:").strip() or "unknown error"


def _examples(findings: Sequence[Finding], limit: int = 3) -> str:
    shown = ", ".join(f"{f.rule_id} at {f.location}" if f.location else f.rule_id for f in findings[:limit])
    more = f", +{len(findings) - limit} more" if len(findings) > limit else ""
    return shown + more


def failing_findings(findings: Sequence[Finding], policy: PolicyConfig) -> dict[Category, list[Finding]]:
    """New findings the policy does not accept, by category."""
    failing: dict[Category, list[Finding]] = {}
    thresholds = {category: policy.threshold(category) for category in Category}
    for finding in findings:
        if finding.status != "new":
            continue
        threshold = thresholds[finding.category]
        if threshold is None or not finding.severity.at_least(threshold):
            continue
        if (
            finding.category is Category.VULNERABILITY
            and policy.vulnerability_requires_fix
            and not finding.fixed_version
        ):
            continue
        failing.setdefault(finding.category, []).append(finding)
    return failing


def evaluate(
    findings: Sequence[Finding],
    layers: Sequence[LayerOutcome],
    policy: PolicyConfig,
    ai_flag: str | None = None,
) -> GateDecision:
    reasons: list[str] = []
    for layer in layers:
        if layer.status == "error" and layer.name not in policy.optional_layers:
            reasons.append(f"layer {layer.name} failed: {layer_error_text(layer.name, layer.error)}")
    failing_by_category = failing_findings(findings, policy)
    for category in Category:
        failing = failing_by_category.get(category, [])
        if not failing:
            continue
        threshold = policy.threshold(category)
        assert threshold is not None
        rule = f"severity >= {threshold.value}" + (
            " with a fix available" if category is Category.VULNERABILITY and policy.vulnerability_requires_fix else ""
        )
        noun = "finding" if len(failing) == 1 else "findings"
        reasons.append(f"{category.value}: {len(failing)} new {noun} ({rule}): {_examples(failing)}")
    if ai_flag and policy.ai_can_fail:
        reasons.append(f"AI flagged: {ai_flag}")
    failing_ids = frozenset(f.id for members in failing_by_category.values() for f in members)
    return GateDecision(verdict="fail" if reasons else "pass", reasons=reasons, failing_ids=failing_ids)
