"""A member's live tasks take up what the callback receiver recorded in the ledger.

The receiver (maybe another machine) writes a task's new state to the shared ledger; the member
whose kernel runs the task reads their rows every ``interval`` seconds (a database read, no API
request), and a row that moved forward moves the live handle: its card updates, and a finished
task goes on to its downloads without a poll of its own. States never move back here either.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from ..status import Status

if TYPE_CHECKING:
    from ..lifecycle.manager import TaskManager
    from ..lifecycle.task import Task

log = logging.getLogger("seedance_nb.callbacks")

STATE_COLUMNS = ("status", "raw_status", "started_at", "finished_at", "tokens", "cost",
                 "error_code", "error_message", "updated_at")  # fmt: skip


class LedgerFollower:
    """Reads the ledger rows of this manager's tasks that wait for callbacks."""

    def __init__(self, manager: TaskManager, interval: float = 0.25) -> None:
        self.manager = manager
        self.interval = interval
        self._tasks: dict[int, Task] = {}
        self._runner: asyncio.Task[None] | None = None

    def watch(self, task: Task) -> None:
        """Follow ``task``'s row until it is terminal (call on the manager's loop)."""
        self._tasks[task.uid] = task
        host = self.manager.host
        runner = self._runner
        if runner is None or runner.done() or runner.get_loop() is not host.loop:
            self._runner = host.start(self._run(), name="seedance-callback-follow")

    async def _run(self) -> None:
        while self._tasks:
            await self.manager.clock.sleep(self.interval)
            try:
                self.check()
            except Exception:  # a database hiccup: look again next round
                log.exception("reading the ledger for callback results failed")

    def check(self) -> None:
        """One round: every followed task whose row moved forward takes the row's state."""
        for uid, task in list(self._tasks.items()):
            if task.status is not None and task.status.terminal:
                self._tasks.pop(uid, None)
        rows = ledger_rows(self.manager.history, sorted(self._tasks))
        for uid, task in list(self._tasks.items()):
            row = rows.get(uid)
            if row is not None and take_row(self.manager, task, row):
                self._tasks.pop(uid, None)


def ledger_rows(history: Any, uids: list[int]) -> dict[int, dict[str, Any]]:
    """The rows of ``uids`` in one query on either backend (row by row on any other store)."""
    if not uids:
        return {}
    from ..lifecycle.history_ids import TaskIds

    if isinstance(history, TaskIds):  # SQLite
        marks = ", ".join("?" * len(uids))
        found = history._query(f"SELECT * FROM tasks WHERE uid IN ({marks})", tuple(uids))
        return {int(r["uid"]): r for r in found}
    if type(history).__name__ == "PostgresHistory":
        from sqlalchemy import select

        from ..lifecycle.history_pg_schema import tasks

        found = history._rows(select(tasks).where(tasks.c.uid.in_(uids)))
        return {int(r["uid"]): r for r in found}
    rows = (history.row(uid) for uid in uids)
    return {int(r["uid"]): r for r in rows if r is not None}


def follower(manager: TaskManager) -> LedgerFollower:
    """The manager's follower (made on first use)."""
    found: Any = getattr(manager, "_callback_follower", None)
    if found is None or found.manager is not manager:
        found = LedgerFollower(manager)
        manager._callback_follower = found  # type: ignore[attr-defined]
    return found


def take_row(manager: TaskManager, task: Task, row: dict[str, Any]) -> bool:
    """Move ``task`` to the state its ledger ``row`` records if that is further on; True once
    terminal. Nothing is written: the row already says it."""
    raw = row.get("status")
    try:
        new = Status(raw) if raw else None
    except ValueError:
        return False
    current = task.status
    if new is None or new is Status.UNKNOWN or (current is not None and new.rank <= current.rank):
        return bool(current is not None and current.terminal)
    files = [dict(f) for f in task.downloads]
    if new is Status.SUCCEEDED and not files:
        files = manager.history.assets(task.uid)
    task.reload({**task.row, **{k: row.get(k) for k in STATE_COLUMNS}}, files)
    task.notify()
    manager.limiter.on_status(task)
    if not new.terminal:
        return False
    for poller in manager.pollers:
        poller.forget(task)
    manager.pollers.finished(task)
    return True
