#!/usr/bin/env bash
# Install what is missing, then run every check the build runs: ruff (lint and format), mypy on
# the package, and pytest, browser tests included. Extra arguments go to pytest:
#   bash scripts/test.sh -x -k harness
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec </dev/null # nothing here may wait for input

bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"

failed=()
step() {
  local name=$1
  shift
  echo "== $name" >&2
  "$@" || failed+=("$name")
}
step "ruff check" ruff check .
step "ruff format" ruff format --check .
step "mypy" mypy seedance_nb
# The benchmark command must keep working: a quick smoke run on full test runs (figures printed,
# goals are reported, not enforced — machines here are shared and noisy).
if (($# == 0)); then
  step "benchmark smoke" python benchmarks/run.py --quick
fi
# A bound on the whole run, so that a wedged browser or kernel cannot hold CI to its limit.
step "pytest" timeout --foreground --kill-after=30 "${SEEDANCE_TEST_TIMEOUT:-2700}" pytest "$@"

if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all checks passed" >&2
