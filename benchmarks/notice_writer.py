"""Run by bench_notices: the member that writes; its task rows change COUNT times, GAP s apart.

    python notice_writer.py URL ROWS COUNT GAP

Inserts ROWS running task rows owned by this process, prints their uids (one line, spaces),
waits for a line on stdin, then writes COUNT transitions round the rows (each write's
``raw_status`` holds the wall-clock time just before it), the last ROWS finishing the tasks.
Prints ``DONE``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from seedance_nb.lifecycle.history_pg import PostgresHistory
from seedance_nb.lifecycle.owners import owner_token


def main() -> None:
    url, rows, count, gap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    owner = owner_token()
    with tempfile.TemporaryDirectory() as home:
        history = PostgresHistory(url, home=home, member="writer")
        history.notice_origin = owner
        now = time.time()
        row = {
            "provider": "ark",
            "base_url": "http://127.0.0.1:9/api/v3",
            "kind": "video",
            "model": "seedance-2.0",
            "status": "running",
            "phase": "polling",
            "create_state": "created",
            "submitted_at": now,
            "sent_at": now,
            "owner": owner,
        }
        ids = [f"cgt-bench-{os.getpid()}-{i}" for i in range(rows)]
        uids = [history.insert({**row, "prompt": f"bench {i}", "id": ident}, at=now)
                for i, ident in enumerate(ids)]  # fmt: skip
        print(" ".join(map(str, uids)), flush=True)
        sys.stdin.readline()
        for i in range(count):
            last = i >= count - rows
            at = time.time()
            changes: dict[str, object] = {"raw_status": repr(at), "updated_at": at}
            if last:
                changes.update(status="succeeded", phase="done", finished_at=at)
            history.update(uids[i % rows], changes, at=at, event="done" if last else "bench")
            time.sleep(gap)
        history.close()
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
