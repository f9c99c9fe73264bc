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


def run(folder: Path, cells: list[str], env: dict[str, str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return nb


@pytest.fixture
def sim_env(tmp_path: Path) -> dict[str, str]:
    return {
        "SEEDANCE_SIM_QUEUE_SECONDS": "0.3",
        "SEEDANCE_SIM_RUN_SECONDS": "0.7",
        "SEEDANCE_HOME": str(tmp_path / "seedance-data"),
    }


def test_saved_notebook_holds_the_final_result(tmp_path: Path, sim_env: dict[str, str]) -> None:
    for key in [k for k in os.environ if k.endswith("_API_KEY") or k == "MAXAPI_KEY"]:
        sim_env[key] = ""
    nb = run(tmp_path, CELLS, sim_env)
    assert "succeeded" in nb.cells[2].outputs[0]["text"]
    [output] = nb.cells[1].outputs
    html = output["data"]["text/html"]
    assert "<video controls" in html and "succeeded" in html
    assert "application/vnd.jupyter.widget-view+json" not in output["data"]
    info = output["metadata"]["seedance_nb"]
    assert info["status"] == "succeeded" and info["task_id"]
    assert info["prompt"] == "A red fox trots through fresh snow" and info["seed"] == 3
    assert info["files"] and all(f.startswith("seedance-data/media/") for f in info["files"])

    body, _ = HTMLExporter().from_notebook_node(nb)
    assert "<video controls" in body and info["task_id"] in body
    json.dumps(nb)  # what nbformat.write would store
