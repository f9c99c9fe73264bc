"""The poll scheduler of one provider endpoint: which tasks to ask about, when, and how.

See :mod:`.polling` for the policy. Requests run as their own asyncio tasks so one slow answer
never holds up the schedule; every failure reschedules the task and none changes its status.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..callbacks.backoff import first_poll, safety_net
from ..errors import NotFoundError, RateLimitError, SeedanceError
from ..status import TaskSnapshot
from .alarm import Alarm, cancel_all
from .polling import PollPolicy, RequestBucket

if TYPE_CHECKING:
    from ..client import AsyncSeedance
    from .clock import Clock
    from .loop import LoopHost
    from .task import Task

log = logging.getLogger("seedance_nb.lifecycle")


@dataclass(eq=False)
class _Entry:
    task: Task
    due: float
    interval: float = 0.0
    last: float | None = None
    errors: int = 0
    not_found: int = 0
    in_flight: bool = False
    use_get: bool = False
    rang: bool = False


class Poller:
    """Polls every live task of one client (provider + base URL) on one schedule."""

    def __init__(
        self,
        client: AsyncSeedance,
        policy: PollPolicy,
        clock: Clock,
        host: LoopHost,
        *,
        apply: Callable[[Task, TaskSnapshot], bool],
        trouble: Callable[[Task, BaseException, bool], None],
        gone: Callable[[Task, BaseException], None],
        batch: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext,
    ) -> None:
        self.client = client
        self.policy = policy
        self.clock = clock
        self.host = host
        self._apply = apply
        self._trouble = trouble
        self._gone = gone
        self._batch = batch
        self._entries: dict[int, _Entry] = {}
        self._by_id: dict[str, _Entry] = {}
        self._paused_until = 0.0
        self._bucket = RequestBucket(policy.requests_per_minute)
        self._alarm = Alarm(self.clock.sleep)
        self._runner: asyncio.Task[None] | None = None
        self._requests: set[asyncio.Task[None]] = set()
        self.requests_sent = 0  # for benchmarks and tests

    @property
    def batched(self) -> bool:
        return bool(getattr(self.client.adapter, "has_list", False))

    def __len__(self) -> int:
        return len(self._entries)

    # -- membership -----------------------------------------------------------------------------
    def watch(self, task: Task) -> None:
        """Start polling ``task`` (its ``id`` must be set); the first poll comes at once (after
        the callback safety net if its create carried a callback URL)."""
        assert task.id is not None
        if task.uid in self._entries:
            return
        entry = _Entry(task, due=self.clock.monotonic() + first_poll(self.policy, task))
        self._entries[task.uid] = entry
        self._by_id[task.id] = entry
        self._kick()

    def quiet_for(self) -> float:
        """Seconds until this endpoint may be asked again (a 429's Retry-After), else 0."""
        return max(0.0, self._paused_until - self.clock.monotonic())

    def pause(self, seconds: float) -> None:
        """No poll to this endpoint for ``seconds`` (a 429 seen elsewhere on it)."""
        self._paused_until = max(self._paused_until, self.clock.monotonic() + seconds)
        for entry in self._entries.values():
            entry.due = max(entry.due, self._paused_until)

    def forget(self, task: Task) -> None:
        entry = self._entries.pop(task.uid, None)
        if entry is not None and task.id is not None:
            self._by_id.pop(task.id, None)

    def ring(self, task_id: str) -> bool:
        """Poll this task now (a callback arrived); False if we are not polling it."""
        entry = self._by_id.get(task_id)
        if entry is None:
            return False
        if entry.in_flight:
            entry.rang = True  # the answer on its way may predate the news: ask again after it
            return True
        now = self.clock.monotonic()
        soonest = now if entry.last is None else max(now, entry.last + self.policy.min_gap)
        # A ring never cuts short a 429's Retry-After.
        entry.due = min(entry.due, max(soonest, self._paused_until))
        self._kick()
        return True

    def _kick(self) -> None:
        self._alarm.ring()
        if self._runner is None or self._runner.done():
            self._runner = self.host.start(self._run(), name=f"poll-{self.client.provider}")

    async def close(self) -> None:
        await cancel_all([self._runner, *self._requests])

    # -- the schedule ---------------------------------------------------------------------------
    async def _run(self) -> None:
        while self._entries:
            now = self.clock.monotonic()
            wait = self._paused_until - now
            idle = [e for e in self._entries.values() if not e.in_flight]
            if wait <= 0:
                if not idle:
                    wait = float("inf")
                elif (earliest := min(e.due for e in idle)) > now:
                    wait = earliest - now
                elif len(self._requests) >= self.policy.max_in_flight:
                    wait = float("inf")
                else:
                    wait = self._bucket.wait_time(now)
                    if wait <= 0:
                        self._dispatch(now, idle)
                        await asyncio.sleep(0)
                        continue
            await self._alarm.sleep(wait)

    def _dispatch(self, now: float, idle: list[_Entry]) -> None:
        due = sorted((e for e in idle if e.due <= now), key=lambda e: e.due)
        if self.batched:
            listed = [e for e in due if not e.use_get]
            if listed:
                # Tasks due soon ride along for free in the same list request.
                riders = [
                    e
                    for e in idle
                    if e.due > now
                    and not e.use_get
                    and e.due - self.policy.coalesce * e.interval <= now
                ]
                group = (listed + sorted(riders, key=lambda e: e.due))[: self.policy.batch_size]
                self._send(self._poll_list(group), group)
                return
        self._send(self._poll_one(due[0]), [due[0]])

    def _send(self, coro: Any, entries: list[_Entry]) -> None:
        for entry in entries:
            entry.in_flight = True
        self._bucket.take()
        self.requests_sent += 1
        request = self.host.start(coro, name="poll-request")
        self._requests.add(request)
        request.add_done_callback(self._requests.discard)

    # -- requests -------------------------------------------------------------------------------
    async def _poll_one(self, entry: _Entry) -> None:
        task = entry.task
        try:
            snapshot = await self.client.get(task.id or "")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # every failure reschedules; none is lost
            self._failed([entry], exc)
        else:
            entry.not_found = 0
            self._got(entry, snapshot)
        finally:
            entry.in_flight = False
            self._kick()

    async def _poll_list(self, group: list[_Entry]) -> None:
        ids = [e.task.id or "" for e in group]
        try:
            snapshots = await self.client.list(task_ids=ids, page_size=max(len(ids), 10))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if isinstance(exc, (RateLimitError, NotFoundError)):
                self._failed(group, exc)
            else:
                # A list we cannot read (one odd item spoils it): ask about each task singly.
                for entry in group:
                    entry.use_get = True
                    entry.due = max(self.clock.monotonic(), self._paused_until)
                self._failed(group, exc, reschedule=False)
        else:
            found = {s.id: s for s in snapshots or ()}
            with self._batch():  # one history transaction for the whole answer
                for entry in group:
                    snapshot = found.get(entry.task.id or "")
                    if snapshot is None:
                        entry.use_get = True
                        entry.due = max(self.clock.monotonic(), self._paused_until)
                    else:
                        self._got(entry, snapshot)
        finally:
            for entry in group:
                entry.in_flight = False
            self._kick()

    def _got(self, entry: _Entry, snapshot: TaskSnapshot) -> None:
        now = self.clock.monotonic()
        entry.last, entry.errors = now, 0
        entry.use_get = False
        if entry.task.uid not in self._entries:
            return
        try:
            finished = self._apply(entry.task, snapshot)
        except Exception:  # a bug in applying must not stop polling the others
            log.exception("applying a poll result for task %s failed", entry.task.id)
            finished = False
        if finished:
            self.forget(entry.task)
            return
        entry.interval = self.policy.interval(self.clock.time() - entry.task.submitted_ts)
        entry.interval = max(entry.interval, safety_net(self.policy, entry.task))  # callbacks
        entry.due = max(now + entry.interval, self._paused_until)
        if entry.rang:
            entry.rang = False
            entry.due = min(entry.due, max(now + self.policy.min_gap, self._paused_until))

    def _failed(self, group: list[_Entry], exc: BaseException, *, reschedule: bool = True) -> None:
        now = self.clock.monotonic()
        if isinstance(exc, RateLimitError):
            # Never earlier than the server asked, for every task on this endpoint.
            self.pause(
                exc.retry_after if exc.retry_after is not None else self.policy.error_delay(1)
            )
        for entry in group:
            entry.last = now
            if isinstance(exc, NotFoundError) and len(group) == 1:
                entry.not_found += 1
                if entry.not_found >= self.policy.not_found_limit:
                    self.forget(entry.task)
                    self._gone(entry.task, exc)
                    continue
            entry.errors += 1
            if reschedule:
                entry.due = max(entry.due, now + self.policy.error_delay(entry.errors))
            entry.due = max(entry.due, self._paused_until)
            if not isinstance(exc, SeedanceError):
                log.error("polling task %s failed unexpectedly", entry.task.id, exc_info=exc)
            self._trouble(entry.task, exc, entry.errors == 1)
