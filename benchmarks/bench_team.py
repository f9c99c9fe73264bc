"""A team on one PostgreSQL ledger: 10 members x 100 live tasks against one served simulator.

Members are :class:`~seedance_nb.lifecycle.TaskManager` s in one process, each on its own private
event loop (its own thread) and its own connection pool, so they share nothing but the ledger
and the simulator (served over HTTP on 127.0.0.1, every request counted there). Figures:

- poll requests/min for the 1000 live tasks held by 10 members, against one member holding the
  same 1000 (same ``PollPolicy``: 2 s intervals, 30 requests/min per endpoint); leases keep each
  task with one member and the members split the per-minute rate, so the team asks no more often
  than one member would;
- budget overshoot: every member submits 10 more than a shared daily cap fitting exactly 1000
  tasks allows, all at once;
- hand-over: one member stops dead (no release; it stops renewing); how long until every one of
  its tasks is leased to, and polled by, another member.

A PostgreSQL server is started as in tests/team (Debian's package, run as ``postgres``), unless
``SEEDANCE_BENCH_PG`` names one.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from table import Figure
from wiring import TESTS

from seedance_nb.lifecycle import Budget, PollPolicy, TaskManager
from seedance_nb.lifecycle.history_pg import PostgresHistory
from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import SimulatorConfig

TTL = 3.0  # lease length for the hand-over figure (heartbeat every 1 s)
POLICY = PollPolicy(first=2.0, fraction=0.0, cap=2.0, jitter=0.1, requests_per_minute=30.0)


def _server():
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    from team import pg_server, served

    return pg_server, served


def _members(url: str, home: Path, count: int, budget: Budget | None) -> list[TaskManager]:
    return [
        TaskManager(
            history=PostgresHistory(url, home=home / f"m{i}", member=f"m{i}", pool_size=2),
            poll=POLICY,
            budget=budget or Budget(),
        ).start()
        for i in range(count)
    ]


def _submit_all(members: list[TaskManager], each: int, base_url: str) -> list[list]:
    """Every member submits ``each`` requests at once (a thread each); refusals are counted."""
    done: list[list] = [[] for _ in members]

    def submit(i: int, manager: TaskManager) -> None:
        for n in range(each):
            request = VideoRequest(prompt=f"fox {i}-{n}", resolution="480p", duration=4)
            try:
                done[i].append(manager.submit(request, provider="ark", base_url=base_url))
            except Exception:  # BudgetExceeded: the shared cap said no
                done[i].append(None)

    threads = [threading.Thread(target=submit, args=(i, m)) for i, m in enumerate(members)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done


def _wait(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _polls(counted) -> int:
    return sum(n for (m, p), n in counted.hits.items() if m == "GET" and "/tasks" in p)


def _rate(counted, seconds: float) -> float:
    before = _polls(counted)
    time.sleep(seconds)
    return (_polls(counted) - before) / seconds * 60


def _phase(url: str, base_url: str, counted, home: Path, members: int, tasks: int,
           window: float, *, over: int = 0) -> dict:  # fmt: skip
    tokens = VideoRequest(prompt="fox", resolution="480p", duration=4)
    import seedance_nb as sd

    per = sd.estimate(tokens, "ark").tokens or 1
    budget = Budget(daily_tokens=tasks * per + per // 2) if over else None
    team = _members(url, home, members, budget)
    try:
        handles = _submit_all(team, tasks // members + over, base_url)
        admitted = [t for mine in handles for t in mine if t is not None]
        _wait(lambda: all(t.id for t in admitted), 120)
        time.sleep(TTL)  # a heartbeat or two: the members know how many they are
        result = {"rpm": _rate(counted, window), "admitted": len(admitted), "team": team}
        if members > 1:
            result["handover"] = _handover(team)
        return result
    finally:
        _close(team)


def _close(team: list[TaskManager]) -> None:
    """Close the members side by side (each waits up to 30 s for its loop to stop)."""
    threads = [threading.Thread(target=m.close, daemon=True) for m in team]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=40)


def _handover(team: list[TaskManager]) -> tuple[int, int, float]:
    """Stop one member dead; (its tasks, taken by others, seconds until all were)."""
    victim = team[0]
    mine = [t.uid for t in victim.tasks if not t.done]
    keeper = victim._lease_keeper  # type: ignore[attr-defined]

    async def die() -> None:  # as SIGKILL would: no release, no more renewals or polls
        if keeper._runner is not None:
            keeper._runner.cancel()
        await victim.pollers.close()

    victim.host.run(die())
    keeper.close = _nothing  # its close must not release what it no longer holds
    history = team[1].history
    started = time.monotonic()

    def taken() -> int:  # leased to, owned and run by another member
        rows = [history.row(uid) or {} for uid in mine]
        return sum(1 for r in rows if r.get("owner") not in (None, victim.owner))

    _wait(lambda: taken() == len(mine), 10 * TTL)
    return len(mine), taken(), time.monotonic() - started


async def _nothing() -> None:
    return None


def run(quick: bool = False) -> list[Figure]:
    members, tasks, window = (10, 100, 20.0) if quick else (10, 1000, 60.0)
    pg_server, served = _server()
    os.environ["SEEDANCE_LEASE_TTL"] = str(TTL)
    server = None
    url = os.environ.get("SEEDANCE_BENCH_PG")
    try:
        if not url:
            try:
                server = pg_server.PgServer()
                server.start()
            except pg_server.PgUnavailable as exc:
                return [Figure("team ledger: no PostgreSQL server", "skipped", note=str(exc))]
        # Queued briefly (ModelArk keeps at most 120 queued per account), then running for long.
        config = SimulatorConfig(queue_seconds=0.5, run_seconds=3600, jitter=0.0)
        with served.served(config) as (_sim, base_url, counted), tempfile.TemporaryDirectory() as d:
            one = _phase(server.new_database() if server else url, base_url, counted,
                         Path(d) / "one", 1, tasks, window)  # fmt: skip
            many = _phase(server.new_database() if server else url, base_url, counted,
                          Path(d) / "many", members, tasks, window, over=10)  # fmt: skip
    finally:
        os.environ.pop("SEEDANCE_LEASE_TTL", None)
        if server is not None:
            server.stop()
    ratio = many["rpm"] / one["rpm"] if one["rpm"] else float("nan")
    count, taken, seconds = many["handover"]
    return [
        Figure(
            f"poll requests/min, {tasks} live tasks, 1 member",
            f"{one['rpm']:.1f}",
            "<= 30 (policy)",
            one["rpm"] <= 33,
        ),
        Figure(
            f"poll requests/min, same tasks, {members} members",
            f"{many['rpm']:.1f}",
            "about 1 member's",
            None,
        ),
        Figure(
            f"{members} members / 1 member requests/min",
            f"{ratio:.2f}",
            "~1 (not 10)",
            0.5 <= ratio <= 1.5,
        ),
        Figure(
            "budget overshoot, 10 members submitting at once",
            f"{many['admitted'] - tasks}",
            "0",
            many["admitted"] == tasks,
        ),
        Figure(
            f"leases handed over after a member stops dead (TTL {TTL:g} s)",
            f"{taken}/{count} in {seconds:.1f} s",
            f"all, < {2 * TTL:g} s",
            taken == count and seconds < 2 * TTL,
        ),
    ]
