"""Local queueing in front of the API's limits: concurrency and creates per minute per
(provider, model), and tasks waiting upstream per account (ModelArk allows 120 queued tasks).

A task that does not fit waits here, in order, with ``task.queue_position`` telling the user where
it stands; nothing is sent until it fits. A 429 on a create pauses that endpoint for at least the
server's ``Retry-After`` and puts the task back at the head of its queue.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..status import Status

if TYPE_CHECKING:
    from .clock import Clock
    from .task import Task

# Tasks a provider lets one account keep queued (FACTS §1.1: ModelArk 120).
ACCOUNT_QUEUE = {"ark": 120}


@dataclass(frozen=True)
class Limits:
    """``None`` means no local limit (the API's own answers still apply)."""

    concurrency: int | None = None  # unfinished tasks per (provider, model)
    requests_per_minute: float | None = None  # creates per (provider, model)
    queued_per_account: int | None = None  # tasks waiting upstream per (provider, base URL)


ModelKey = tuple[str, str, str]  # provider, base URL, model
AccountKey = tuple[str, str]  # provider, base URL


class Limiter:
    """Admits creates in order, within the configured limits.

    >>> manager.limiter.configure("ark", model="seedance-2.0", concurrency=4, requests_per_minute=20)
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._limits: dict[tuple[str, str | None], Limits] = {}
        self._waiting: dict[ModelKey, collections.deque[Task]] = collections.defaultdict(
            collections.deque
        )
        self._live: collections.Counter[ModelKey] = collections.Counter()
        self._queued: collections.Counter[AccountKey] = collections.Counter()
        self._sent: dict[ModelKey, collections.deque[float]] = collections.defaultdict(
            collections.deque
        )
        self._paused: dict[AccountKey, float] = {}
        self._holding: dict[int, tuple[ModelKey, bool]] = {}  # uid -> (key, counted as queued)
        self._changed: asyncio.Future[None] | None = None
        # A team's ledger counts the account's queue and creates per minute over every member
        # (see leases.py): 0 to go (a slot is then held), else seconds until the next look.
        self.account_gate: Callable[[Task], float] | None = None

    # -- configuration --------------------------------------------------------------------------
    def configure(
        self,
        provider: str,
        *,
        model: str | None = None,
        concurrency: int | None = None,
        requests_per_minute: float | None = None,
        queued_per_account: int | None = None,
    ) -> None:
        """Set limits for a provider (``model=None``) or one of its models."""
        current = self._limits.get((provider, model), Limits())
        self._limits[(provider, model)] = replace(
            current,
            concurrency=concurrency if concurrency is not None else current.concurrency,
            requests_per_minute=(
                requests_per_minute
                if requests_per_minute is not None
                else current.requests_per_minute
            ),
            queued_per_account=(
                queued_per_account if queued_per_account is not None else current.queued_per_account
            ),
        )
        self._notify()

    def limits(self, provider: str, model: str | None) -> Limits:
        base = self._limits.get((provider, None), Limits())
        specific = self._limits.get((provider, model)) if model else None
        queued = _first(base.queued_per_account, ACCOUNT_QUEUE.get(provider))
        if specific is None:
            return replace(base, queued_per_account=queued)
        return Limits(
            concurrency=_first(specific.concurrency, base.concurrency),
            requests_per_minute=_first(specific.requests_per_minute, base.requests_per_minute),
            queued_per_account=queued,
        )

    # -- admission ------------------------------------------------------------------------------
    @staticmethod
    def _keys(task: Task) -> tuple[ModelKey, AccountKey]:
        return (task.provider, task.base_url, task.model or ""), (task.provider, task.base_url)

    def position(self, task: Task) -> int | None:
        """How many tasks wait ahead of ``task`` (0 = next), or None if it is not waiting."""
        key, _ = self._keys(task)
        with contextlib.suppress(ValueError):
            return self._waiting[key].index(task)
        return None

    async def acquire(self, task: Task, *, front: bool = False) -> None:
        """Wait until ``task`` may be sent, then count it. Cancel-safe."""
        key, account = self._keys(task)
        queue = self._waiting[key]
        if front:
            queue.appendleft(task)
        else:
            queue.append(task)
        task.notify()
        try:
            while True:
                delay = self._delay(task, key, account)
                if delay == 0:
                    break
                await self._wait(delay)
        finally:
            with contextlib.suppress(ValueError):
                queue.remove(task)
            for waiting in queue:
                waiting.notify()
            self._notify()  # the head of the queue changed: the next one re-checks
        self._live[key] += 1
        self._queued[account] += 1
        self._sent[key].append(self.clock.monotonic())
        self._holding[task.uid] = (key, True)
        task.notify()

    def _delay(self, task: Task, key: ModelKey, account: AccountKey) -> float:
        """0 if ``task`` may go now, else how long until a time limit could ease (inf: an event)."""
        if self._waiting[key][0] is not task:
            return float("inf")
        now = self.clock.monotonic()
        limits = self.limits(task.provider, task.model)
        paused = self._paused.get(account, 0.0) - now
        if paused > 0:
            return paused
        if limits.concurrency is not None and self._live[key] >= limits.concurrency:
            return float("inf")
        if (
            limits.queued_per_account is not None
            and self._queued[account] >= limits.queued_per_account
        ):
            return float("inf")
        if limits.requests_per_minute is not None:
            sent = self._sent[key]
            while sent and now - sent[0] >= 60.0:
                sent.popleft()
            if len(sent) >= limits.requests_per_minute:
                return 60.0 - (now - sent[0])
        if self.account_gate is not None and (shared := self.account_gate(task)) > 0:
            return shared
        return 0.0

    async def _wait(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        if self._changed is None or self._changed.done():
            self._changed = loop.create_future()
        changed = self._changed
        if seconds == float("inf"):
            await asyncio.shield(changed)
            return
        sleeper = loop.create_task(self.clock.sleep(seconds))
        try:
            await asyncio.wait({sleeper, changed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not sleeper.done():
                sleeper.cancel()
                # asyncio.wait, not ``await sleeper``: a cancellation of this task arriving now
                # must propagate, not be taken for the sleeper's own and swallowed.
                await asyncio.wait({sleeper})

    def wake(self) -> None:
        """Let the tasks waiting for their turn check again now (a cancel was asked for)."""
        self._notify()

    def _notify(self) -> None:
        if self._changed is not None and not self._changed.done():
            self._changed.set_result(None)

    # -- release --------------------------------------------------------------------------------
    def adopt(self, task: Task) -> None:
        """Count a task that is already upstream (resumed, attached) without waiting."""
        if task.uid in self._holding:
            return
        key, account = self._keys(task)
        queued = task.status in (None, Status.QUEUED, Status.UNKNOWN)
        self._live[key] += 1
        if queued:
            self._queued[account] += 1
        self._holding[task.uid] = (key, queued)

    def on_status(self, task: Task) -> None:
        """A task moved on: running tasks leave the upstream queue, finished ones free a slot."""
        held = self._holding.get(task.uid)
        if held is None or task.status in (None, Status.QUEUED, Status.UNKNOWN):
            return
        key, queued = held
        if queued:
            self._queued[key[:2]] -= 1
            self._holding[task.uid] = (key, False)
            self._notify()
        if task.status is not None and task.status.terminal:
            self.release(task)

    def release(self, task: Task) -> None:
        """Give back everything ``task`` holds (finished, refused, or never created)."""
        held = self._holding.pop(task.uid, None)
        if held is None:
            return
        key, queued = held
        self._live[key] -= 1
        if queued:
            self._queued[key[:2]] -= 1
        self._notify()

    def pause(self, task: Task, seconds: float) -> None:
        """No create to this endpoint for ``seconds`` (a 429's Retry-After)."""
        _, account = self._keys(task)
        until = self.clock.monotonic() + seconds
        self._paused[account] = max(self._paused.get(account, 0.0), until)
        self._notify()


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)
