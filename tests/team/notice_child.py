"""Run as a script by the notice tests: one member submitting a task and running it to its end.

    python notice_child.py

The history (``SEEDANCE_HISTORY``), member name and simulator URL come from the environment.
Prints ``{"uid": …}`` once the task is queued upstream, then ``{"status": …, "files": […]}``.
"""

from __future__ import annotations

import json
import time

from seedance_nb.lifecycle import PollPolicy, TaskManager
from seedance_nb.requests import VideoRequest


def main() -> None:
    manager = TaskManager(poll=PollPolicy.immediate(0.05))
    task = manager.submit(VideoRequest(prompt="a red fox in snow", duration=4))
    deadline = time.monotonic() + 60
    while task.status is None and time.monotonic() < deadline:
        time.sleep(0.01)
    print(json.dumps({"uid": task.uid}), flush=True)
    task.wait(timeout=60)
    status = task.status.value if task.status else None
    print(json.dumps({"status": status, "files": [str(p) for p in task.files]}), flush=True)
    manager.close()


if __name__ == "__main__":
    main()
