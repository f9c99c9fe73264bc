"""Resume: a new manager continues what an ended one left, without resending or losing anything."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import httpx
import pytest

from seedance_nb.client import AsyncSeedance
from seedance_nb.errors import SeedanceError
from seedance_nb.lifecycle import History
from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import Simulator, SimulatorConfig
from seedance_nb.status import Status

from .conftest import MakeManager


def req(prompt: str = "a red fox") -> VideoRequest:
    return VideoRequest(prompt=prompt, resolution="480p", duration=4)


async def wait_all(tasks, timeout: float = 20.0) -> None:
    await asyncio.wait_for(asyncio.gather(*(t._wait_async(None) for t in tasks)), timeout)


async def test_resume_finishes_what_a_closed_manager_left(make_manager: MakeManager, tmp_path):
    sim = Simulator(SimulatorConfig(queue_seconds=0.1, run_seconds=0.2, jitter=0.0))
    wire = httpx.ASGITransport(app=sim.app)
    home = tmp_path / "shared"
    first = make_manager(transport=wire, home=home)
    first.limiter.configure("ark", concurrency=2)
    submitted = [first.submit(req(f"fox {i}"), provider="ark") for i in range(4)]
    while not any(t.status is Status.RUNNING for t in submitted):
        await asyncio.sleep(0.005)
    await first.aclose()  # as if the kernel died: two sent, two still in the local queue
    assert {t.create_state for t in submitted} == {"acknowledged", "pending"}

    second = make_manager(transport=wire, home=home)
    resumed = second.resume()
    assert sorted(t.uid for t in resumed) == [t.uid for t in submitted]
    await wait_all(resumed)
    assert all(t.status is Status.SUCCEEDED and t.files for t in resumed)
    assert sim.tasks_created() == 4  # nothing sent twice
    ids = {t.id for t in resumed}
    assert ids == set(sim.store.tasks)
    # Nothing left to resume.
    assert second.resume() == resumed or all(t.done for t in second.resume())


async def test_create_in_flight_when_the_process_ended_is_reconciled(
    make_manager: MakeManager, sim, tmp_path
):
    home = tmp_path / "shared"
    sim.push_scenario(route="create", kind="lost_response", mode="timeout", delay=30.0)
    first = make_manager(home=home)
    task = first.submit(req(), provider="ark")
    while sim.tasks_created() == 0:
        await asyncio.sleep(0.005)
    await first.aclose()  # the create reached the server; its answer never came back
    assert task.create_state == "sent" and task.id is None

    second = make_manager(home=home)
    [again] = second.resume()
    await wait_all([again])
    assert again.id == next(iter(sim.store.tasks)) and again.status is Status.SUCCEEDED
    assert sim.tasks_created() == 1


async def test_stale_unsent_request_is_not_sent_on_resume(make_manager: MakeManager, sim, tmp_path):
    home = tmp_path / "shared"
    first = make_manager(home=home)
    first.limiter.configure("ark", concurrency=0)  # nothing may leave the local queue
    task = first.submit(req(), provider="ark")
    await asyncio.sleep(0.01)
    await first.aclose()
    with sqlite3.connect(first.history.db_path) as conn:
        conn.execute("UPDATE tasks SET submitted_at = submitted_at - 7200 WHERE uid = ?",
                     (task.uid,))  # fmt: skip
    second = make_manager(home=home)
    [again] = second.resume()
    assert again.status is Status.CANCELLED and again.create_state == "not_sent" and again.done
    assert sim.tasks_created() == 0


async def test_tasks_of_a_live_manager_are_left_alone(make_manager: MakeManager, tmp_path):
    home = tmp_path / "shared"
    first = make_manager(home=home)
    first.limiter.configure("ark", concurrency=0)
    first.submit(req(), provider="ark")
    second = make_manager(home=home)
    assert second.resume() == []
    assert second.resume(force=True) != []


async def test_from_id_attaches_and_polls(make_manager: MakeManager, sim):
    raw = AsyncSeedance("ark", transport=httpx.ASGITransport(app=sim.app))
    created = await raw.create(req())
    await raw.aclose()
    manager = make_manager()
    task = manager.attach("ark", created.task_id)
    assert task.id == created.task_id and task.create_state == "attached"
    await wait_all([task])
    assert task.status is Status.SUCCEEDED and task.files
    assert manager.attach("ark", created.task_id) is task
    assert manager.task(created.task_id) is task and manager.task(task.uid) is task


async def test_two_writers_at_once(tmp_path):
    """Two connections (two kernels) writing the same history concurrently."""
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        history = History(tmp_path)
        try:
            for i in range(150):
                uid = history.insert({"provider": "ark", "base_url": "x", "phase": "polling",
                                      "create_state": "acknowledged", "id": f"{name}-{i}",
                                      "tags": "[]", "submitted_at": float(i)}, at=float(i))  # fmt: skip
                history.update(uid, {"status": "running"}, at=float(i), event="status")
        except BaseException as exc:
            errors.append(exc)
        finally:
            history.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b", "c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    history = History(tmp_path)
    assert len(history.frame()) == 450
    assert len(history.events()) == 900
    with sqlite3.connect(history.db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_a_task_run_elsewhere_is_a_snapshot_until_taken_over(
    make_manager: MakeManager, sim, tmp_path
):
    home = tmp_path / "shared"
    first = make_manager(home=home)
    first.limiter.configure("ark", concurrency=0)  # keeps it in the local queue
    task = first.submit(req(), provider="ark")
    second = make_manager(home=home)
    seen = second.task(task.uid)
    assert seen is not task and seen.owned_elsewhere == first.owner and not seen.done
    with pytest.raises(SeedanceError, match="another process"):
        await seen
    await first.aclose()  # the owner ends: now it can be taken over, on the same handle
    [taken] = second.resume()
    assert taken is seen and seen.owned_elsewhere is None
    await asyncio.wait_for(seen._wait_async(None), 20)
    assert seen.status is Status.SUCCEEDED and sim.tasks_created() == 1
