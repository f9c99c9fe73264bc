#!/usr/bin/env bash
# Install everything the project needs, idempotently: Debian's Chromium and PostgreSQL server (for
# the browser and team-ledger tests) and the virtual environment .venv with the package and its
# dev extras.
#
# The result is the same however this is called: from test.sh or lab.sh, nested inside a test,
# with .venv/bin first on PATH or an activated .venv, with or without uv, with a new HOME.
#   - The base interpreter is an absolute path outside .venv (a virtualenv's python is traced
#     back to the interpreter it was made from).
#   - uv is used when it can be had: on PATH, importable by the base interpreter, or bootstrapped
#     with the base interpreter's pip into .tools/uv (ignored by git). Nothing is ever installed
#     into .venv but the project and its extras.
#   - Without uv, .venv is made by `python -m venv` and filled by its own pip.
# A second run takes well under a second: nothing is installed while pyproject.toml is unchanged.
#
#   bash scripts/setup.sh            install what is missing
#   bash scripts/setup.sh --which    print the base interpreter and installer it would use; no changes
# SEEDANCE_SETUP_UV=never forces the venv + pip path.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
which_only=0
case ${1:-} in
  "") ;;
  --which) which_only=1 ;;
  -h | --help)
    sed -n '2,19s/^# \{0,1\}//p' "$0"
    exit 0
    ;;
  *)
    echo "setup.sh: unknown argument: $1 (try --help)" >&2
    exit 2
    ;;
esac

log() { printf 'setup: %s\n' "$*" >&2; }

# --- test tools from Debian: Chromium (Playwright's own browser download does not work offline)
# and the PostgreSQL server that the team-ledger tests start in a throwaway folder ---
missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
if [[ $which_only -eq 0 && ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    log "installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null
    apt-get install -y -qq "${missing[@]}" </dev/null >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    log "installing ${missing[*]} with sudo apt-get"
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" </dev/null >/dev/null
  else
    log "warning: ${missing[*]} missing and apt-get needs root; browser and team tests cannot run"
  fi
fi

# --- nothing to do when .venv is current ---
venv_ok() { .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; }
stamp=.venv/.seedance-setup-stamp
want=$(sha256sum <pyproject.toml | cut -d' ' -f1)
if [[ $which_only -eq 0 ]] && venv_ok && [[ -f $stamp && $(cat "$stamp") == "$want" && -x .venv/bin/pytest ]]; then
  exit 0
fi

# --- a base Python >= 3.10 (3.11 preferred), never one inside this project's .venv ---
# Prints the interpreter that `candidate` was made from, as an absolute path: for a pyenv shim
# the real binary, for any virtualenv's python the base interpreter behind it.
base_of() {
  "$1" - <<'EOF' 2>/dev/null
import os, sys
if sys.version_info < (3, 10):
    sys.exit(1)
exe = sys.executable
if sys.prefix != sys.base_prefix:  # inside a virtualenv: find the interpreter it was made from
    exe = getattr(sys, "_base_executable", "") or ""
    if not exe or os.path.realpath(os.path.dirname(exe)).startswith(os.path.realpath(sys.prefix)):
        name = f"python{sys.version_info[0]}.{sys.version_info[1]}"
        exe = os.path.join(sys.base_prefix, "bin", name)
if not (os.path.isabs(exe) and os.access(exe, os.X_OK)):
    sys.exit(1)
print(exe)
EOF
}
find_python() {
  local candidate found
  for candidate in python3.11 python3.12 python3.13 python3.10 python3; do
    command -v "$candidate" >/dev/null || continue
    found=$(base_of "$candidate") || continue
    case $(realpath -m "$found") in
      "$root"/.venv/*) continue ;; # a python copied into .venv: not a base
    esac
    printf '%s\n' "$found"
    return 0
  done
  return 1
}
PYTHON=$(find_python) || {
  log "error: no Python >= 3.10 found on PATH (install python3.11, then run this again)"
  exit 1
}

# --- uv, if it can be had without touching .venv ---
UV=()
if [[ ${SEEDANCE_SETUP_UV:-auto} != never ]]; then
  uv_on_path=$(command -v uv || true)
  if [[ -n $uv_on_path && $(realpath -m "$uv_on_path") != "$root"/.venv/* ]]; then
    UV=("$uv_on_path")
  elif "$PYTHON" -m uv --version >/dev/null 2>&1; then
    UV=("$PYTHON" -m uv)
  elif [[ -x .tools/uv/bin/uv ]]; then
    UV=("$root/.tools/uv/bin/uv")
  elif [[ $which_only -eq 1 ]]; then
    UV=("$root/.tools/uv/bin/uv") # would be bootstrapped with "$PYTHON" -m pip
  else
    log "bootstrapping uv into .tools/uv with $PYTHON -m pip"
    if "$PYTHON" -m pip install --quiet --disable-pip-version-check --no-warn-script-location --root-user-action=ignore \
      --target .tools/uv uv </dev/null >&2 && [[ -x .tools/uv/bin/uv ]]; then
      UV=("$root/.tools/uv/bin/uv")
    else
      rm -rf .tools/uv
      log "uv is not available; using python -m venv and pip instead"
    fi
  fi
fi
if [[ $which_only -eq 1 ]]; then
  echo "python: $PYTHON"
  if ((${#UV[@]})); then echo "installer: uv: ${UV[*]}"; else echo "installer: pip: $PYTHON -m venv"; fi
  exit 0
fi
export UV_PYTHON_DOWNLOADS=never # no interpreter downloads: use the one found above
unset VIRTUAL_ENV               # an activated .venv must not redirect uv or pip

# --- the virtual environment ---
if ! venv_ok; then
  log "creating .venv with $PYTHON"
  rm -rf .venv
  if ((${#UV[@]})); then
    "${UV[@]}" venv --quiet --python "$PYTHON" .venv </dev/null
  else
    "$PYTHON" -m venv .venv </dev/null
  fi
fi

log "installing the package with its dev extras into .venv"
# PYTHONDONTWRITEBYTECODE is set on these machines: compile once here, or every run recompiles.
if ((${#UV[@]})); then
  UV_COMPILE_BYTECODE=1 "${UV[@]}" pip install --quiet --python .venv/bin/python -e '.[dev]' </dev/null
else
  if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    .venv/bin/python -m ensurepip --upgrade >/dev/null </dev/null
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' </dev/null
  .venv/bin/python -m compileall -q .venv/lib >/dev/null 2>&1 || true
fi
echo "$want" >"$stamp"
log "done"
