#!/usr/bin/env bash
# Open notebooks/quickstart.ipynb in JupyterLab, served on 127.0.0.1 only.
#
#   bash scripts/lab.sh            install what is missing, start Lab, print its URL
#   bash scripts/lab.sh --check    start Lab with throwaway settings, wait until the quickstart
#                                  answers 200, print OK and stop it (exit 1 otherwise)
#
# SEEDANCE_LAB_PORT and SEEDANCE_LAB_TOKEN override the port (default: first free from 8888)
# and the access token (default: a new random one).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

check=0
for arg in "$@"; do
  case $arg in
    --check) check=1 ;;
    -h | --help)
      sed -n '2,9s/^# \{0,1\}//p' "$0"
      exit 0
      ;;
    *)
      echo "lab.sh: unknown argument: $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

bash scripts/setup.sh
PY=.venv/bin/python
notebook=notebooks/quickstart.ipynb

free_port() {
  "$PY" -c '
import socket
for port in [*range(8888, 8900), 0]:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(sock.getsockname()[1])
        break
'
}
port=${SEEDANCE_LAB_PORT:-$(free_port)}
token=${SEEDANCE_LAB_TOKEN:-$("$PY" -c 'import secrets; print(secrets.token_hex(16))')}
url="http://127.0.0.1:$port/lab/tree/$notebook?token=$token"

# Quiet and deterministic: no news, no update checks, no extension registry queries.
flags=(
  --ServerApp.ip=127.0.0.1
  "--ServerApp.port=$port"
  --ServerApp.port_retries=0
  "--ServerApp.root_dir=$PWD"
  "--IdentityProvider.token=$token"
  --LabApp.news_url=None
  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate
  --LabApp.extension_manager=readonly
)
if [[ $(id -u) -eq 0 ]]; then
  flags+=(--allow-root)
fi

if [[ $check -eq 0 ]]; then
  if [[ ! -f $notebook ]]; then
    echo "lab.sh: warning: $notebook does not exist yet" >&2
  fi
  # Without a display there is no browser to open; a text-mode one would take the terminal.
  if [[ -z ${DISPLAY:-}${WAYLAND_DISPLAY:-} && $(uname) != Darwin ]]; then
    flags+=(--no-browser)
  fi
  echo "JupyterLab: $url"
  exec .venv/bin/jupyter lab "${flags[@]}" "--ServerApp.default_url=/lab/tree/$notebook"
fi

# --check: all Jupyter state in a throwaway folder, so the check neither reads nor leaves settings.
state=$(mktemp -d)
server=""
cleanup() {
  if [[ -n $server ]] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$state"
}
trap cleanup EXIT
export JUPYTER_CONFIG_DIR=$state/config JUPYTER_DATA_DIR=$state/data
export JUPYTER_RUNTIME_DIR=$state/runtime IPYTHONDIR=$state/ipython
export JUPYTERLAB_SETTINGS_DIR=$state/settings JUPYTERLAB_WORKSPACES_DIR=$state/workspaces
export JUPYTER_PLATFORM_DIRS=1

.venv/bin/jupyter lab --no-browser "${flags[@]}" </dev/null >"$state/server.log" 2>&1 &
server=$!

if "$PY" - "$server" "http://127.0.0.1:$port/" "$token" "$notebook" <<'EOF'; then
import os
import sys
import time
import urllib.error
import urllib.request

pid, base, token, notebook = int(sys.argv[1]), *sys.argv[2:]
urls = [f"{base}lab/tree/{notebook}", f"{base}api/contents/{notebook}?content=0"]
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("lab.sh: jupyter lab exited early")
    try:
        for url in urls:
            request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(request, timeout=5) as response:
                assert response.status == 200
        sys.exit(0)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            sys.exit(f"lab.sh: {notebook} not found (404)")
    except OSError:
        pass
    time.sleep(0.3)
sys.exit("lab.sh: no answer within 60 s")
EOF
  echo "OK: $notebook answered 200 at http://127.0.0.1:$port/"
else
  tail -n 20 "$state/server.log" >&2
  exit 1
fi
