"""In a real kernel (nbclient, headless): a submitting cell returns before anything is sent, the
task runs on the kernel's loop while a cell yields, and a later cell sees it finished.

Behaviour only, no timings (two shared cores make them noise): how fast submit returns and how
long the loop stalls are measured in benchmarks/bench_submit.py and bench_loop_lag.py."""

from __future__ import annotations

import json
from pathlib import Path

import nbclient
import nbformat
import pytest

SETUP = """
import asyncio, json, os
os.environ.update(SEEDANCE_HOME={home!r}, SEEDANCE_SIM_QUEUE_SECONDS="0.2",
                  SEEDANCE_SIM_RUN_SECONDS="0.4")
for name in ("ARK_API_KEY", "SEEDANCE_PROVIDER", "SEEDANCE_BASE_URL"):
    os.environ.pop(name, None)
from seedance_nb.lifecycle import PollPolicy, get_manager
from seedance_nb.requests import VideoRequest
manager = get_manager()
manager.poll_policy = PollPolicy.immediate(0.05)
"""

SUBMIT = """
task = manager.submit(VideoRequest(prompt="a red fox", resolution="480p", duration=4))
print(json.dumps({"phase": task.phase, "id": task.id}))
"""

# This cell only yields (it never blocks the loop); it notes what it sees at each turn.
IDLE = """
seen = []
for _ in range(1000):
    seen.append(task.status.value if task.status else task.phase)
    if task.done:
        break
    await asyncio.sleep(0.02)
"""

CHECK = """
print(json.dumps({"status": task.status.value, "phase": task.phase, "files": len(task.files),
                  "seen": seen}))
"""

BLOCKING_WAIT = """
other = manager.submit(VideoRequest(prompt="a blue whale", resolution="480p", duration=4))
other.wait(timeout=60)
print(json.dumps({"status": other.status.value, "files": len(other.files)}))
"""


def _last_json(cell) -> dict:
    texts = [o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream"]
    return json.loads("".join(texts).strip().splitlines()[-1])


@pytest.mark.slow
def test_cells_return_at_once_and_a_later_cell_sees_the_result(tmp_path: Path, monkeypatch):
    cells = [SETUP.format(home=str(tmp_path / "home")), SUBMIT, IDLE, CHECK, BLOCKING_WAIT]
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}  # fmt: skip
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    client = nbclient.NotebookClient(
        nb, timeout=90, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    print([_last_json(nb.cells[i]) for i in (1, 3, 4)])
    # The submitting cell returned before the task left `submitting` (no create answered yet).
    assert _last_json(nb.cells[1]) == {"phase": "submitting", "id": None}
    checked = _last_json(nb.cells[3])
    assert checked["status"] == "succeeded" and checked["phase"] == "done"
    assert checked["files"] == 1
    # The yielding cell kept getting turns while the task was under way on the same loop.
    seen = checked["seen"]
    assert seen[-1] == "succeeded"
    assert sum(state in ("queued", "running") for state in seen) >= 2, seen
    waited = _last_json(nb.cells[4])
    assert waited == {"status": "succeeded", "files": 1}
    assert (tmp_path / "home" / "history.sqlite3").exists()
