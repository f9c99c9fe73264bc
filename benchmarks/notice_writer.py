"""Run by bench_notices: the member that writes; a task row changes COUNT times, GAP s apart.

    python notice_writer.py URL COUNT GAP

Inserts one running task row owned by this process, prints its uid, waits for a line on stdin,
then writes COUNT transitions (each row's ``raw_status`` holds the wall-clock time just before
its write), the last one finishing the task. Prints ``DONE``.
"""

from __future__ import annotations

import sys
import tempfile
import time

from seedance_nb.lifecycle.history_pg import PostgresHistory
from seedance_nb.lifecycle.reconcile import owner_token


def main() -> None:
    url, count, gap = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    owner = owner_token()
    with tempfile.TemporaryDirectory() as home:
        history = PostgresHistory(url, home=home, member="writer")
        history.notice_origin = owner
        now = time.time()
        uid = history.insert({"provider": "ark", "base_url": "http://127.0.0.1:9/api/v3",
                              "kind": "video", "model": "seedance-2.0", "prompt": "bench",
                              "status": "running", "phase": "polling", "create_state": "created",
                              "id": "cgt-bench-1", "submitted_at": now, "sent_at": now,
                              "owner": owner, "raw_status": None}, at=now)  # fmt: skip
        print(uid, flush=True)
        sys.stdin.readline()
        for i in range(count):
            last = i == count - 1
            at = time.time()
            changes = {"raw_status": repr(at), "updated_at": at}
            if last:
                changes.update(status="succeeded", phase="done", finished_at=at)
            history.update(uid, changes, at=at, event="done" if last else "bench")
            time.sleep(gap)
        history.close()
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
