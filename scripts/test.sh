#!/usr/bin/env bash
# The whole test suite (what CI runs). Uses the current semgrep from .venv-semgrep when present,
# then re-runs the planted-repo integration test with the semgrep that `pip install '.[scanners]'`
# installs (1.52.0), so both the CI semgrep and the users' default one are proven.
set -uo pipefail
cd "$(dirname "$0")/.."
export SEMGREP_ENABLE_VERSION_CHECK=0 SEMGREP_SEND_METRICS=off
default_semgrep=$(command -v semgrep || true)
if [ -z "${SECSCAN_SEMGREP:-}" ] && [ -x .venv-semgrep/bin/semgrep ]; then
  export SECSCAN_SEMGREP="$PWD/.venv-semgrep/bin/semgrep"
fi
python -m pytest -q "$@"
status=$?
if [ $status -eq 0 ] && [ $# -eq 0 ] && [ -n "$default_semgrep" ] && [ "$default_semgrep" != "${SECSCAN_SEMGREP:-}" ]; then
  echo "--- integration test with the scanners extra's semgrep ($default_semgrep)"
  SECSCAN_SEMGREP="$default_semgrep" python -m pytest -q -p no:cacheprovider tests/test_integration_scan.py
  status=$?
fi
exit $status
