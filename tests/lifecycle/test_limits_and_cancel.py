"""Local queueing in front of the API's limits, and cancelling."""

from __future__ import annotations

import asyncio

import pytest

from seedance_nb.errors import UnsupportedOperation
from seedance_nb.lifecycle import PollPolicy, VirtualClock
from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import Simulator, SimulatorConfig
from seedance_nb.status import Status

from .conftest import MakeManager
from .scripted import ScriptedArk

BASE = "http://127.0.0.1:9/api/v3"


def req(prompt: str = "a red fox") -> VideoRequest:
    return VideoRequest(prompt=prompt, resolution="480p", duration=4)


async def test_concurrency_limit_queues_locally_in_order(make_manager: MakeManager, sim):
    manager = make_manager()
    manager.limiter.configure("ark", model="seedance-2.0", concurrency=2)
    tasks = [manager.submit(req(f"fox {i}"), provider="ark") for i in range(5)]
    await asyncio.sleep(0)
    peak = 0

    def live() -> int:
        # Sent and not finished upstream (downloads do not hold a slot).
        return sum(
            1 for t in tasks if t.create_state != "pending" and not (t.status and t.status.terminal)
        )

    positions = [t.queue_position for t in tasks]
    assert positions[2:] == [0, 1, 2]
    while not all(t.done for t in tasks):
        peak = max(peak, live())
        await asyncio.sleep(0.005)
    assert peak <= 2
    assert all(t.status is Status.SUCCEEDED for t in tasks)
    sent = [manager.history.row(t.uid)["sent_at"] for t in tasks]
    assert sent == sorted(sent)


async def test_account_queue_limit(make_manager: MakeManager):
    sim = Simulator(SimulatorConfig(queue_seconds=0.15, run_seconds=0.05, jitter=0.0))
    import httpx

    manager = make_manager(transport=httpx.ASGITransport(app=sim.app))
    manager.limiter.configure("ark", queued_per_account=2)
    tasks = [manager.submit(req(f"fox {i}"), provider="ark") for i in range(5)]
    peak = 0
    while not all(t.done for t in tasks):
        queued = sum(1 for t in tasks if t.create_state == "sent" or t.status is Status.QUEUED)
        peak = max(peak, queued)
        await asyncio.sleep(0.005)
    assert peak <= 2
    assert all(t.status is Status.SUCCEEDED for t in tasks)


async def test_requests_per_minute(make_manager: MakeManager):
    clock = VirtualClock()
    ark = ScriptedArk(clock)
    ark.creates = [{"id": f"cgt-{i}"} for i in range(4)]
    for i in range(4):
        ark.gets[f"cgt-{i}"] = ["succeeded"]
    manager = make_manager(transport=ark.transport, clock=clock)
    manager.limiter.configure("ark", requests_per_minute=2)
    tasks = [manager.submit(req(f"fox {i}"), provider="ark", base_url=BASE) for i in range(4)]
    await asyncio.wait_for(asyncio.gather(*(t._wait_async(None) for t in tasks)), 20)
    creates = [t for t, m, _ in ark.log if m == "POST"]
    assert len(creates) == 4
    assert creates[2] - creates[0] >= 60 and creates[3] - creates[1] >= 60


async def test_cancel_before_sending_sends_nothing(make_manager: MakeManager, sim):
    manager = make_manager()
    manager.limiter.configure("ark", concurrency=1)
    first = manager.submit(req("first"), provider="ark")
    second = manager.submit(req("second"), provider="ark")
    await asyncio.sleep(0)
    assert second.can_cancel and second.queue_position == 0
    await second.cancel_async()
    await asyncio.wait_for(asyncio.gather(first._wait_async(None), second._wait_async(None)), 20)
    assert second.status is Status.CANCELLED and second.id is None
    assert second.create_state == "not_sent"
    assert sim.tasks_created() == 1 and first.status is Status.SUCCEEDED


async def test_cancel_a_queued_ark_task(make_manager: MakeManager):
    sim = Simulator(SimulatorConfig(queue_seconds=30, run_seconds=30, jitter=0.0))
    import httpx

    manager = make_manager(transport=httpx.ASGITransport(app=sim.app))
    task = manager.submit(req(), provider="ark")
    while task.status is not Status.QUEUED:
        await asyncio.sleep(0.005)
    assert task.can_cancel
    await task.cancel_async()
    await asyncio.wait_for(task._wait_async(None), 20)
    assert task.status is Status.CANCELLED
    assert "cancel_requested" in [e["kind"] for e in manager.history.events(task.uid)]


async def test_cancel_reasons(make_manager: MakeManager):
    sim = Simulator(SimulatorConfig(queue_seconds=0.0, run_seconds=30, jitter=0.0))
    import httpx

    manager = make_manager(transport=httpx.ASGITransport(app=sim.app))
    running = manager.submit(req(), provider="ark")
    other = manager.submit(req(), provider="maxapi")
    while running.status is not Status.RUNNING or other.id is None:
        await asyncio.sleep(0.005)
    assert running.cancel_reason == "ModelArk cannot cancel a running task (only queued ones)"
    assert "no way to cancel" in (other.cancel_reason or "")
    with pytest.raises(UnsupportedOperation, match="running"):
        running.cancel()
    assert not other.can_cancel


async def test_poll_policy_immediate_is_fast():
    policy = PollPolicy.immediate()
    assert policy.interval(10_000) <= 0.05


async def test_tasks_that_start_running_free_the_account_queue(make_manager: MakeManager):
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=30, jitter=0.0))
    import httpx

    manager = make_manager(transport=httpx.ASGITransport(app=sim.app))
    manager.limiter.configure("ark", queued_per_account=2)
    tasks = [manager.submit(req(f"fox {i}"), provider="ark") for i in range(5)]

    async def all_running() -> None:
        while not all(t.status is Status.RUNNING for t in tasks):
            await asyncio.sleep(0.005)

    await asyncio.wait_for(all_running(), 10)
    assert sim.tasks_created() == 5
