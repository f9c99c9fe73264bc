#!/usr/bin/env bash
# Refresh the README's pictures (docs/screenshots/*.png) from the browser tests.
# Test runs never touch tracked files; this is the one command that does.
#   bash scripts/screenshots.sh            every browser test, README pictures copied
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec </dev/null
bash scripts/setup.sh
SEEDANCE_README_SCREENSHOTS=1 .venv/bin/pytest tests/browser -q "$@"
git status --short docs/screenshots
