"""Who polls a live task on a team's ledger: a lease that lapses when its holder dies.

On a shared history (PostgreSQL, ``HistoryStore.shared``) every unfinished task is run — created,
reconciled, polled, downloaded — by exactly one member at a time, the holder of its lease
(``tasks.lease_owner`` / ``lease_until``):

- a member's new row is leased to it as it is inserted, for one lease length
  (``$SEEDANCE_LEASE_TTL``, default 30 s);
- each member's :class:`LeaseKeeper` renews all its leases in one statement every third of that
  (a heartbeat), releases those of settled tasks, and gives up every lease when its manager
  closes;
- a member killed outright stops renewing; once its leases lapse, the next sweep of any other
  member takes them (``FOR UPDATE SKIP LOCKED``, so two sweeping members never take the same row)
  and continues each task where the ledger says it is: a never-sent request is sent once, a lost
  create is reconciled, a live task is polled, a finished one's files are saved;
- ``resume()`` and ``task()`` take a row only if its lease is free, lapsed, or held by a process
  of this machine that has ended; otherwise the handle follows the ledger
  (``task.owned_elsewhere``);
- a member that finds a task's lease taken from it (it was suspended past the lease) stops
  running that task.

The account's limits are shared through the ledger too: the queued-task cap (ModelArk: 120 tasks
waiting per account) and a model's creates per minute (``limiter.configure(...,
requests_per_minute=)``: a sliding window over the rows' ``sent_at``) are counted over every
member's rows, in one short locked transaction before each create
(:meth:`~.history_store.HistoryStore.reserve_queue_slot`); the poll requests per minute of
:class:`~.polling.PollPolicy` are split evenly between the members holding leases (counted at
each heartbeat), so the team together keeps to one member's rate.

On SQLite (one person's kernels) nothing changes: a row belongs to its ``owner`` while that
process is alive.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from .lease_claim import lease_ttl, take_row

if TYPE_CHECKING:
    from .services import Services
    from .task import Task

__all__ = ["LeaseKeeper", "lease_ttl", "start", "stop", "take_row"]

log = logging.getLogger("seedance_nb.lifecycle")

SWEEP_LIMIT = 500  # rows taken over per sweep at most
SLOT_HOLD = 60.0  # seconds a queue slot is held for a create about to go out
SLOT_RETRY = 1.0  # seconds between looks at a full account queue


def start(manager: Services) -> None:
    """Start (or restart, on a new loop) the manager's lease keeper, on a shared history."""
    if not manager.history.shared:
        return
    keeper: LeaseKeeper | None = getattr(manager, "_lease_keeper", None)
    if keeper is None:
        keeper = LeaseKeeper(manager)
        manager._lease_keeper = keeper  # type: ignore[attr-defined]
        manager.limiter.account_gate = keeper.account_gate
    keeper.start()


async def stop(manager: Services) -> None:
    """Stop renewing and give up every lease (another member's sweep continues the tasks)."""
    keeper: LeaseKeeper | None = getattr(manager, "_lease_keeper", None)
    if keeper is not None:
        await keeper.close()


class LeaseKeeper:
    """Renews one manager's leases, takes over lapsed ones, shares the request rate."""

    def __init__(self, manager: Services, ttl: float | None = None) -> None:
        self.manager = manager
        self.ttl = ttl if ttl is not None else lease_ttl()
        self.heartbeat = self.ttl / 3
        self.members = 1  # members holding leases, at the last heartbeat
        self.taken_over: list[int] = []  # uids taken from lapsed leases (for tests, benchmarks)
        self._rate = manager.poll_policy.requests_per_minute
        self._runner: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.manager.host.call(self._start_on_loop)

    def _start_on_loop(self) -> None:
        host, runner = self.manager.host, self._runner
        # Not running yet, or running on a loop that has gone (a restarted kernel loop).
        if runner is None or runner.done() or runner.get_loop() is not host.loop:
            self._runner = host.start(self._run(), name="seedance-leases")

    async def close(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            runner.cancel()
            if runner.get_loop() is asyncio.get_running_loop():
                await asyncio.wait({runner})  # never swallows a cancellation of the caller
        try:
            self.manager.history.release_leases(self.manager.owner)
        except Exception:
            log.exception("releasing polling leases failed")

    async def _run(self) -> None:
        while True:
            try:
                self.beat()
            except Exception:  # the ledger is unreachable: try again at the next heartbeat
                log.exception("renewing polling leases failed")
            await asyncio.sleep(self.heartbeat)

    def beat(self) -> None:
        """One heartbeat: renew (one statement), let go of lost tasks, share the rate, sweep."""
        history, me = self.manager.history, self.manager.owner
        held = history.renew_leases(me, ttl=self.ttl)
        for task in self._running():
            if task.uid not in held:
                self._lost(task)
        self.members = max(1, history.lease_holders())
        self._share_rate()
        self.sweep()

    def sweep(self) -> list[Task]:
        """Take over the unfinished tasks whose lease is free or has lapsed."""
        from .reconcile import take_over

        manager = self.manager
        taken = []
        for row in manager.history.take_leases(manager.owner, ttl=self.ttl, limit=SWEEP_LIMIT):
            current = manager.history.row(row["uid"])
            if current is None or current.get("lease_owner") != manager.owner:
                continue
            current["owner"] = row.get("owner")  # who it is taken from, for the event
            task = take_over(manager, current, force=True)
            if task is not None:
                log.info("task #%s: taken over from %s (lease lapsed)", task.uid, row["owner"])
                self.taken_over.append(task.uid)
                taken.append(task)
        return taken

    def _running(self) -> list[Task]:
        return [
            t
            for t in list(self.manager.handles.values())
            if not t.done and not t.owned_elsewhere and self.manager.running(t)
        ]

    def _lost(self, task: Task) -> None:
        """Another member holds this task's lease now: stop running it here."""
        row = self.manager.history.row(task.uid)
        if row is None or row.get("phase") == "done":
            return
        holder = row.get("lease_owner")
        if holder is None:  # released, not taken: hold it again
            if self.manager.history.take_lease(
                task.uid, self.manager.owner, expected=(None, row.get("lease_until")),
                ttl=self.ttl,
            ):  # fmt: skip
                return
            holder = (self.manager.history.row(task.uid) or {}).get("lease_owner")
        log.warning("task #%s: its lease went to %s; no longer polled here", task.uid, holder)
        task.owned_elsewhere = holder or "another member"
        self.manager.stop_run(task)  # nothing more is written for it here
        for poller in self.manager.pollers:
            poller.forget(task)
        self.manager.limiter.release(task)
        task.notify()

    def _share_rate(self) -> None:
        """Each member polls at most its share of the configured requests per minute."""
        if self._rate is None:
            return
        share = self._rate / self.members
        for poller in self.manager.pollers:
            poller._bucket.rate = share  # the poller's token bucket (see polling.RequestBucket)

    def account_gate(self, task: Task) -> float:
        """0 when the account's queue and the model's creates per minute, counted over every
        member, have room for ``task`` (a slot is then held for it); else seconds until the
        next look."""
        limits = self.manager.limiter.limits(task.provider, task.model)
        cap, rate = limits.queued_per_account, limits.requests_per_minute
        if cap is None and rate is None:
            return 0.0
        try:
            room = self.manager.history.reserve_queue_slot(
                task.uid, task.provider, task.base_url, cap, hold=SLOT_HOLD,
                per_minute=(task.model or "", rate) if rate is not None else None,
            )  # fmt: skip
        except Exception:
            log.exception("counting the account's queued tasks in the history failed")
            return SLOT_RETRY
        return 0.0 if room else SLOT_RETRY
