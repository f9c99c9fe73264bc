"""Run as a script by the shared-budget test: one member submitting at once with the others.

    python budget_child.py GO_FILE COUNT DAILY_TOKEN_CAP

The history (``SEEDANCE_HISTORY``), member name and simulator URL come from the environment.
Prints ``READY`` once connected, waits for GO_FILE, submits COUNT requests as fast as it can,
waits until every admitted create has its task id, then prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from seedance_nb.errors import BudgetExceeded
from seedance_nb.lifecycle import Budget, TaskManager
from seedance_nb.requests import VideoRequest


def main() -> None:
    go, count, cap = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    manager = TaskManager(budget=Budget(daily_tokens=cap))
    manager.history.frame(limit=0)  # connected before the start
    print("READY", flush=True)
    while not go.exists():
        time.sleep(0.002)
    admitted, refused = [], 0
    for i in range(count):
        try:
            admitted.append(manager.submit(VideoRequest(prompt=f"a fox, take {i}", duration=5)))
        except BudgetExceeded:
            refused += 1
    deadline = time.monotonic() + 60
    while any(t.id is None for t in admitted) and time.monotonic() < deadline:
        time.sleep(0.02)
    rows = manager.history.frame()
    print(json.dumps({"admitted": len(admitted), "refused": refused,
                      "ids": [t.id for t in admitted], "rows": len(rows),
                      "members": sorted(set(rows["member"]))}), flush=True)  # fmt: skip
    manager.close()


if __name__ == "__main__":
    main()
