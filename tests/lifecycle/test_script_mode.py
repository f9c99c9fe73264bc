"""Outside a notebook: the module-level functions on a private loop, as the CLI uses them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = r"""
import json
import seedance_nb.lifecycle as lc
from seedance_nb.lifecycle import PollPolicy, get_manager
from seedance_nb.requests import VideoRequest

manager = get_manager()
manager.poll_policy = PollPolicy.immediate(0.05)
task = lc.submit(VideoRequest(prompt="a red fox", resolution="480p", duration=4))
task_id = task.wait_created(timeout=30)
task.wait(timeout=60)
group = lc.grid(["a cat", "a dog"], resolution="480p", duration=4).wait(timeout=60)
files = lc.download(task_id)
frame = lc.history(status="succeeded")
again = lc.rerun(task.uid, duration=5).wait(timeout=60)
print(json.dumps({
    "id": task_id == task.id,
    "status": task.status.value,
    "group": dict(group.counts()),
    "files": [str(f) for f in files],
    "rows": len(frame),
    "resumed": len(lc.resume(wait=True)),
    "parent": again.parent_id == task.id,
    "session": len(manager.tasks),
}))
manager.close()
"""


@pytest.mark.slow
def test_module_functions_in_a_script(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARK_", "SEEDANCE_", "MAXAPI"))}
    env.update(SEEDANCE_HOME=str(tmp_path / "home"), SEEDANCE_SIM_QUEUE_SECONDS="0.1",
               SEEDANCE_SIM_RUN_SECONDS="0.2")  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120,
        cwd=tmp_path,  # results are saved in seedance-media/ beside where the script runs
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["id"] and result["status"] == "succeeded" and result["parent"]
    assert result["group"] == {"succeeded": 2}
    assert len(result["files"]) == 1 and Path(result["files"][0]).exists()
    assert Path(result["files"][0]).resolve().parent == (tmp_path / "seedance-media").resolve()
    assert result["rows"] == 3 and result["resumed"] == 0 and result["session"] == 4
