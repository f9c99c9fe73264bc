"""A notebook run headless (nbclient) ends with the final static result of the tasks it waited
on, although the updates made in the background are invisible to nbclient."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

pytestmark = pytest.mark.slow

CELLS = [
    "%load_ext seedance_nb",
    "%%seedance --duration 5 --seed 3 -o shot --tag demo\nA red fox trots through fresh snow",
    "await shot\nprint(shot.status)",
]


def run(folder: Path, cells: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(folder)}}).execute()
    return nb


@pytest.fixture
def simulator_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Kernels started now use a fast in-process simulator and keep their data in tmp_path."""
    for key in [k for k in os.environ if k.endswith("_API_KEY") or k == "MAXAPI_KEY"]:
        monkeypatch.delenv(key)
    monkeypatch.delenv("SEEDANCE_BASE_URL", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)  # the notebook folder is tmp_path
    monkeypatch.setenv("SEEDANCE_SIM_QUEUE_SECONDS", "0.3")
    monkeypatch.setenv("SEEDANCE_SIM_RUN_SECONDS", "0.7")
    monkeypatch.setenv("SEEDANCE_HOME", str(tmp_path / "seedance-data"))
    return tmp_path


def test_saved_notebook_holds_the_final_result(simulator_kernel: Path) -> None:
    nb = run(simulator_kernel, CELLS)
    assert "succeeded" in nb.cells[2].outputs[0]["text"]
    output, live = nb.cells[1].outputs
    assert live["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] == ""  # emptied
    html = output["data"]["text/html"]
    assert "<video controls" in html and "succeeded" in html
    assert "application/vnd.jupyter.widget-view+json" not in output["data"]
    info = output["metadata"]["seedance_nb"]
    assert info["status"] == "succeeded" and info["task_id"]
    assert info["prompt"] == "A red fox trots through fresh snow" and info["seed"] == 3
    # Beside the notebook, in a visible folder, whatever the history's folder.
    assert info["files"] and all(f.startswith("seedance-media/") for f in info["files"])
    assert oct((simulator_kernel / info["files"][0]).stat().st_mode & 0o777) == "0o644"
    assert str(simulator_kernel) not in json.dumps(nb.cells[1].outputs)

    body, _ = HTMLExporter().from_notebook_node(nb)
    assert "<video controls" in body and info["task_id"] in body
    json.dumps(nb)  # what nbformat.write would store
