"""Change notices between members of a PostgreSQL ledger: teammates' tasks stay live here.

Every write of task state to a PostgreSQL history sends a notice (:mod:`.history_pg_notices`).
Each :class:`~seedance_nb.lifecycle.manager.TaskManager` on such a ledger listens
(:mod:`.notice_listener`, a daemon thread with its own connection) and, on its loop's thread,
re-reads the row a notice names and updates the handle it has for it, whose observers (the
notebook card) redraw:

>>> task = manager.task(412)     # a teammate's running task: task.owned_elsewhere names them
>>> await task                   # follows their transitions, no request of ours; ends with theirs

Handles this manager runs itself are never overwritten (its own run is the authority), unless
another member took the row over (its ``owner`` changed): then the run here stops and the handle
follows theirs; a followed task whose owner has ended is continued here
(:meth:`Notices.check_owners`, every 5 s). Notices of our own writes are skipped; notices for
rows without a handle go to :meth:`Notices.subscribe` callbacks (e.g. to refresh a gallery) and
:attr:`Notices.unseen`.
After a dropped connection every live handle is read once again. A SQLite history has no
notices: nothing here runs.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .history_store import HistoryStore
    from .loop import LoopHost
    from .notice_listener import NoticeListener
    from .services import Services
    from .task import Task

log = logging.getLogger("seedance_nb.lifecycle")


class Notices:
    """The change notices of one manager (inactive unless its history is PostgreSQL)."""

    def __init__(self, manager: Services) -> None:
        self._manager = manager
        self.listener: NoticeListener | None = None
        self._closed = False
        self._lock = threading.Lock()
        self._pending: set[int] = set()
        self._scheduled = False
        self._hooks: list[Callable[[int | None], Any]] = []
        self.unseen: collections.deque[int] = collections.deque(maxlen=1000)
        self.own = 0  # notices of this manager's own writes, skipped
        self.applied = 0  # handles updated from a notice

    @property
    def following(self) -> bool:
        """True while this manager listens (an outage in between is caught up afterwards)."""
        return self.listener is not None and not self._closed

    # -- hooks the manager calls --------------------------------------------------------------
    def attach(self, history: HistoryStore) -> None:
        """Sign this manager's writes, so its listener can skip their notices."""
        if hasattr(history, "notice_origin"):
            history.notice_origin = self._manager.owner

    def bind(self, host: LoopHost) -> None:
        """Start listening (once), if the history is PostgreSQL; called when a loop is bound."""
        if self.listener is not None:
            return
        self._closed = False  # a manager used again after close() listens again
        try:
            history = self._manager.history
        except Exception:  # e.g. a bad member name: refused where the history is used
            return
        channel = getattr(history, "notice_channel", None)
        if channel is None:
            return
        from .notice_listener import NoticeListener

        self.attach(history)
        self.listener = NoticeListener(
            history._conninfo,  # type: ignore[attr-defined]
            channel,
            self._deliver,
            self._caught_up,
            tick=self._tick,
            name=f"seedance-notices-{self._manager.session}",
        ).start()

    def stop(self) -> NoticeListener | None:
        """Stop listening (does not block); returns the listener to join, if any."""
        self._closed = True
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.stop()
        return listener

    async def aclose(self, timeout: float = 5.0) -> None:
        """Stop listening and wait (without blocking the loop) until the thread has ended."""
        listener = self.stop()
        if listener is None:
            return
        for _ in range(int(timeout / 0.02)):
            if listener.join(0):
                return
            await asyncio.sleep(0.02)
        log.warning("change notices: the listening thread did not end within %s s", timeout)

    def subscribe(self, callback: Callable[[int | None], Any]) -> Callable[[], None]:
        """Call ``callback(uid)`` on the loop's thread for every row another member changed
        (``None`` each time listening (re)starts: anything may have changed). Returns a
        function that unsubscribes."""
        self._hooks.append(callback)
        return lambda: self._hooks.remove(callback) if callback in self._hooks else None

    # -- on the listener's thread ---------------------------------------------------------------
    def _deliver(self, notice: dict[str, Any]) -> None:
        if notice.get("by") == self._manager.owner:
            self.own += 1
            return
        with self._lock:
            self._pending.add(notice["uid"])
            if self._scheduled:
                return  # one drain on the loop takes every uid gathered meanwhile
            self._scheduled = True
        self._on_loop(self._drain)

    def _caught_up(self) -> None:
        self._on_loop(self.refresh_all)

    def _tick(self) -> None:
        self._on_loop(self._check_owners_quietly)

    def _check_owners_quietly(self) -> None:
        try:
            self.check_owners()
        except Exception:
            log.exception("change notices: looking for followed tasks whose owner ended failed")

    def _on_loop(self, fn: Callable[[], Any]) -> None:
        host = self._manager.bound_host  # never bind a loop from this thread
        try:
            if host is None or not host.usable:
                raise RuntimeError("no loop")
            host.loop.call_soon_threadsafe(fn)
        except RuntimeError:  # the loop is gone: nothing here shows anything any more
            with self._lock:
                self._pending.clear()
                self._scheduled = False

    # -- on the loop's thread -------------------------------------------------------------------
    def _drain(self) -> None:
        with self._lock:
            uids, self._pending, self._scheduled = sorted(self._pending), set(), False
        for uid in uids:
            self._tell(uid)
        tasks = self._manager.handles
        self.unseen.extend(uid for uid in uids if uid not in tasks)
        self._refresh_many([tasks[uid] for uid in uids if uid in tasks])

    def apply(self, uid: int) -> bool:
        """Another member changed row ``uid``: update our handle for it. True if it changed."""
        self._tell(uid)
        task = self._manager.handles.get(uid)
        if task is None:
            self.unseen.append(uid)
            return False
        return bool(self._refresh_many([task]))

    def refresh_all(self) -> None:
        """Read every unfinished handle again (after notices may have been lost)."""
        self._tell(None)
        tasks = list(self._manager.handles.values())
        self._refresh_many([t for t in tasks if not t.done or t.owned_elsewhere])

    def _refresh_many(self, tasks: list[Task]) -> int:
        """Read these handles' rows (in one go on PostgreSQL) and update them; how many changed."""
        if not tasks:
            return 0
        history = self._manager.history
        try:
            if hasattr(history, "notice_channel"):
                from .history_pg_notices import read_rows

                found = read_rows(history, [t.uid for t in tasks])
            else:
                found = {}
                for t in tasks:
                    row = history.row(t.uid)
                    if row is not None:
                        found[t.uid] = (row, history.assets(t.uid))
        except Exception:
            log.exception("re-reading %d task(s) after a change notice failed", len(tasks))
            return 0
        changed = 0
        for task in tasks:
            if task.uid in found:
                try:
                    changed += self._refresh(task, *found[task.uid])
                except Exception:
                    log.exception("updating task #%s after a change notice failed", task.uid)
        return changed

    def check_owners(self) -> list[Task]:
        """Continue here the followed tasks whose owner has ended (a process on this machine
        that is gone; as ``resume()`` would), so that nobody waits on them for ever. Returns
        the handles taken over."""
        from . import lookup, owners

        manager, taken = self._manager, []
        for task in list(manager.handles.values()):
            owner = task.owned_elsewhere
            if not owner or task.done or owners.owner_alive(owner):
                continue
            row = manager.history.row(task.uid)
            if row is None or row.get("phase") == "done" or row.get("owner") != owner:
                continue  # finished or moved on meanwhile: its notice brings that here
            log.info("task #%s: its owner %s has ended; continuing it here", task.uid, owner)
            if lookup.continue_or_show(manager, row) is task and not task.owned_elsewhere:
                taken.append(task)
        return taken

    def _tell(self, uid: int | None) -> None:
        for hook in list(self._hooks):
            try:
                hook(uid)
            except Exception:
                log.exception("a change-notice subscriber failed")

    def _refresh(self, task: Task, row: dict[str, Any], files: list[Any]) -> bool:
        manager = self._manager
        owner = row.get("owner")
        if manager.running(task):
            if owner in (manager.owner, None):
                return False  # our own run is the authority on this row
            # Another member took the row over: stop running it here, follow theirs.
            log.info("task #%s was taken over by %s; following it", task.uid, owner)
            manager.stop_run(task)
            manager.limiter.release(task)
        files = [dict(f) for f in files]
        changed = dict(row) != dict(task.row) or files != list(task.downloads)
        task.reload(row, files)
        finished = row.get("phase") == "done"
        task.owned_elsewhere = None if finished or owner == manager.owner else owner or "?"
        if row.get("id") is None and row.get("create_state") in ("sent", "ambiguous"):
            task.candidates = tuple(manager.history.candidates(task.uid))
        if changed:
            self.applied += 1
            task.notify()
        if finished:
            task.settle()
        return changed
