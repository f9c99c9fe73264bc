"""What the receiver does with one callback. The body is never trusted for the status.

1. The secret in the URL must hash to the row's ``callback_token``: else 404, logged, nothing
   changes (a wrong uid, a wrong secret and a task without callbacks look the same).
2. The body must name the row's task id: else it is ignored and logged. A row whose create was
   not acknowledged (its answer lost) gets the named id recorded as a candidate for
   ``adopt`` (never adopted here).
3. A row already in a terminal state changes no more: a replay or a late callback is logged.
4. Otherwise ONE GET of the task from the provider, at most once per ``min_gap`` seconds per task
   (callbacks in between are coalesced into the next GET), and its answer goes through the
   lifecycle's snapshot path (:func:`apply_answer`), which records the transition in the ledger.
   A GET the provider does not answer is tried again (``ATTEMPTS`` in all, with a growing
   delay); a 429 holds back every GET for its ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from typing import TYPE_CHECKING, Any

from ..errors import RateLimitError, SeedanceError
from ..lifecycle.doorbell import callback_task_ids
from ..status import Status
from . import tokens

if TYPE_CHECKING:
    from ..lifecycle.manager import TaskManager
    from ..lifecycle.task import Task
    from ..status import TaskSnapshot

log = logging.getLogger("seedance_nb.callbacks")

DEFAULT_MIN_GAP = 3.0
ATTEMPTS = 3  # GETs for one callback when the provider fails to answer (then the safety net)


def apply_answer(manager: TaskManager, task: Task, snapshot: TaskSnapshot) -> bool:
    """The one place the receiver hands a provider's answer to the lifecycle; True once the
    task is terminal (through the lifecycle's snapshot path and its transition function)."""
    from ..lifecycle.snapshots import apply_snapshot

    return apply_snapshot(manager, task, snapshot)


def _terminal(row: dict[str, Any]) -> bool:
    try:
        return bool(row.get("status")) and Status(row["status"]).terminal
    except ValueError:
        return False


class Receiver:
    """Handles callbacks for the tasks in ``manager``'s history (the team's ledger).

    ``counts`` tallies outcomes: refused, ignored, candidate, replay, coalesced, fetched, failed,
    applied.
    """

    def __init__(self, manager: TaskManager, *, min_gap: float = DEFAULT_MIN_GAP) -> None:
        self.manager = manager
        self.min_gap = min_gap
        self.counts: collections.Counter[str] = collections.Counter()
        self._last: dict[int, float] = {}
        self._pending: dict[int, asyncio.Task[None]] = {}
        self._again: set[int] = set()
        self._failures: dict[int, int] = {}
        self._paused_until = 0.0  # after a 429: no GET to any task before then

    async def handle(self, uid: int, secret: str, body: Any) -> int:
        """Take one callback for row ``uid``; returns the HTTP status to answer with."""
        history = self.manager.history
        row = history.row(uid)
        if row is None or not tokens.matches(row.get("callback_token"), secret):
            self.counts["refused"] += 1
            log.warning("callback refused: task #%s has no callback with that secret", uid)
            return 404
        named = callback_task_ids(body)
        task_id = row.get("id")
        if task_id is None:
            self._candidate(row, named)
            return 200
        if task_id not in named:
            self.counts["ignored"] += 1
            log.warning("callback for task #%s ignored: its body names %s, not %s", uid,
                        ", ".join(named[:3]) or "no task", task_id)  # fmt: skip
            return 200
        if _terminal(row):
            self.counts["replay"] += 1
            log.info("callback for task #%s (%s) ignored: it is already %s (a replay or a late "
                     "delivery)", uid, task_id, row.get("status"))  # fmt: skip
            return 200
        self._schedule(uid)
        return 200

    async def drain(self) -> None:
        """Wait until every GET scheduled so far has been made and applied."""
        while self._pending:
            await asyncio.gather(*list(self._pending.values()), return_exceptions=True)

    async def aclose(self) -> None:
        for job in list(self._pending.values()):
            job.cancel()
        await asyncio.gather(*list(self._pending.values()), return_exceptions=True)

    # -- the one GET ----------------------------------------------------------------------------
    def _schedule(self, uid: int) -> None:
        job = self._pending.get(uid)
        if job is not None:
            self.counts["coalesced"] += 1
            self._again.add(uid)  # the answer on its way may predate this news: ask again
            return
        self._start(uid)

    def _start(self, uid: int, backoff: float = 0.0) -> None:
        clock = self.manager.clock
        now = clock.monotonic()
        last = self._last.get(uid)
        wait = 0.0 if last is None else max(0.0, last + max(self.min_gap, backoff) - now)
        wait = max(wait, self._paused_until - now)
        self._again.discard(uid)
        job = asyncio.ensure_future(self._fetch_after(uid, wait))
        self._pending[uid] = job

    async def _fetch_after(self, uid: int, wait: float) -> None:
        failed = False
        try:
            while wait > 0:  # a 429 seen meanwhile holds every GET back
                await self.manager.clock.sleep(wait)
                wait = self._paused_until - self.manager.clock.monotonic()
            self._again.discard(uid)  # news from before the GET is in its answer
            failed = not await self._fetch(uid)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("handling a callback for task #%s failed", uid)
        finally:
            self._pending.pop(uid, None)
        tries = self._failures.pop(uid, 0) + 1 if failed else 0
        if failed and tries < ATTEMPTS:
            self._failures[uid] = tries
            self._start(uid, backoff=self.min_gap + 2.0**tries)
        elif uid in self._again:
            self._start(uid)

    async def _fetch(self, uid: int) -> bool:
        """One GET and its answer applied; False when the provider did not answer."""
        manager = self.manager
        row = manager.history.row(uid)
        if row is None or _terminal(row) or not row.get("id"):
            return True
        task = self._handle(row)
        self._last[uid] = manager.clock.monotonic()
        self.counts["fetched"] += 1
        try:
            snapshot = await manager.client_for(task).get(task.id or "")
        except SeedanceError as exc:  # asked again a few times, then the safety-net poll
            self.counts["failed"] += 1
            if isinstance(exc, RateLimitError):
                pause = exc.retry_after if exc.retry_after is not None else 30.0
                self._paused_until = max(self._paused_until, manager.clock.monotonic() + pause)
            log.warning("callback for task #%s: asking %s failed: %s", uid, task.provider,
                        tokens.redact(str(exc)))  # fmt: skip
            return False
        before = task.status
        apply_answer(manager, task, snapshot)
        if task.status is not before:
            self.counts["applied"] += 1
            log.info("callback for task #%s: %s -> %s", uid, before, task.status)
        if task.status is not None and task.status.terminal and not self._live(task):
            manager._tasks.pop(uid, None)
        return True

    def _live(self, task: Task) -> bool:
        return self.manager.running(task)

    def _handle(self, row: dict[str, Any]) -> Task:
        """This process's live handle on the row if it runs the task, else one loaded from it."""
        from ..lifecycle import lookup

        live = self.manager._tasks.get(int(row["uid"]))
        if live is not None and self._live(live):
            return live
        return lookup.load(self.manager, row)

    # -- a create whose answer was lost ---------------------------------------------------------
    def _candidate(self, row: dict[str, Any], named: list[str]) -> None:
        uid = int(row["uid"])
        if not named or row.get("create_state") not in ("sent", "ambiguous"):
            self.counts["ignored"] += 1
            log.warning("callback for task #%s ignored: the task has no id yet", uid)
            return
        history = self.manager.history
        known = history.candidates(uid)
        fresh = [i for i in named[:3] if i not in known]
        self.counts["candidate"] += 1
        if not fresh:
            return
        history.event(uid, "unresolved", at=self.manager.clock.time(),
                      detail={"candidates": [*known, *fresh], "via": "callback"})  # fmt: skip
        log.warning("callback for task #%s, whose create was not acknowledged, names %s: "
                    "recorded as a candidate; adopt it with `seedance adopt %s` if it is yours",
                    uid, ", ".join(fresh), fresh[0])  # fmt: skip
