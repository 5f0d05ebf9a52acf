#!/usr/bin/env bash
# Development set-up: .venv with secscan (editable), its dev tools and the scanners (the same semgrep,
# trivy and gitleaks versions as the Dagger module's pinned images); .dagger/.venv with the Dagger
# module installed the way the engine installs it (its uv.lock, the engine's SDK in .dagger/sdk).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[scanners,dev]'
# The module's own environment (semgrep and dagger-io cannot share one: their exceptiongroup pins
# exclude each other). Its tests run there (scripts/test.sh).
[ -f .dagger/sdk/pyproject.toml ] || .venv/bin/python scripts/engine_sdk.py .dagger/sdk >/dev/null
# Not --locked here: a dependency change in pyproject.toml re-locks .dagger/uv.lock (commit it);
# tests/test_engine_install.py checks that the committed lock is current, as the engine's --locked does.
(cd .dagger && ../.venv/bin/uv sync --quiet --python "$(readlink -f ../.venv/bin/python)")
# Headless Chromium for the HTML report's browser test (Debian's package; skipped when not root).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "warning: chromium not installed: the browser test will be skipped" >&2
fi
echo "set-up done: . .venv/bin/activate"
