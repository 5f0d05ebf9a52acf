"""Turning findings into a prioritized report: `ai` (a model) and `deterministic` (no model)."""
