"""A time budget for the analysis: hostile input must not keep a run busy without end.

The stages that grow with the number of findings call `check()` as they go; past the
deadline it raises AnalysisTimeout, which fails the run (exit 1) with one line saying so."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from secscan.errors import AnalysisTimeout

DEFAULT_ANALYSIS_BUDGET_S = 600.0
_deadline: ContextVar[tuple[float, float] | None] = ContextVar("secscan_analysis_deadline", default=None)


@contextmanager
def analysis_budget(seconds: float) -> Iterator[None]:
    token = _deadline.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def check(stage: str) -> None:
    current = _deadline.get()
    if current is not None and time.monotonic() > current[0]:
        raise AnalysisTimeout(
            f"the analysis did not finish within its {current[1]:g} s budget (stopped in {stage}): "
            "failing closed, no verdict was reached"
        )
