"""``seedance demo``: the quickstart executed headless, saved with its HTML export."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import psutil
import pytest

from seedance_nb.demo import execute_notebook, simulator_env

SEEDANCE = Path(sys.executable).parent / "seedance"  # the console script of this environment


def test_simulator_env_drops_what_would_leave_the_simulator() -> None:
    env = simulator_env(
        {
            "PATH": "/usr/bin",
            "ARK_API_KEY": "k1",
            "MAXAPI_KEY": "k2",
            "SEEDANCE_BASE_URL": "https://ark.example",
            "SEEDANCE_PROVIDER": "maxapi",
            "SEEDANCE_HOME": "/somewhere/else",
            "SEEDANCE_SIM_RUN_SECONDS": "9",
        }
    )
    assert env["PATH"] == "/usr/bin"
    assert not {"ARK_API_KEY", "MAXAPI_KEY", "SEEDANCE_BASE_URL"} & set(env)
    assert not {"SEEDANCE_PROVIDER", "SEEDANCE_HOME"} & set(env)
    assert env["PYTHON_KEYRING_BACKEND"] == "keyring.backends.null.Keyring"
    assert env["SEEDANCE_SIM_RUN_SECONDS"] == "9"  # the caller's timings win
    assert env["SEEDANCE_SIM_QUEUE_SECONDS"]


@pytest.mark.slow
def test_demo_writes_the_executed_notebook_and_its_html(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_KEY"))}
    result = subprocess.run(
        [str(SEEDANCE), "demo", "--out", str(out)],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert str(out.resolve()) in result.stdout  # it says where

    notebook, html = out / "quickstart.ipynb", out / "quickstart.html"
    assert notebook.is_file() and html.is_file()
    nb = nbformat.read(notebook, as_version=4)
    outputs = [o for cell in nb.cells for o in cell.get("outputs", [])]
    assert outputs and not [o for o in outputs if o.output_type == "error"]
    assert "<video" in html.read_text()
    # Its history and media stay in the folder; nothing is written beside it.
    assert (out / ".seedance" / "history.sqlite3").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_execute_notebook_stops_its_kernel(tmp_path: Path) -> None:
    """Each run starts a kernel; a process that runs notebooks one after another (a test
    session, a notebook calling the demo) must not collect live kernels."""
    source = tmp_path / "one.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")]),
                   source)  # fmt: skip
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    nb = execute_notebook(source, tmp_path / "out" / "one.ipynb", timeout=60)
    assert nb.cells[0].outputs[0]["text"] == "42\n"
    started = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    live = [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert live == [], [p.cmdline() for p in live]
