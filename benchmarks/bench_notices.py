"""Change notices between kernels: from a write in one process to the observer in another.

A writer process (``notice_writer.py``) runs a few hundred transitions round its live task rows
on a real PostgreSQL ledger (tests/team/pg_server.py, 127.0.0.1); this process holds a handle on
each of those tasks through its own ``TaskManager`` (as a teammate's kernel would) and times each
observer call against the wall-clock time the writer took just before its write. Without Debian's
``postgresql`` package the figure is left out, and the table says why.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from table import Figure, percentile

GOAL = 1.0
GAP = 0.03  # seconds between two writes: each its own notice
WRITER = Path(__file__).with_name("notice_writer.py")


async def _observe(url: str, rows: int, count: int) -> list[float]:
    from seedance_nb.lifecycle import TaskManager
    from seedance_nb.lifecycle.history_pg import PostgresHistory

    writer = subprocess.Popen([sys.executable, str(WRITER), url, str(rows), str(count), str(GAP)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert writer.stdin is not None and writer.stdout is not None
    delays: list[float] = []
    with tempfile.TemporaryDirectory() as home:
        manager = TaskManager(history=PostgresHistory(url, home=home, member="reader"))
        try:
            uids = (await asyncio.to_thread(writer.stdout.readline)).split()
            handles = [manager.task(int(uid)) for uid in uids]
            assert all(h.owned_elsewhere for h in handles), "shown, not taken over"

            def seen(task) -> None:
                if task.raw_status:
                    delays.append(time.time() - float(task.raw_status))

            for handle in handles:
                handle.observe(seen)
            listener = manager.notices.listener
            assert listener is not None
            await asyncio.to_thread(listener.listening.wait, 30)
            writer.stdin.write("go\n")
            writer.stdin.flush()
            await asyncio.wait_for(asyncio.gather(*handles), 60 + count * GAP * 4)
            assert (await asyncio.to_thread(writer.stdout.readline)).strip() == "DONE"
        finally:
            await manager.aclose()
            writer.stdin.close()
            if writer.wait(30) != 0:
                raise RuntimeError("the writer process failed")
            writer.stdout.close()
    return delays


def run(quick: bool = False) -> list[Figure]:
    tests = Path(__file__).resolve().parent.parent / "tests"
    if str(tests) not in sys.path:
        sys.path.insert(0, str(tests))
    from team.pg_server import PgServer, PgUnavailable

    name = "notice latency between kernels, p50 / p95 (s)"
    try:
        server = PgServer()
        server.start()
    except PgUnavailable as exc:
        reason = str(exc).splitlines()[0][:120]
        return [Figure(name, "n/a", f"<= {GOAL:g} s", None, f"no server: {reason}")]
    try:
        rows, count = (10, 40) if quick else (100, 300)
        delays = asyncio.run(_observe(server.new_database(), rows, count))
    finally:
        server.stop()
    p95 = percentile(delays, 95)
    return [
        Figure(
            name,
            f"{percentile(delays, 50):.3f} / {p95:.3f}",
            f"<= {GOAL:g} s",
            p95 <= GOAL,
            f"max {max(delays):.3f} s; {count} writes {GAP * 1000:.0f} ms apart round {rows} live "
            f"tasks by another process, {len(delays)} observer calls (notices that arrive together are read "
            "once); real PostgreSQL on 127.0.0.1, LISTEN on a thread, row read on the loop",
        )
    ]
