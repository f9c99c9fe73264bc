"""Change notices on a shared PostgreSQL ledger: a teammate's task stays live in this kernel.

Two members in one process (each its own manager and connections, as two kernels would have):
ada submits and runs a task on the simulator, bo holds a handle on it and only listens.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from managers import build_manager

from seedance_nb.lifecycle import TaskManager
from seedance_nb.notebook.task_card import TaskCard
from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import ManualClock, Simulator, SimulatorConfig
from seedance_nb.status import Status

QUEUE, RUN = 10.0, 10.0  # simulator seconds; the simulator's clock moves only when told


class Counting(httpx.AsyncBaseTransport):
    """The simulator's transport, counting the requests one member sends."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.requests = inner, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return await self.inner.handle_async_request(request)


async def until(predicate: Callable[[], Any], what: str, timeout: float = 20.0) -> None:
    """Wait (without blocking the loop) until ``predicate()`` is true; fail naming ``what``."""
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    pytest.fail(f"timed out waiting until {what}")


def listening(manager: TaskManager) -> bool:
    listener = manager.notices.listener
    return listener is not None and listener.listening.is_set()


def notice_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("seedance-notices")]


@pytest.fixture
def sim() -> tuple[Simulator, ManualClock]:
    clock = ManualClock()
    config = SimulatorConfig(queue_seconds=QUEUE, run_seconds=RUN, jitter=0.0, clock=clock)
    return Simulator(config), clock


def members(pg_url: str, tmp_path: Path, sim: Simulator, monkeypatch) -> tuple[Any, Any, Counting]:
    transport = httpx.ASGITransport(app=sim.app)
    monkeypatch.setenv("SEEDANCE_HOME", str(tmp_path / "ada"))
    ada = build_manager(pg_url, transport)
    monkeypatch.setenv("SEEDANCE_MEMBER", "bo")
    monkeypatch.setenv("SEEDANCE_HOME", str(tmp_path / "bo"))
    counting = Counting(transport)
    bo = build_manager(pg_url, counting)
    return ada, bo, counting


def statuses(seen: list[Any]) -> list[str | None]:
    """The distinct statuses in the order observed."""
    out: list[str | None] = []
    for status in seen:
        if not out or out[-1] != status:
            out.append(status)
    return out


async def test_a_teammates_task_reaches_this_kernel_without_polling(
    pg_url, tmp_path, sim, monkeypatch
):
    simulator, clock = sim
    ada, bo, bo_transport = members(pg_url, tmp_path, simulator, monkeypatch)
    try:
        task = ada.submit(VideoRequest(prompt="a red fox", duration=4), provider="ark")
        await until(lambda: task.status is Status.QUEUED, "ada's task is queued")
        mirror = bo.task(task.uid)
        assert mirror is not task and mirror.owned_elsewhere == ada.owner
        assert mirror.status is Status.QUEUED
        seen: list[Any] = []
        mirror.observe(lambda t: seen.append(t.status and t.status.value))
        card = TaskCard(mirror)  # the card a cell shows in bo's notebook
        drawn: list[str] = []
        card.observe(lambda change: drawn.append(change["new"]), names=["status"])
        await until(lambda: listening(bo), "bo listens")

        clock.advance(QUEUE + 0.5)
        await until(lambda: mirror.status is Status.RUNNING, "bo's card shows running")
        clock.advance(RUN)
        done = await asyncio.wait_for(mirror, 30)  # follows ada's run to its end

        assert done is mirror and mirror.done and task.done
        assert statuses(seen)[-2:] == ["running", "succeeded"]
        assert "queued" not in statuses(seen)[1:]  # each transition once, in order
        assert mirror.files == task.files and mirror.files[0].is_file()
        assert mirror.owned_elsewhere is None
        assert drawn[-2:] == ["running", "succeeded"] and card.status == "succeeded"
        card.close()
        assert bo_transport.requests == 0  # bo never asked the provider
        assert simulator.tasks_created() == 1
    finally:
        await ada.aclose()
        await bo.aclose()


async def test_own_writes_are_not_taken_for_a_teammates(pg_url, tmp_path, sim, monkeypatch):
    simulator, clock = sim
    ada, bo, _ = members(pg_url, tmp_path, simulator, monkeypatch)
    foreign_ada: list[int | None] = []
    foreign_bo: list[int | None] = []
    try:
        ada.start(), bo.start()
        await until(lambda: listening(ada) and listening(bo), "both listen")
        ada.notices.subscribe(foreign_ada.append)
        bo.notices.subscribe(foreign_bo.append)
        task = ada.submit(VideoRequest(prompt="a red fox", duration=4), provider="ark")
        await until(lambda: task.status is Status.QUEUED, "ada's task is queued")
        clock.advance(QUEUE + RUN + 1)
        await asyncio.wait_for(task, 30)
        await until(lambda: foreign_bo and foreign_bo[-1] == task.uid, "bo heard the last write")
        await until(lambda: ada.notices.own >= 5, "ada heard its own writes")
        assert foreign_ada == []  # ada's own writes never come back as a teammate's change
        assert ada.notices.applied == 0
        assert set(foreign_bo) == {task.uid}
        assert list(bo.notices.unseen)[-1] == task.uid  # bo has no handle: kept for a gallery
    finally:
        await ada.aclose()
        await bo.aclose()


async def test_the_listener_survives_a_dropped_connection_and_catches_up(
    pg_url, tmp_path, sim, monkeypatch
):
    simulator, clock = sim
    ada, bo, bo_transport = members(pg_url, tmp_path, simulator, monkeypatch)
    try:
        task = ada.submit(VideoRequest(prompt="a red fox", duration=4), provider="ark")
        await until(lambda: task.status is Status.QUEUED, "ada's task is queued")
        mirror = bo.task(task.uid)
        await until(lambda: listening(bo), "bo listens")
        listener = bo.notices.listener
        assert listener is not None
        listener.first_pause = 3.0  # the outage lasts while ada's task finishes unheard
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (listener.backend_pid,))
        await until(lambda: not listening(bo), "bo's listening connection is gone")
        clock.advance(QUEUE + RUN + 1)
        await asyncio.wait_for(task, 30)
        assert not listening(bo) and not mirror.done  # ada finished while bo could not hear
        await asyncio.wait_for(mirror, 30)  # caught up after the reconnect
        assert mirror.status is Status.SUCCEEDED and mirror.files[0].is_file()
        assert listener.drops == 1 and listening(bo)
        later = ada.submit(VideoRequest(prompt="a grey fox", duration=4), provider="ark")
        await until(lambda: later.uid in bo.notices.unseen, "bo hears new writes again")
        assert bo_transport.requests == 0
    finally:
        await ada.aclose()
        await bo.aclose()


async def test_closing_the_manager_stops_its_listener(pg_url, tmp_path, sim, monkeypatch):
    simulator, _ = sim
    ada, bo, _ = members(pg_url, tmp_path, simulator, monkeypatch)
    before = set(notice_threads())
    ada.start(), bo.start()
    await until(lambda: listening(ada) and listening(bo), "both listen")
    assert len(set(notice_threads()) - before) == 2
    await ada.aclose()
    await bo.aclose()
    assert set(notice_threads()) - before == set()


async def test_a_sqlite_history_has_no_listener_and_snapshots_stay_snapshots(
    tmp_path, sim, monkeypatch
):
    simulator, _ = sim
    ada, bo, _ = members(str(tmp_path / "h.sqlite3"), tmp_path, simulator, monkeypatch)
    try:
        task = ada.submit(VideoRequest(prompt="a red fox", duration=4), provider="ark")
        await until(lambda: task.status is Status.QUEUED, "ada's task is queued")
        mirror = bo.task(task.uid)
        assert mirror.owned_elsewhere == ada.owner
        assert ada.notices.listener is None and bo.notices.listener is None
        with pytest.raises(Exception, match="being run by another process"):
            await mirror
    finally:
        await ada.aclose()
        await bo.aclose()


async def test_a_task_another_member_took_over_is_followed_here(pg_url, tmp_path, sim, monkeypatch):
    simulator, clock = sim
    ada, bo, _ = members(pg_url, tmp_path, simulator, monkeypatch)
    try:
        task = ada.submit(VideoRequest(prompt="a red fox", duration=4), provider="ark")
        await until(lambda: task.status is Status.QUEUED, "ada's task is queued")
        await until(lambda: listening(ada), "ada listens")
        seen: list[Any] = []
        task.observe(lambda t: seen.append(t.status and t.status.value))
        [taken] = bo.resume(force=True)  # bo runs it from now on
        assert taken.uid == task.uid
        await until(lambda: task.owned_elsewhere == bo.owner, "ada sees bo took it over")
        assert not ada.running(task)  # ada stopped running it
        clock.advance(QUEUE + RUN + 1)
        await asyncio.wait_for(taken, 30)
        await asyncio.wait_for(task, 30)  # ada's handle follows bo's run to its end
        assert task.status is Status.SUCCEEDED and task.files == taken.files
        assert statuses(seen)[-1] == "succeeded"
        assert simulator.tasks_created() == 1
    finally:
        await ada.aclose()
        await bo.aclose()


def test_a_script_on_a_private_loop_follows_a_teammates_task(pg_url, tmp_path, sim, monkeypatch):
    simulator, clock = sim
    before = set(notice_threads())
    ada, bo, bo_transport = members(pg_url, tmp_path, simulator, monkeypatch)

    def wait_for(predicate: Callable[[], Any], what: str) -> None:
        for _ in range(1000):
            if predicate():
                return
            time.sleep(0.02)
        pytest.fail(f"timed out waiting until {what}")

    try:
        task = ada.submit(VideoRequest(prompt="a red fox", duration=4), provider="ark")
        wait_for(lambda: task.status is Status.QUEUED, "ada's task is queued")
        mirror = bo.task(task.uid)  # no running loop here: bo runs on a private one
        assert bo.host.is_private and mirror.owned_elsewhere == ada.owner
        wait_for(lambda: listening(bo), "bo listens")
        clock.advance(QUEUE + RUN + 1)
        assert mirror.wait(timeout=30) is mirror
        assert mirror.status is Status.SUCCEEDED and mirror.files == task.files
        assert bo_transport.requests == 0
    finally:
        ada.close()
        bo.close()
    assert set(notice_threads()) - before == set()


async def test_a_followed_task_whose_owner_ended_is_continued_here(
    pg_url, tmp_path, sim, monkeypatch
):
    simulator, clock = sim
    ada, bo, bo_transport = members(pg_url, tmp_path, simulator, monkeypatch)
    try:
        task = ada.submit(VideoRequest(prompt="a red fox", duration=4), provider="ark")
        await until(lambda: task.status is Status.QUEUED, "ada's task is queued")
        mirror = bo.task(task.uid)
        assert mirror.owned_elsewhere == ada.owner
        await ada.aclose()  # ada's kernel ends with the task unfinished
        # bo's listener looks at the owners of followed tasks every 5 s
        await until(lambda: mirror.owned_elsewhere is None, "bo continues it", timeout=30)
        assert bo.running(mirror)
        clock.advance(QUEUE + RUN + 1)
        await asyncio.wait_for(mirror, 30)  # nobody waits for ever on a gone owner
        assert mirror.status is Status.SUCCEEDED and mirror.files[0].is_file()
        assert bo_transport.requests > 0 and simulator.tasks_created() == 1
    finally:
        await ada.aclose()
        await bo.aclose()
