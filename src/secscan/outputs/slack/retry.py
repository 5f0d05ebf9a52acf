"""Slack: the retry policy. One time budget for a whole delivery, Retry-After honoured, jittered backoff;
rate limits, server errors and dropped connections retried through the SDK's own handlers."""

from __future__ import annotations

import email.utils
import random
import socket
import time
import urllib.error

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from secscan.config import Config

# --------------------------------------------------------------------------- retries


class RetryBudget:
    """One deadline for every request of a post: retries can slow the pipeline, never stall it."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.retries = 0

    def allows(self, wait: float) -> bool:
        return time.monotonic() + wait <= self.deadline


class _Backoff(RetryIntervalCalculator):
    def __init__(self, base_s: float) -> None:
        self.base_s = base_s

    def calculate_sleep_duration(self, current_attempt: int) -> float:
        return float(self.base_s * 2**current_attempt * random.uniform(1.0, 1.25))


class _Budgeted(RetryHandler):
    """Mixed into slack-sdk's handlers: the same decisions, with waits bounded by the budget."""

    budget: RetryBudget
    _next_wait: float = 0.0

    def wait_for(self, state: RetryState, response: HttpResponse | None) -> float:
        return self.interval_calculator.calculate_sleep_duration(state.current_attempt)

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not super().can_retry(state=state, request=request, response=response, error=error):
            return False
        self._next_wait = self.wait_for(state, response)
        return self.budget.allows(self._next_wait)

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        time.sleep(self._next_wait)
        self.budget.retries += 1
        state.increment_current_attempt()


def retry_after_s(response: HttpResponse | None) -> float:
    """Retry-After in seconds (delta or HTTP date); 1 s when absent or unreadable."""
    if response is None:
        return 1.0
    for name, value in response.headers.items():
        if name.lower() != "retry-after":
            continue
        raw = value[0] if isinstance(value, list) and value else value
        text = str(raw).strip()
        try:
            return max(0.0, float(text))
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError):
                return 1.0
            return max(0.0, when.timestamp() - time.time())
    return 1.0


class _RateLimitRetry(_Budgeted, RateLimitErrorRetryHandler):
    def wait_for(self, state: RetryState, response: HttpResponse | None) -> float:
        return retry_after_s(response)


class _ServerErrorRetry(_Budgeted, ServerErrorRetryHandler):
    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code in (500, 502, 503, 504)


class _ConnectionRetry(_Budgeted, ConnectionErrorRetryHandler):
    pass


def retry_handlers(config: Config, budget: RetryBudget) -> list[RetryHandler]:
    count = config.slack.max_retries
    backoff = _Backoff(0.5)
    handlers: list[_Budgeted] = [
        _RateLimitRetry(max_retry_count=count),
        _ServerErrorRetry(max_retry_count=count, interval_calculator=backoff),
        _ConnectionRetry(
            max_retry_count=count,
            interval_calculator=backoff,
            error_types=[urllib.error.URLError, ConnectionError, socket.timeout],
        ),
    ]
    for handler in handlers:
        handler.budget = budget
    return list(handlers)
