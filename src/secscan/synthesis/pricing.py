"""What a model call cost: list prices in USD per million tokens, overridable in `[ai.prices]`."""

from __future__ import annotations

from collections.abc import Mapping

from secscan.config import Price

# OpenAI list prices (standard tier, uncached input). Anything not here costs 0.0 and is
# reported as unpriced; set `[ai.prices."name"]` for Azure deployments, proxies and new models.
PRICES: dict[str, Price] = {
    name: Price(prompt_per_million=prompt, completion_per_million=completion)
    for name, (prompt, completion) in {
        "gpt-4o": (2.50, 10.00),
        "gpt-4o-mini": (0.15, 0.60),
        "gpt-4.1": (2.00, 8.00),
        "gpt-4.1-mini": (0.40, 1.60),
        "gpt-4.1-nano": (0.10, 0.40),
        "gpt-4-turbo": (10.00, 30.00),
        "gpt-4": (30.00, 60.00),
        "gpt-3.5-turbo": (0.50, 1.50),
        "o1": (15.00, 60.00),
        "o1-mini": (1.10, 4.40),
        "o3": (2.00, 8.00),
        "o3-mini": (1.10, 4.40),
        "o4-mini": (1.10, 4.40),
        "gpt-5": (1.25, 10.00),
        "gpt-5-mini": (0.25, 2.00),
        "gpt-5-nano": (0.05, 0.40),
        # Snapshots priced differently from their alias today (an exact name wins over a prefix).
        "gpt-4o-2024-05-13": (5.00, 15.00),
        "chatgpt-4o-latest": (5.00, 15.00),
        "gpt-4-0125-preview": (10.00, 30.00),
        "gpt-4-1106-preview": (10.00, 30.00),
        "gpt-4-32k": (60.00, 120.00),
        "gpt-3.5-turbo-1106": (1.00, 2.00),
        "gpt-3.5-turbo-0613": (1.50, 2.00),
        "gpt-3.5-turbo-16k-0613": (3.00, 4.00),
        "gpt-3.5-turbo-instruct": (1.50, 2.00),
        "o1-preview": (15.00, 60.00),
    }.items()
}


def price_for(model: str, overrides: Mapping[str, Price] | None = None) -> Price | None:
    """Exact name in the overrides, then exact or longest dated-variant match in the table.

    "gpt-4o-2024-08-06" is priced as gpt-4o, "gpt-4o-mini-2024-07-18" as gpt-4o-mini.
    """
    if overrides and model in overrides:
        return overrides[model]
    table = {**PRICES, **(overrides or {})}
    if model in table:
        return table[model]
    candidates = [name for name in table if model.startswith(name + "-")]
    return table[max(candidates, key=len)] if candidates else None


def cost_usd(price: Price | None, prompt_tokens: int, completion_tokens: int) -> float:
    if price is None:
        return 0.0
    total = prompt_tokens * price.prompt_per_million + completion_tokens * price.completion_per_million
    return round(total / 1_000_000, 6)
