#!/usr/bin/env bash
# Install everything the project needs, idempotently: Debian's Chromium (for the browser tests),
# uv, and the virtual environment .venv with the package and its dev extras.
# A second run takes a few seconds: the install is skipped while pyproject.toml is unchanged.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

# --- Chromium, from Debian (Playwright's own browser download does not work offline) ---
if [[ ! -x /usr/bin/chromium ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    log "installing chromium with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null
    apt-get install -y -qq chromium </dev/null >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    log "installing chromium with sudo apt-get"
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium </dev/null >/dev/null
  else
    log "warning: /usr/bin/chromium is missing and apt-get needs root; browser tests will skip"
  fi
fi

# --- a Python >= 3.10, 3.11 preferred ---
find_python() {
  local candidate
  for candidate in python3.11 python3.12 python3.13 python3.10 python3; do
    if command -v "$candidate" >/dev/null &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
      "$candidate" -c 'import sys; print(sys.executable)' # the real path, not a pyenv shim
      return 0
    fi
  done
  return 1
}
PYTHON=$(find_python) || {
  log "error: no python >= 3.10 found on PATH"
  exit 1
}

# --- uv ---
if command -v uv >/dev/null; then
  UV=(uv)
else
  if ! "$PYTHON" -m uv --version >/dev/null 2>&1; then
    log "installing uv with pip"
    "$PYTHON" -m pip install --quiet --disable-pip-version-check uv </dev/null ||
      # a Debian system Python refuses plain pip installs (PEP 668); uv alone goes to ~/.local
      "$PYTHON" -m pip install --quiet --disable-pip-version-check --user \
        --break-system-packages uv </dev/null
  fi
  UV=("$PYTHON" -m uv)
fi
export UV_PYTHON_DOWNLOADS=never # no interpreter downloads here: use the one found above

# --- the virtual environment ---
if ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  log "creating .venv with $PYTHON"
  rm -rf .venv
  "${UV[@]}" venv --quiet --python "$PYTHON" .venv </dev/null
fi

stamp=.venv/.seedance-setup-stamp
want=$(sha256sum <pyproject.toml | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$want" && -x .venv/bin/pytest ]]; then
  exit 0
fi
log "installing the package with its dev extras into .venv"
# PYTHONDONTWRITEBYTECODE is set on these machines: compile once here, or every run recompiles.
UV_COMPILE_BYTECODE=1 "${UV[@]}" pip install --quiet --python .venv/bin/python -e '.[dev]' </dev/null
echo "$want" >"$stamp"
log "done"
