#!/usr/bin/env bash
# The whole test suite (what CI runs), in .venv; then the Dagger module's own tests in the module's
# environment (.dagger/.venv, installed from its uv.lock as the engine does), where dagger-io is.
set -uo pipefail
cd "$(dirname "$0")/.."
export SEMGREP_ENABLE_VERSION_CHECK=0 SEMGREP_SEND_METRICS=off
python -m pytest -q "$@"
status=$?
if [ $status -eq 0 ] && [ $# -eq 0 ] && [ -x .dagger/.venv/bin/python ]; then
  echo "--- the Dagger module's tests, in the module's environment (.dagger/.venv)"
  .dagger/.venv/bin/python -m pytest -q -p no:cacheprovider tests/test_dagger_module.py
  status=$?
fi
exit $status
