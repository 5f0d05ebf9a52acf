#!/usr/bin/env bash
# Development set-up: .venv with secscan (editable), its dev tools and the scanners;
# semgrep 1.185 in its own venv (.venv-semgrep) because it cannot share one with dagger-io.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[scanners,dev]'
[ -x .venv-semgrep/bin/semgrep ] || "$PYTHON" -m venv .venv-semgrep
.venv-semgrep/bin/pip install -q 'semgrep==1.185.0'
# Headless Chromium for the HTML report's browser test (Debian's package; skipped when not root).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "warning: chromium not installed: the browser test will be skipped" >&2
fi
echo "set-up done: . .venv/bin/activate && export SECSCAN_SEMGREP=$PWD/.venv-semgrep/bin/semgrep"
