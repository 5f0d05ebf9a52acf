"""The deterministic gate, baselines and suppressions."""

from secscan.policy.baseline import apply_baseline, load_baseline
from secscan.policy.gate import LayerOutcome, evaluate
from secscan.policy.suppressions import apply_suppressions
from secscan.results import GateDecision

__all__ = ["GateDecision", "LayerOutcome", "apply_baseline", "apply_suppressions", "evaluate", "load_baseline"]
