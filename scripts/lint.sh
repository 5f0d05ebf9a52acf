#!/usr/bin/env bash
# Lint and type checks (CI runs them before the tests): ruff's rules, ruff's format, mypy strict.
# Settings live in pyproject.toml. `ruff check --fix . && ruff format .` mends most of what this reports.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
echo "--- ruff check"; ruff check . || status=1
echo "--- ruff format --check"; ruff format --check . || status=1
echo "--- mypy"; mypy || status=1
[ $status -eq 0 ] && echo "lint: ok" || echo "lint: FAILED (see above)"
exit $status
