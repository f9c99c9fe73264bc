"""Run as a script by the lease tests: one member of a team on a shared PostgreSQL ledger.

    python lease_child.py submit COUNT         submit COUNT requests, report each change, wait
    python lease_child.py resume GO_FILE       once GO_FILE exists, resume(), wait, report JSON
    python lease_child.py queue COUNT CAP [RPM]   submit COUNT with an account queue cap of
                                                  CAP (and RPM creates per minute)

The history (``SEEDANCE_HISTORY``), member name, lease length and simulator URL come from the
environment. Every mode prints ``READY`` once connected to the ledger.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from seedance_nb.lifecycle import PollPolicy, TaskManager
from seedance_nb.requests import VideoRequest

POLICY = PollPolicy(first=0.05, cap=0.2, jitter=0.0, requests_per_minute=None, min_gap=0.0)


def _report(task) -> None:
    status = task.status.value if task.status else "-"
    print(f"EV {task.uid} {task.create_state} {task.phase} {status} {task.id}", flush=True)


def submit(manager: TaskManager, count: int) -> None:
    for i in range(count):
        request = VideoRequest(prompt=f"fox {i}", resolution="480p", duration=4, seed=100 + i)
        manager.submit(request).observe(_report)
    print("SUBMITTED", flush=True)
    while True:  # until killed
        time.sleep(1)


def resume(manager: TaskManager, go: Path) -> None:
    while not go.exists():
        time.sleep(0.002)
    manager.resume()
    # Rows may also come by this member's sweep: wait until the ledger has nothing unfinished.
    deadline = time.monotonic() + 60
    while manager.history.unfinished() and time.monotonic() < deadline:
        time.sleep(0.1)
    ours = [t for t in manager.tasks if not t.owned_elsewhere]
    report = {"ran": sorted(t.uid for t in ours),
              "ids": sorted(t.id for t in ours if t.id),
              "polls": sum(p.requests_sent for p in manager.pollers),
              "statuses": sorted({t.status.value for t in ours if t.status})}  # fmt: skip
    print(json.dumps(report), flush=True)


def queue(manager: TaskManager, count: int, cap: int, rpm: float | None) -> None:
    manager.limiter.configure("ark", queued_per_account=cap, requests_per_minute=rpm)
    manager.start()
    tasks = []
    for i in range(count):
        tasks.append(manager.submit(VideoRequest(prompt=f"whale {i}", duration=5)))
    # Settled here: each task has its id, or waits in the local queue for a slot.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if all(t.id is not None or t.queue_position is not None for t in tasks):
            break
        time.sleep(0.05)
    print(json.dumps({"created": sum(t.id is not None for t in tasks)}), flush=True)
    sys.stdin.readline()  # until the test has counted


def main() -> None:
    manager = TaskManager(poll=POLICY)
    manager.history.frame(limit=0)  # connected before the start
    print("READY", flush=True)
    mode = sys.argv[1]
    if mode == "submit":
        submit(manager, int(sys.argv[2]))
    elif mode == "resume":
        resume(manager, Path(sys.argv[2]))
    else:
        rpm = float(sys.argv[4]) if len(sys.argv) > 4 else None
        queue(manager, int(sys.argv[2]), int(sys.argv[3]), rpm)
    manager.close()


if __name__ == "__main__":
    main()
