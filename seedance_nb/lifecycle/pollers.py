"""The manager's side of polling: one scheduler per endpoint, and what a poll's outcome does.

A task being polled waits here until it reaches a terminal state or is found gone upstream.
Transient trouble is shown on the task (``task.poll_error``), logged once per streak and recorded
as a ``poll_error`` event; it never changes the task's status.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..callbacks.backoff import follow_callbacks
from .poller import Poller
from .snapshots import apply_event, apply_snapshot
from .transitions import Event

if TYPE_CHECKING:
    from .services import Services
    from .task import Task

log = logging.getLogger("seedance_nb.lifecycle")

EndpointKey = tuple[str, str, bool]


def _key(task: Task) -> EndpointKey:
    return (task.provider, task.base_url, task.simulated)


class Pollers:
    def __init__(self, manager: Services) -> None:
        self.manager = manager
        self._pollers: dict[EndpointKey, Poller] = {}
        self._waiting: dict[int, asyncio.Future[None]] = {}

    def __iter__(self) -> Iterator[Poller]:
        return iter(list(self._pollers.values()))

    def for_task(self, task: Task) -> Poller:
        poller = self._pollers.get(_key(task))
        if poller is None:
            manager = self.manager
            poller = self._pollers[_key(task)] = Poller(
                manager.client_for(task),
                manager.poll_policy,
                manager.clock,
                manager.host,
                apply=lambda t, snap: apply_snapshot(manager, t, snap),
                trouble=self._trouble,
                gone=self._gone,
                batch=self._history_batch,
            )
        return poller

    async def until_done(self, task: Task) -> None:
        """Poll ``task`` until it is terminal (or gone upstream)."""
        future = self.manager.host.loop.create_future()
        self._waiting[task.uid] = future
        follow_callbacks(self.manager, task)  # callbacks: the ledger may move it first
        self.for_task(task).watch(task)
        await future

    def finished(self, task: Task) -> None:
        future = self._waiting.pop(task.uid, None)
        if future is not None and not future.done():
            future.set_result(None)

    def ring(self, task: Task) -> None:
        poller = self._pollers.get(_key(task))
        if poller is not None and task.id is not None:
            poller.ring(task.id)

    def ring_id(self, task_id: str) -> bool:
        """A callback named ``task_id``: poll it now if we are polling it anywhere."""
        return any(poller.ring(task_id) for poller in self)

    def quiet_for(self, task: Task) -> float:
        """Seconds until polls to this task's endpoint are allowed again (after a 429)."""
        poller = self._pollers.get(_key(task))
        return poller.quiet_for() if poller is not None else 0.0

    def forget_all(self) -> None:
        """Drop the schedulers (they belong to an event loop that has gone)."""
        self._pollers.clear()
        self._waiting.clear()

    async def close(self) -> None:
        for poller in self:
            await poller.close()
        self._pollers.clear()

    # -- what a poll's outcome does -------------------------------------------------------------
    def _trouble(self, task: Task, exc: BaseException, first: bool) -> None:
        task.poll_error = str(exc) or type(exc).__name__
        if first:
            log.warning("polling task %s: %s (will retry)", task.id, task.poll_error)
            self.manager.recorder.event(task, "poll_error", {"error": task.poll_error})
        task.notify()

    def _gone(self, task: Task, exc: BaseException) -> None:
        why = f"{task.provider} no longer knows this task (deleted, or past its retention): {exc}"
        apply_event(self.manager, task, Event("gone", message=why))
        self.finished(task)

    @contextlib.contextmanager
    def _history_batch(self) -> Iterator[None]:
        """One history transaction for all the changes one poll answer brings."""
        history = self.manager.history
        try:
            batch = history.batch()
            batch.__enter__()
        except Exception:  # no transaction to be had: the writes go one by one
            log.exception("batching history writes failed")
            yield
            return
        try:
            yield
        finally:
            try:
                batch.__exit__(None, None, None)
            except Exception:
                log.exception("writing to the history at %s failed", history.location)
