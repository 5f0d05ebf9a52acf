"""The deterministic gate. The AI can add a reason to fail; nothing can remove one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, Protocol

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


@dataclass(frozen=True)
class GateFacts:
    """What the deterministic rules read: findings (after suppressions and baseline), layer outcomes, the policy."""

    findings: Sequence[Finding]
    layers: Sequence[LayerOutcome]
    policy: PolicyConfig

    @cached_property
    def failing(self) -> dict[Category, list[Finding]]:
        """New findings the policy does not accept, by category (found once: rules and decision read it)."""
        return failing_findings(self.findings, self.policy)


class Rule(Protocol):
    """One policy rule: a line per way the facts fail it (none: the rule passes)."""

    def reasons(self, facts: GateFacts) -> list[str]: ...


class LayerErrors:
    """A layer that could not run fails the gate (fail closed) unless the policy lists it as optional."""

    def reasons(self, facts: GateFacts) -> list[str]:
        optional = set(facts.policy.optional_layers)
        return [
            f"layer {layer.name} failed: {layer_error_text(layer.name, layer.error)}"
            for layer in facts.layers
            if layer.status == "error" and layer.name not in optional
        ]


def needs_fix_to_fail(category: Category, policy: PolicyConfig) -> bool:
    """Only vulnerabilities with a fixed version fail the gate (policy.vulnerability_requires_fix)."""
    return category is Category.VULNERABILITY and policy.vulnerability_requires_fix


def failing_findings(findings: Sequence[Finding], policy: PolicyConfig) -> dict[Category, list[Finding]]:
    """New findings the policy does not accept, by category (in the order given)."""
    thresholds = policy.thresholds
    needs_fix = {category: needs_fix_to_fail(category, policy) for category in Category}
    failing: dict[Category, list[Finding]] = {}
    counted = ("new", "existing") if policy.fail_on_existing else ("new",)
    for finding in findings:
        threshold = thresholds[finding.category]
        if (
            finding.status in counted
            and threshold is not None
            and finding.severity.at_least(threshold)
            and (finding.fixed_version or not needs_fix[finding.category])
        ):
            failing.setdefault(finding.category, []).append(finding)
    return failing


class CategoryThresholds:
    """A new finding at or above its category's threshold fails the gate: one line per category."""

    def reasons(self, facts: GateFacts) -> list[str]:
        failing = facts.failing
        lines = []
        for category in Category:  # the categories' own order, whatever the findings' order
            found = failing.get(category)
            threshold = facts.policy.thresholds[category]
            if not found or threshold is None:
                continue
            rule = f"severity >= {threshold.value}"
            if needs_fix_to_fail(category, facts.policy):
                rule += " with a fix available"
            noun = "finding" if len(found) == 1 else "findings"
            lines.append(f"{category.value}: {len(found)} new {noun} ({rule}): {_examples(found)}")
        return lines


@dataclass(frozen=True)
class AIFlag:
    """The model's reason to fail: it can only add a reason (policy.ai_can_fail), never remove one."""

    flag: str

    def reasons(self, facts: GateFacts) -> list[str]:
        return [f"AI flagged: {self.flag}"] if self.flag and facts.policy.ai_can_fail else []


# The deterministic rules, in the order their reasons are listed. A new rule (a licence policy, say)
# is one more object here, with its own rows in tests/policy/test_gate.py.
RULES: tuple[Rule, ...] = (LayerErrors(), CategoryThresholds())


def decide(facts: GateFacts, rules: Sequence[Rule] = RULES) -> GateDecision:
    reasons = [reason for rule in rules for reason in rule.reasons(facts)]
    failing_ids = frozenset(f.id for members in facts.failing.values() for f in members)
    return GateDecision(verdict="fail" if reasons else "pass", reasons=reasons, failing_ids=failing_ids)


def stricter(decision: GateDecision, facts: GateFacts, rule: Rule) -> GateDecision:
    """`decision` with one more rule's reasons (the AI flag, read after the synthesis): never less strict."""
    reasons = [*decision.reasons, *rule.reasons(facts)]
    return decision.model_copy(update={"verdict": "fail" if reasons else "pass", "reasons": reasons})


def evaluate(
    findings: Sequence[Finding],
    layers: Sequence[LayerOutcome],
    policy: PolicyConfig,
    ai_flag: str | None = None,
) -> GateDecision:
    """Every rule at once (the AI flag last, when there is one)."""
    rules: tuple[Rule, ...] = (*RULES, AIFlag(ai_flag)) if ai_flag else RULES
    return decide(GateFacts(findings, layers, policy), rules)
