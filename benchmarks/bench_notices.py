"""Change notices between kernels: from a write in one process to the observer in another.

Five writer processes (``notice_writer.py``, members of the team) run 300 transitions between
them round 100 live task rows on a real PostgreSQL ledger (tests/team/pg_server.py, 127.0.0.1);
this process holds a handle on each of those tasks through its own ``TaskManager`` (as a
teammate's kernel would) and times each observer call against the wall-clock time the writer
took just before its write. Without Debian's
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


async def _observe(url: str, writers: int, rows: int, count: int) -> list[float]:
    """``writers`` processes, each running ``count`` transitions round ``rows`` tasks of its
    own; this process holds a handle on every one of those tasks. Observer delays, in s."""
    from seedance_nb.lifecycle import TaskManager
    from seedance_nb.lifecycle.history_pg import PostgresHistory

    args = [str(WRITER), url, str(rows), str(count), str(GAP)]
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True}
    procs = [subprocess.Popen([sys.executable, *args], **pipes) for _ in range(writers)]
    delays: list[float] = []
    with tempfile.TemporaryDirectory() as home:
        manager = TaskManager(history=PostgresHistory(url, home=home, member="reader"))
        try:
            handles = []
            for proc in procs:
                assert proc.stdout is not None
                uids = (await asyncio.to_thread(proc.stdout.readline)).split()
                handles += [manager.task(int(uid)) for uid in uids]
            assert all(h.owned_elsewhere for h in handles), "shown, not taken over"

            def seen(task) -> None:
                if task.raw_status:
                    delays.append(time.time() - float(task.raw_status))

            for handle in handles:
                handle.observe(seen)
            listener = manager.notices.listener
            assert listener is not None
            await asyncio.to_thread(listener.listening.wait, 30)
            for proc in procs:
                assert proc.stdin is not None
                proc.stdin.write("go\n")
                proc.stdin.flush()
            await asyncio.wait_for(asyncio.gather(*handles), 60 + count * GAP * 4)
            for proc in procs:
                assert proc.stdout is not None
                assert (await asyncio.to_thread(proc.stdout.readline)).strip() == "DONE"
        finally:
            await manager.aclose()
            for proc in procs:
                if proc.stdin is not None:
                    proc.stdin.close()
                code = proc.wait(30)
                if proc.stdout is not None:
                    proc.stdout.close()
                if code != 0:
                    raise RuntimeError("a writer process failed")
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
        writers, rows, count = (2, 5, 20) if quick else (5, 20, 60)
        delays = asyncio.run(_observe(server.new_database(), writers, rows, count))
    finally:
        server.stop()
    p95 = percentile(delays, 95)
    return [
        Figure(
            name,
            f"{percentile(delays, 50):.3f} / {p95:.3f}",
            f"<= {GOAL:g} s",
            p95 <= GOAL,
            f"max {max(delays):.3f} s; {writers} member processes, each {count} writes "
            f"{GAP * 1000:.0f} ms apart round {rows} live tasks of its own; this process holds "
            f"a handle on all {writers * rows}: {len(delays)} observer calls (notices arriving "
            "together are read in one query); real PostgreSQL on 127.0.0.1, LISTEN on a thread, "
            "rows read on the loop",
        )
    ]
