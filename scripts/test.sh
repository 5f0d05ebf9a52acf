#!/usr/bin/env bash
# The whole test suite (what CI runs), in .venv; then the Dagger module's own tests in the module's
# environment (.dagger/.venv, installed from its uv.lock as the engine does), where dagger-io is.
# Both always run; either failing fails the script. (.venv has no dagger-io: the first run leaves them out.)
set -uo pipefail
cd "$(dirname "$0")/.."
export SEMGREP_ENABLE_VERSION_CHECK=0 SEMGREP_SEND_METRICS=off
if [ $# -eq 0 ]; then
  # The module's tests run below, where their SDK is; here they could only skip.
  python -m pytest -q --ignore=tests/test_dagger_module.py
else
  python -m pytest -q "$@"
fi
status=$?
if [ $# -eq 0 ]; then
  echo "--- the Dagger module's tests, in the module's environment (.dagger/.venv)"
  if [ -x .dagger/.venv/bin/python ]; then
    env -u PYTHONPATH .dagger/.venv/bin/python -m pytest -q -p no:cacheprovider tests/test_dagger_module.py
    module=$?
  else
    echo "no .dagger/.venv: run scripts/setup-dev.sh" >&2
    module=1
  fi
  [ $status -ne 0 ] || status=$module
fi
exit $status
