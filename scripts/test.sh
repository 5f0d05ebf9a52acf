#!/usr/bin/env bash
# The whole test suite (what CI runs). Uses the current semgrep from .venv-semgrep when present.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SECSCAN_SEMGREP:-}" ] && [ -x .venv-semgrep/bin/semgrep ]; then
  export SECSCAN_SEMGREP="$PWD/.venv-semgrep/bin/semgrep"
fi
export SEMGREP_ENABLE_VERSION_CHECK=0 SEMGREP_SEND_METRICS=off
python -m pytest -q "$@"
status=$?
# pytest's 5 means no test ran: that is a failure for us too.
exit $status
