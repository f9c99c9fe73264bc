"""The example notebooks: each runs top to bottom headless, offline, on the simulator.

Every notebook is copied into a temp folder and executed there with nbclient (a kernel of this
interpreter), so its ``.seedance/`` history and media land in the temp folder too.

Two canary keys guard against a key reaching a saved notebook:

- every run plants ``MAXAPI_KEY=<canary>``. The notebooks use the default provider ``ark``, which
  reads only ``ARK_API_KEY``; with none set they run on the in-process simulator. The planted key
  is in the kernel's environment but never needed, so it must appear nowhere in the output;
- the quickstart also runs once with a key that is really used: ``ARK_API_KEY=<canary>`` and
  ``SEEDANCE_BASE_URL`` pointing at a simulator served on 127.0.0.1 that accepts only that key
  (so every task that succeeds proves the key was sent). Still offline, and still the key must
  appear in neither the saved notebook, its HTML export, nor the history files.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from processes import die_with_parent

from seedance_nb.demo import execute_notebook, export_html, simulator_env

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
ALL = sorted(path.stem for path in NOTEBOOKS.glob("*.ipynb"))
# Quick simulated tasks: these tests are about the notebooks, not the waiting.
FAST = {"SEEDANCE_SIM_QUEUE_SECONDS": "0.3", "SEEDANCE_SIM_RUN_SECONDS": "1.0"}
CANARY_MAXAPI = "mx-canary-5b1d0c7e-never-print-me"
CANARY_ARK = "ark-canary-93e4f2aa-never-print-me"


def offline_env(**extra: str) -> dict[str, str]:
    return {**simulator_env(), **FAST, "MAXAPI_KEY": CANARY_MAXAPI, **extra}


def errors_in(nb: Any) -> list[str]:
    """Error outputs, and tracebacks written to stderr (a background task that failed)."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(f"cell {index}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and "Traceback" in output.text:
                found.append(f"cell {index} wrote a traceback:\n{output.text}")
    return found


def task_outputs(nb: Any) -> list[dict[str, Any]]:
    """The provenance of every output that shows a task (metadata key ``seedance_nb``)."""
    return [
        output.metadata["seedance_nb"]
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if "seedance_nb" in output.get("metadata", {})
    ]


def test_every_notebook_is_listed() -> None:
    assert set(ALL) == {
        "quickstart",
        "prompt_iteration",
        "multimodal_references",
        "storyboard",
        "batch_and_history",
    }


@pytest.mark.parametrize("name", ALL)
def test_stored_clean(name: str) -> None:
    """Stored without outputs, with a kernelspec (no kernel dialog), as the generator writes it."""
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        import build_notebooks
    finally:
        sys.path.remove(str(NOTEBOOKS))
    stored = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert stored.metadata.kernelspec.name == "python3"
    for cell in stored.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source
    assert stored == build_notebooks.build(name, build_notebooks.NOTEBOOKS[name]), (
        "out of date: run python notebooks/build_notebooks.py"
    )


@pytest.mark.parametrize("name", ALL)
def test_runs_offline_top_to_bottom(name: str, tmp_path: Path) -> None:
    saved = tmp_path / f"{name}.ipynb"
    started = time.monotonic()
    nb = execute_notebook(NOTEBOOKS / saved.name, saved, env=offline_env(), timeout=120)
    took = time.monotonic() - started

    assert not errors_in(nb)
    assert (tmp_path / ".seedance" / "history.sqlite3").is_file()  # beside the notebook
    text = saved.read_text()
    assert CANARY_MAXAPI not in text
    for facts in task_outputs(nb):
        assert facts["status"] == "succeeded", facts
        assert facts["task_id"]
    assert took < 90, f"{name} took {took:.0f} s"


# -- the quickstart, saved and shared -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served_simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A simulator on 127.0.0.1 that accepts only the canary key; yields its ark base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("served") / "simulator.log"
    command = [sys.executable, "-m", "seedance_nb.simulator", "--port", str(port)]
    command += ["--api-key", CANARY_ARK, "--queue-seconds", "0.3", "--run-seconds", "1.0"]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1):
                    break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log.read_text()) from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/api/v3"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def shared_quickstart(
    served_simulator: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, Any]:
    """The quickstart executed with a live (canary) key, saved, and exported to HTML."""
    folder = tmp_path_factory.mktemp("shared")
    saved = folder / "quickstart.ipynb"
    env = offline_env(ARK_API_KEY=CANARY_ARK, SEEDANCE_BASE_URL=served_simulator)
    nb = execute_notebook(NOTEBOOKS / saved.name, saved, env=env, timeout=120)
    assert not errors_in(nb)
    html = export_html(saved)  # from the saved file alone: no kernel
    return saved, html, nb


def test_quickstart_used_the_key_and_saved_none(shared_quickstart: tuple[Path, Path, Any]) -> None:
    saved, html, nb = shared_quickstart
    config = next(c for c in nb.cells if c.source.strip() == "%seedance config")
    shown = json.dumps(config.outputs)
    assert "ARK_API_KEY" in shown and "simulator" not in shown  # a real key, from the env

    facts = task_outputs(nb)
    assert facts and all(f["status"] == "succeeded" for f in facts)  # the server took the key
    for path in [saved, html, *(saved.parent / ".seedance").rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            assert CANARY_ARK.encode() not in data, path
            assert CANARY_MAXAPI.encode() not in data, path


def test_quickstart_outputs_hold_no_local_path(shared_quickstart: tuple[Path, Path, Any]) -> None:
    """No absolute path, user name or home folder in any output or its metadata: result files
    are named relative to the notebook (``seedance-media/...``)."""
    saved, _html, nb = shared_quickstart
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells])
    for local in {str(saved.parent), str(saved.parent.resolve()), str(Path.home())}:
        assert local not in outputs, local
    assert not re.search(r"(?<![\w.])/(home|root|tmp|Users|var|private)/", outputs)
    files = [f for facts in task_outputs(nb) for f in facts["files"]]
    assert files and all(f.startswith("seedance-media/") for f in files), files
    assert all((saved.parent / f).is_file() for f in files)


def test_quickstart_html_shows_every_video_with_provenance(
    shared_quickstart: tuple[Path, Path, Any],
) -> None:
    _saved, html, nb = shared_quickstart
    page = html.read_text()
    facts = task_outputs(nb)
    tasks = {f["task_id"]: f for f in facts}
    assert len(tasks) == 2, "the quickstart makes two videos"
    # One static result per task output, each with a player (or at least a poster) ...
    results = re.findall(r'<div class="seedance-result".*?(?=<div class="seedance-result"|$)',
                         page, flags=re.S)  # fmt: skip
    assert len(results) >= len(tasks)
    for task_id, fact in tasks.items():
        block = next(r for r in results if task_id in r)
        assert "<video" in block or "<img" in block, task_id
        # ... and its provenance, visible.
        for value in (fact["model"], task_id):
            assert value in block, (task_id, value)
        prompt = fact["prompt"].replace("&", "&amp;")
        assert prompt[:40] in block, (task_id, prompt)
    assert page.count("<video") >= len(tasks)


def test_quickstart_output_files_resolve_beside_the_notebook(
    shared_quickstart: tuple[Path, Path, Any],
) -> None:
    """Provenance names the result files relative to the notebook, and they are there."""
    saved, _html, nb = shared_quickstart
    for fact in task_outputs(nb):
        assert fact["files"], fact
        for name in fact["files"]:
            assert not Path(name).is_absolute(), name
            assert (saved.parent / name).is_file(), name
