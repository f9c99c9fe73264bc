"""``seedance demo``: run the quickstart notebook headless and keep what it made.

>>> folder = run_demo("demo")     # demo/quickstart.ipynb (executed) and demo/quickstart.html

The notebook runs in a kernel of the current Python, with the output folder as its working
directory, so its history (``.seedance/``) and media (``seedance-media/``) land beside the saved
notebook and the HTML export finds the videos by relative path. The demo always runs on the built-in simulator: API
keys, base URL, provider and history settings are removed from the kernel's environment, so it
neither spends money nor writes into an existing history.

:func:`execute_notebook` and :func:`export_html` are the two halves, usable on any notebook.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import ConfigError

# The example notebooks ship inside the package (seedance_nb/examples links to notebooks/).
NOTEBOOKS = Path(__file__).resolve().parent / "examples"
QUICKSTART = NOTEBOOKS / "quickstart.ipynb"

# What executing and exporting a notebook needs: the ``demo`` extra.
_RUNNER = ("nbclient", "nbconvert", "nbformat", "ipykernel")
# Settings that could send the demo to a real API or into an existing history.
_REAL_WORLD = (
    "ARK_API_KEY",
    "MAXAPI_KEY",
    "SEEDANCE_BASE_URL",
    "SEEDANCE_PROVIDER",
    "SEEDANCE_HOME",
    "SEEDANCE_MEDIA",
)
# Short simulated tasks, unless the caller chose other timings.
_DEMO_TIMINGS = {"SEEDANCE_SIM_QUEUE_SECONDS": "1", "SEEDANCE_SIM_RUN_SECONDS": "3"}


def simulator_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) made safe for a run on the simulator."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in _REAL_WORLD}
    # A key stored in the system keyring would also switch away from the simulator.
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    for name, value in _DEMO_TIMINGS.items():
        env.setdefault(name, value)
    return env


def execute_notebook(
    source: Path | str,
    dest: Path | str,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
) -> Any:
    """Copy ``source`` to ``dest``, run every cell there and save it; returns the notebook node.

    The kernel is this interpreter's (not whatever ``python`` is on PATH) and runs in ``dest``'s
    folder with environment ``env`` (default: this process's). Raises
    ``nbclient.exceptions.CellExecutionError`` when a cell fails; the notebook is saved either way.
    """
    import nbformat

    source, dest = Path(source), Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(source, as_version=4)
    # jupyter_client reports routine socket cleanup as warnings; a user sees only the demo.
    quiet = logging.getLogger("traitlets")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        _execute(nb, dest.parent, dict(os.environ if env is None else env), timeout)
    finally:
        nbformat.write(nb, dest)
        # nbclient's cleanup leaves a few zmq sockets to the garbage collector, which warns
        # about each; collect them now, quietly, rather than in whatever code runs next.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
        quiet.setLevel(level)
    return nb


def _execute(nb: Any, folder: Path, env: dict[str, str], timeout: float) -> None:
    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory(prefix="seedance-kernel-") as specs:
        write_kernel_spec(Path(specs) / "python3")
        manager = AsyncKernelManager(
            kernel_name="python3",
            kernel_spec_manager=KernelSpecManager(kernel_dirs=[specs], ensure_native_kernel=False),
            # Local sockets instead of TCP: nothing listens on a port, and the kernel has no
            # reason to warn about unencrypted TCP.
            transport="ipc",
            ip=str(Path(specs) / "kernel"),
        )
        client = NotebookClient(
            nb,
            km=manager,
            timeout=timeout,
            resources={"metadata": {"path": str(folder)}},
            # Like JupyterLab by default: widget state is not saved, so a saved notebook (and
            # its HTML export) shows each output's static fallback, which needs no kernel.
            store_widget_state=False,
        )
        # A client given its kernel manager leaves the kernel running unless told otherwise.
        client.execute(env=env, cleanup_kc=True)


def export_html(notebook: Path | str, dest: Path | str | None = None) -> Path:
    """Convert a saved notebook to HTML (no kernel involved); returns the HTML file's path."""
    import nbformat
    from nbconvert import HTMLExporter

    notebook = Path(notebook)
    target = notebook.with_suffix(".html") if dest is None else Path(dest)
    nb = nbformat.read(notebook, as_version=4)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(
        nb, resources={"metadata": {"name": notebook.stem, "path": str(notebook.parent)}}
    )
    target.write_text(body, encoding="utf-8")
    return target


def run_demo(out: str | Path | None = None, *, timeout: float = 300) -> Path:
    """Execute the quickstart on the simulator; write ``quickstart.ipynb`` and ``quickstart.html``.

    ``out`` is the folder (created if needed); by default a new ``seedance-demo-<timestamp>``
    folder in the current directory. Returns the folder.
    """
    _require_runner()
    if not QUICKSTART.is_file():
        raise ConfigError(
            f"the demo notebook is missing from this installation ({QUICKSTART.name}); "
            "reinstall with: pip install --force-reinstall 'seedance_nb[demo]'"
        )
    folder = Path(out) if out is not None else _default_folder()
    folder.mkdir(parents=True, exist_ok=True)
    notebook = folder / QUICKSTART.name
    print(f"running {QUICKSTART.name} on the simulator in {folder} ...", file=sys.stderr)
    execute_notebook(QUICKSTART, notebook, env=simulator_env(), timeout=timeout)
    export_html(notebook)
    return folder.resolve()


def _require_runner() -> None:
    """Refuse clearly when the notebook runner (the ``demo`` extra) is not installed."""
    missing = []
    for name in _RUNNER:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise ConfigError(
            f"seedance demo runs a notebook and needs {', '.join(missing)}, which are not "
            "installed: pip install 'seedance_nb[demo]'"
        )


def _default_folder() -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = Path.cwd() / f"seedance-demo-{stamp}"
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = Path.cwd() / f"seedance-demo-{stamp}-{suffix}"
    return folder
