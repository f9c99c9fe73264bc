"""The canary through a real kernel: a notebook run headless (nbclient) with the planted key in
``ARK_API_KEY``, against a simulator served on 127.0.0.1 that accepts only that key. DEBUG
logging goes to the cell outputs, ``%xmode Verbose`` prints every frame's locals, and a 401 and
an unreadable create answer are raised in cells. The saved notebook (outputs, metadata, widget
state) and the history folder (database, ``-wal``, media) hold the key 0 times."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from durability.harness import served_simulator
from nbclient import NotebookClient

from .conftest import Leaks

pytestmark = pytest.mark.slow

CELLS = [
    "import logging, os, sys\n"
    "logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, force=True)\n"
    "BASE = os.environ['SEEDANCE_BASE_URL'].rsplit('/api/v3', 1)[0]",
    "%load_ext seedance_nb",
    "%%seedance --duration 5 --seed 3 -o shot --tag canary\nA red fox trots through fresh snow",
    "await shot\nprint(shot.status, shot.files, shot.to_dict())",
    "%xmode Verbose",
    "import httpx, seedance_nb as sd\n"
    "httpx.post(BASE + '/sim/control/scenario', json={'route': 'get', 'kind': 'unauthorized',"
    " 'count': 8})\n"
    "await sd.AsyncSeedance('ark').get(shot.id)",
    "httpx.post(BASE + '/sim/control/scenario', json={'route': 'create', 'kind': "
    "'truncated_json'})\n"
    "await sd.AsyncSeedance('ark').create(sd.VideoRequest(prompt='a fox', resolution='480p',"
    " duration=4))",
    "sd.history()",
    "shot",
]


def test_saved_notebook_and_history_never_hold_the_key(
    canary: str, leaks: Leaks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "seedance-data"
    with served_simulator(queue=0.3, run=0.6, api_key=canary) as url:
        monkeypatch.setenv("ARK_API_KEY", canary)
        monkeypatch.setenv("SEEDANCE_BASE_URL", url + "/api/v3")
        monkeypatch.setenv("SEEDANCE_HOME", str(home))
        monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                           "language": "python"}  # fmt: skip
        client = NotebookClient(notebook, timeout=120, allow_errors=True,
                                resources={"metadata": {"path": str(tmp_path)}})  # fmt: skip
        client.execute()
    text = nbformat.writes(notebook)
    (tmp_path / "run.ipynb").write_text(text)
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert [e["ename"] for e in errors] == ["AuthenticationError", "AmbiguousCreateError"]
    assert "succeeded" in text and "DEBUG" in text  # the flows ran, with their logs
    leaks.text("saved notebook", text)
    leaks.database("history", home / "history.sqlite3")
    for path in sorted(home.rglob("*")):
        if path.is_file():
            leaks.file(str(path.relative_to(home)), path)
    assert leaks.hits() == []
