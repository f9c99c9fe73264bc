"""JupyterLab in headless Chromium: an isolated server, the browser, page actions.

The pytest fixtures in conftest.py wrap these; nothing here imports pytest.

    server = start_server(tmp / "lab")          # jupyter lab on 127.0.0.1, all state under tmp
    browser = launch_chromium(playwright, tmp / "chromium")
    page = new_page(browser, server)            # relative URLs resolve against the server
    open_notebook(page, "demo.ipynb")           # opens it and waits for "| Idle"
    run_all(page)
    screenshot(page, "demo")                    # tests/artifacts/screenshots/demo.png
    server.stop()                               # the server and its kernels
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import nbformat
import psutil
from playwright.sync_api import Browser, Page, Playwright

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "tests" / "artifacts" / "screenshots"
# The README's pictures are refreshed only on request (`bash scripts/screenshots.sh` sets this),
# so a test run never rewrites tracked files.
README_SHOTS = REPO / "docs" / "screenshots"
REFRESH_README_SHOTS = os.environ.get("SEEDANCE_README_SCREENSHOTS") == "1"
CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 60_000  # generous: two shared cores, and the first Lab load compiles a lot of JS

# Without the networking flags Chromium tries to reach Google's hosts, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]

# No news, no update checks, no extension registry queries: a quiet, deterministic page.
QUIET_FLAGS = [
    "--no-browser",
    "--ServerApp.ip=127.0.0.1",
    "--ServerApp.port_retries=0",
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
]

LAB_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "checkForUpdates": False,
        "fetchNews": "false",
        "doNotDisturbMode": True,
    },
    # No kernel dialog; every cell stays in the DOM even when scrolled out of view.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "autoStartDefaultKernel": True,
        "windowingMode": "none",
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}

# A notebook without a kernelspec opens a "Select Kernel" dialog.
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def isolated_env(base: Path) -> dict[str, str]:
    """The current environment with Jupyter, IPython, home and cache state moved under `base`.

    API keys are dropped so that kernels started from it never reach a real provider.
    """
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    dirs = {
        "HOME": "home",
        "XDG_CACHE_HOME": "home/.cache",
        "XDG_CONFIG_HOME": "home/.config",
        "XDG_DATA_HOME": "home/.local/share",
        "JUPYTER_CONFIG_DIR": "jupyter/config",
        "JUPYTER_DATA_DIR": "jupyter/data",
        "JUPYTER_RUNTIME_DIR": "jupyter/runtime",
        "IPYTHONDIR": "ipython",
        "JUPYTERLAB_SETTINGS_DIR": "lab/settings",
        "JUPYTERLAB_WORKSPACES_DIR": "lab/workspaces",
    }
    for name, sub in dirs.items():
        path = base / sub
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    for rel, settings in LAB_SETTINGS.items():
        target = base / dirs["JUPYTERLAB_SETTINGS_DIR"] / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(settings))
    return env


def _die_with_parent() -> None:
    """Runs in the server's child process: on Linux, a SIGTERM when pytest dies without cleanup."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LabServer:
    """A `jupyter lab` process serving `root`, with all its state under its own folder."""

    def __init__(self, base: Path) -> None:
        self.root = base / "root"
        self.root.mkdir(parents=True, exist_ok=True)
        self.env = isolated_env(base / "state")
        self.log = base / "server.log"
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        # The kernel is this interpreter's (the project's .venv when run from the test scripts).
        command = [sys.executable, "-m", "jupyterlab", *QUIET_FLAGS]
        command += [
            f"--ServerApp.port={self.port}",
            f"--ServerApp.root_dir={self.root}",
            f"--IdentityProvider.token={self.token}",
            "--LabApp.expose_app_in_browser=True",
            # The same server serves Notebook 7 at /notebooks/... (its server extension).
            "--JupyterNotebookApp.expose_app_in_browser=True",
        ]
        if os.geteuid() == 0:  # CI and these machines run as root
            command.append("--allow-root")
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                cwd=self.root,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl+C in the terminal is for pytest, not the server
                preexec_fn=_die_with_parent,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited early:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                self.api("GET", "api/status")
                return
            time.sleep(0.2)
        raise TimeoutError(f"jupyter lab not ready after {timeout}s:\n{self.log_tail()}")

    def api(self, method: str, path: str) -> Any:
        """Call the server's REST API; returns the decoded JSON body (None when empty)."""
        request = urllib.request.Request(
            self.url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Stop every kernel (and its session), so that tests start from a quiet server."""
        for session in self.api("GET", "api/sessions"):
            with contextlib.suppress(urllib.error.HTTPError):
                self.api("DELETE", f"api/sessions/{session['id']}")
        for kernel in self.api("GET", "api/kernels"):
            with contextlib.suppress(urllib.error.HTTPError):
                self.api("DELETE", f"api/kernels/{kernel['id']}")

    def stop(self) -> None:
        """Terminate the server; it stops its kernels, and any it leaves are ended by pid."""
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        _gone, alive = psutil.wait_procs(children, timeout=10)
        for child in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def start_server(base: Path) -> LabServer:
    server = LabServer(base)
    try:
        server.wait_ready()
    except BaseException:
        server.stop()
        raise
    return server


def write_notebook(path: Path, cells: list[str]) -> Path:
    """Write a notebook of code cells with a kernelspec, so it opens without a kernel dialog."""
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in cells],
        metadata={"kernelspec": KERNELSPEC},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def copy_notebook(source: Path, dest: Path) -> Path:
    """Copy a notebook, giving it the kernelspec if it has none."""
    nb = nbformat.read(str(source), as_version=4)
    nb.metadata.setdefault("kernelspec", KERNELSPEC)
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(dest))
    return dest


def launch_chromium(playwright: Playwright, home: Path) -> Browser:
    """Debian's Chromium, headless, its profile and caches under `home`."""
    home.mkdir(parents=True, exist_ok=True)
    env: dict[str, str | float | bool] = {**os.environ, "HOME": str(home)}
    env["XDG_CACHE_HOME"] = str(home / ".cache")
    env["XDG_CONFIG_HOME"] = str(home / ".config")
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, env=env
    )


def new_page(browser: Browser, server: LabServer) -> Page:
    """A page in a fresh browser context, signed in to `server`; relative URLs resolve to it."""
    context = browser.new_context(
        base_url=server.url,
        viewport={"width": 1280, "height": 900},
        extra_http_headers={"Authorization": f"token {server.token}"},
    )
    context.set_default_timeout(TIMEOUT_MS)
    # Token in the URL once: the server answers with its login cookie, which the kernel
    # websockets then carry.
    context.request.get(f"api/status?token={server.token}")
    return context.new_page()


def open_notebook(page: Page, path: str) -> None:
    """Open the notebook at `path` (relative to the server root) and wait until its kernel idles.

    Each notebook opens in a workspace of its own: Lab restores a workspace's last tabs, so tests
    sharing the default one would see (and click into) each other's notebooks.
    """
    workspace = re.sub(r"[^A-Za-z0-9-]+", "-", path)[-60:] + "-" + uuid.uuid4().hex[:8]
    page.goto(f"lab/workspaces/{workspace}/tree/{quote(path)}?reset")
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").wait_for(state="visible")
    wait_kernel_idle(page)


def wait_kernel_idle(page: Page, timeout: float = TIMEOUT_MS) -> None:
    """Wait for the status bar's `| Idle`; the toolbar says idle while still connecting."""
    page.locator(".jp-StatusBar-TextItem", has_text="| Idle").first.wait_for(
        state="visible", timeout=timeout
    )


# The command's own return value does not tell whether a cell raised: read the outputs.
_RUN_ALL_JS = """async () => {
  const app = window.jupyterapp;
  await app.commands.execute("notebook:run-all-cells");
  const nb = app.shell.currentWidget.context.model.toJSON();
  return !nb.cells.some((cell) => (cell.outputs || []).some((o) => o.output_type === "error"));
}"""


def run_all(page: Page) -> bool:
    """Run every cell of the current notebook; True when none raised. Returns once all replied."""
    ok = page.evaluate(_RUN_ALL_JS)
    wait_kernel_idle(page)
    return bool(ok)


def screenshot(page: Page, name: str) -> Path:
    """Save what the page shows as tests/artifacts/screenshots/<name>.png and return its path.

    Lab scrolls inside the notebook, not the page: scroll the element of interest into view first.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def readme_copy(shot: Path, name: str) -> None:
    """Offer ``shot`` as the README's ``docs/screenshots/<name>``; copied only when refreshing."""
    if REFRESH_README_SHOTS:
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, README_SHOTS / name)
