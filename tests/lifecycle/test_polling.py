"""Polling against scripted timelines: errors never fail a task, states never go backwards,
Retry-After is always waited out, and one list request serves many ModelArk tasks."""

from __future__ import annotations

import asyncio

import pytest

from seedance_nb.lifecycle import PollPolicy, VirtualClock
from seedance_nb.requests import VideoRequest
from seedance_nb.status import Status

from .conftest import MakeManager
from .scripted import ScriptedArk, error

BASE = "http://127.0.0.1:9/api/v3"


def req(prompt: str = "a red fox") -> VideoRequest:
    return VideoRequest(prompt=prompt, resolution="480p", duration=4)


def statuses(task) -> list[str]:
    seen: list[str] = []

    def record(t) -> None:
        value = t.status.value if t.status else None
        if value and (not seen or seen[-1] != value):
            seen.append(value)

    task.observe(record)
    return seen


async def test_burst_of_5xx_on_polls_never_fails_the_task(make_manager: MakeManager):
    ark = ScriptedArk()
    burst = [error(500), error(502), error(503), error(504)] * 6
    ark.gets["cgt-1"] = ["running", *burst, "running", *burst, "succeeded"]
    manager = make_manager(transport=ark.transport)
    task = manager.submit(req(), provider="ark", base_url=BASE)
    seen = statuses(task)
    await asyncio.wait_for(task._wait_async(None), 20)
    assert task.status is Status.SUCCEEDED
    assert "failed" not in seen and seen == ["queued", "running", "succeeded"]
    events = manager.history.events(task.uid)
    assert not [e for e in events if e["status"] == "failed"]
    assert any(e["kind"] == "poll_error" for e in events)  # recorded, not lost


async def test_state_never_moves_backwards(make_manager: MakeManager):
    ark = ScriptedArk()
    ark.gets["cgt-1"] = ["running", "queued", "running", "queued", "succeeded", "running"]
    manager = make_manager(transport=ark.transport)
    task = manager.submit(req(), provider="ark", base_url=BASE)
    seen = statuses(task)
    await asyncio.wait_for(task._wait_async(None), 20)
    assert seen == ["queued", "running", "succeeded"]


async def test_unknown_status_is_never_success(make_manager: MakeManager):
    ark = ScriptedArk()
    no_video = {"id": "cgt-1", "status": "succeeded", "created_at": 1, "updated_at": 1}
    ark.gets["cgt-1"] = ["suspended", "SUSPENDED", no_video, "running", "mystery", "succeeded"]
    manager = make_manager(transport=ark.transport)
    task = manager.submit(req(), provider="ark", base_url=BASE)
    seen = statuses(task)
    await asyncio.wait_for(task._wait_async(None), 20)
    assert seen == ["queued", "running", "succeeded"]
    assert task.files  # the real success came with its video
    kinds = [e["kind"] for e in manager.history.events(task.uid)]
    assert "unknown_status" in kinds


async def test_terminal_failure_is_recorded_with_its_code(make_manager: MakeManager):
    ark = ScriptedArk()
    failed = {"id": "cgt-1", "status": "failed", "created_at": 1, "updated_at": 1,
              "error": {"code": "OutputVideoSensitiveContentDetected", "message": "moderated"}}  # fmt: skip
    ark.gets["cgt-1"] = ["running", failed]
    manager = make_manager(transport=ark.transport)
    task = manager.submit(req(), provider="ark", base_url=BASE)
    await asyncio.wait_for(task._wait_async(None), 20)
    assert task.status is Status.FAILED and task.error_code == "OutputVideoSensitiveContentDetected"
    assert "cgt-1" in str(task.error) and "ark" in str(task.error)
    with pytest.raises(type(task.error)):
        task.result()
    assert ark.count("GET", ".mp4") == 0


@pytest.mark.parametrize("retry_after", [5.0, 110.0])  # inside the client's retry / handed back
async def test_create_429_is_never_retried_early(make_manager: MakeManager, retry_after):
    clock = VirtualClock()
    ark = ScriptedArk(clock)
    ark.creates = [
        error(429, "RateLimitExceeded.EndpointRPMExceeded", retry_after),
        {"id": "cgt-1"},
    ]
    ark.gets["cgt-1"] = ["succeeded"]
    manager = make_manager(transport=ark.transport, clock=clock)
    task = manager.submit(req(), provider="ark", base_url=BASE)
    await asyncio.wait_for(task._wait_async(None), 20)
    creates = [t for t, m, _ in ark.log if m == "POST"]
    assert len(creates) == 2
    assert creates[1] - creates[0] >= retry_after
    assert task.status is Status.SUCCEEDED


@pytest.mark.parametrize("retry_after", [20.0, 110.0])
async def test_poll_429_is_never_retried_early(make_manager: MakeManager, retry_after):
    clock = VirtualClock()
    ark = ScriptedArk(clock)
    ark.gets["cgt-1"] = ["running", error(429, "ServerOverloaded", retry_after), "succeeded"]
    manager = make_manager(transport=ark.transport, clock=clock)
    task = manager.submit(req(), provider="ark", base_url=BASE)
    await asyncio.wait_for(task._wait_async(None), 20)
    polls = [t for t, m, p in ark.log if m == "GET" and "/contents/" in p]
    refused = polls[1]
    assert all(t >= refused + retry_after for t in polls[2:])
    assert task.status is Status.SUCCEEDED


async def test_one_list_request_polls_many_tasks(make_manager: MakeManager):
    clock = VirtualClock()
    ark = ScriptedArk(clock)
    ark.creates = [{"id": f"cgt-{i}"} for i in range(30)]
    for i in range(30):
        ark.gets[f"cgt-{i}"] = ["running"] * 6 + ["succeeded"]
    policy = PollPolicy(first=2.0, cap=60.0, jitter=0.0, requests_per_minute=None)
    manager = make_manager(transport=ark.transport, clock=clock, poll=policy)
    tasks = [manager.submit(req(f"fox {i}"), provider="ark", base_url=BASE) for i in range(30)]
    await asyncio.wait_for(asyncio.gather(*(t._wait_async(None) for t in tasks)), 30)
    assert all(t.status is Status.SUCCEEDED for t in tasks)
    lists = ark.count("GET", "/contents/generations/tasks")
    singles = sum(1 for _, m, p in ark.log if m == "GET" and "/tasks/cgt-" in p)
    assert singles == 0
    # 30 tasks × 7 polls each = 210 gets if polled singly.
    assert lists <= 40


async def test_interval_grows_with_age_up_to_the_cap():
    policy = PollPolicy(first=2.0, fraction=0.1, cap=60.0, jitter=0.2)
    assert 1.6 <= policy.interval(0) <= 2.0
    assert 24.0 <= policy.interval(300) <= 30.0
    assert 48.0 <= policy.interval(3 * 3600) <= 60.0
    fixed = PollPolicy(jitter=0.0)
    assert [fixed.interval(a) for a in (0, 100, 1000)] == [2.0, 10.0, 60.0]


async def test_requests_per_minute_over_a_simulated_hour(make_manager: MakeManager):
    """60 tasks of an hour each, on the default policy: list requests stay few."""
    clock = VirtualClock()
    ark = ScriptedArk(clock)
    ark.creates = [{"id": f"cgt-{i}"} for i in range(60)]
    manager = make_manager(transport=ark.transport, clock=clock, poll=PollPolicy())
    tasks = [manager.submit(req(f"fox {i}"), provider="ark", base_url=BASE) for i in range(60)]
    for i in range(60):
        ark.gets[f"cgt-{i}"] = ["running"]
    await clock.run_for(3600)
    polls = [t for t, m, p in ark.log if m == "GET" and "/contents/" in p]
    late = [t for t in polls if t - polls[0] > 600]  # steady state
    per_minute = len(late) / ((polls[-1] - polls[0] - 600) / 60)
    assert per_minute <= 10, per_minute
    assert all(t.status is Status.RUNNING for t in tasks)
