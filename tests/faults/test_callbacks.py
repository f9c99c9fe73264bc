"""Replayed and forged callbacks: a callback only makes a task be polled (at most once per
``min_gap``); what the poll answers is what counts. The receiver listens on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from seedance_nb.lifecycle import PollPolicy
from seedance_nb.simulator import Simulator, SimulatorConfig
from seedance_nb.status import Status

from .conftest import MakeManager
from .wire import Recorder, small_request

# Polls come only from rings (and the first poll at once): the next scheduled one is 10 min away.
SLOW_POLLS = PollPolicy(first=600, cap=600, jitter=0.0, min_gap=0.25, requests_per_minute=None)
SETTLE = 0.6  # seconds: more than min_gap, so a rung poll has happened
LIST = "/api/v3/contents/generations/tasks"


def polls(wire: Recorder) -> int:
    return sum(1 for e in wire.log if e.method == "GET" and e.path.startswith(LIST))


@contextlib.asynccontextmanager
async def ticking(sim: Simulator) -> AsyncIterator[None]:
    """Deliver the simulator's callbacks as a served simulator would (in-process has no ticker)."""

    async def tick() -> None:
        while True:
            await sim.tick(wait=False)
            await asyncio.sleep(0.02)

    ticker = asyncio.ensure_future(tick())
    try:
        yield
    finally:
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker
        await sim.callbacks.drain()


async def _setup(make_manager: MakeManager, queue: float = 30.0, run: float = 30.0):
    sim = Simulator(SimulatorConfig(queue_seconds=queue, run_seconds=run, jitter=0.0))
    wire = Recorder(httpx.ASGITransport(app=sim.app), stub_media=True)
    manager = make_manager(wire, poll=SLOW_POLLS)
    bell = await manager.open_doorbell()
    task = manager.submit(small_request("ark"), provider="ark")
    while task.status is None:
        await asyncio.sleep(0.01)
    while polls(wire) == 0:  # the first poll comes at once
        await asyncio.sleep(0.01)
    return sim, wire, manager, bell, task


def forged(task_id: str) -> dict[str, Any]:
    return {
        "id": task_id,
        "model": "dreamina-seedance-2-0-260128",
        "status": "succeeded",
        "content": {"video_url": "http://attacker.example/evil.mp4"},
        "usage": {"completion_tokens": 1, "total_tokens": 1},
    }


async def test_forged_success_only_triggers_a_poll(make_manager: MakeManager):
    sim, wire, _, bell, task = await _setup(make_manager)
    before = polls(wire)
    async with httpx.AsyncClient() as http:
        answer = await http.post(bell.url, json=forged(task.id))
    assert answer.status_code == 200
    await asyncio.sleep(SETTLE)
    assert polls(wire) == before + 1  # the callback rang: one poll, at once
    assert task.status is Status.QUEUED  # the poll's answer counts, not the callback's claim
    assert not task.assets and not task.files
    assert all("evil" not in e.path for e in wire.log)
    assert sim.tasks_created() == 1


async def test_replayed_callbacks_are_rate_limited_per_task(make_manager: MakeManager):
    _, wire, _, bell, task = await _setup(make_manager)
    before = polls(wire)
    body = json.dumps(forged(task.id)).encode()
    started = asyncio.get_running_loop().time()
    async with httpx.AsyncClient() as http:
        for _ in range(40):
            await http.post(bell.url, content=body, headers={"content-type": "application/json"})
        spent = asyncio.get_running_loop().time() - started
    await asyncio.sleep(SETTLE)
    # At most one poll per min_gap while the replays lasted, plus one.
    assert 1 <= polls(wire) - before <= 2 + spent / SLOW_POLLS.min_gap
    assert task.status is Status.QUEUED
    assert bell.received == 40


@pytest.mark.parametrize(
    ("how", "status"),
    [("wrong_token", 404), ("get", 405), ("oversized", 413), ("not_json", 400),
     ("unknown_task", 200), ("array", 200)],
)  # fmt: skip
async def test_bad_callbacks_change_nothing(make_manager: MakeManager, how, status):
    _, wire, _, bell, task = await _setup(make_manager)
    before = polls(wire)
    url = bell.url
    async with httpx.AsyncClient() as http:
        if how == "wrong_token":
            answer = await http.post(url[:-4] + "AAAA", json=forged(task.id))
        elif how == "get":
            answer = await http.get(url)
        elif how == "oversized":
            answer = await http.post(url, content=b"{" + b" " * (bell.max_body + 10) + b"}")
        elif how == "not_json":
            answer = await http.post(url, content=b'{"id": "' + task.id.encode())
        elif how == "unknown_task":
            answer = await http.post(url, json=forged("cgt-20260528000000-nope0"))
        else:
            answer = await http.post(url, json=[forged(task.id)])
    assert answer.status_code == status
    await asyncio.sleep(SETTLE)
    assert polls(wire) == before
    assert task.status is Status.QUEUED and bell.rang == 0


async def test_genuine_callback_detects_completion_and_replays_change_nothing(
    make_manager: MakeManager,
):
    sim, wire, manager, bell, task = await _setup(make_manager, queue=0.2, run=0.3)
    async with ticking(sim):
        await asyncio.wait_for(task._wait_async(None), 15)  # next scheduled poll: 10 min away
        # The "running" ring's GET may already find the task done; the simulator's own
        # "succeeded" delivery can land a moment later on a busy machine: wait for it.
        for _ in range(200):
            if any(d["ok"] and d["phase"] == "succeeded" for d in sim.callbacks.log):
                break
            await asyncio.sleep(0.05)
    assert task.status is Status.SUCCEEDED and task.files
    assert bell.rang >= 1
    delivered = [d for d in sim.callbacks.log if d["ok"]]
    assert {d["phase"] for d in delivered} >= {"succeeded"}
    events_before = len(manager.history.events(task.uid))
    polls_before = polls(wire)
    # Replay the genuine callback bodies, and a stale "running" one, after the fact.
    async with httpx.AsyncClient() as http:
        for status in ("running", "succeeded", "queued"):
            await http.post(bell.url, json={"id": task.id, "status": status})
    await asyncio.sleep(SETTLE)
    assert task.status is Status.SUCCEEDED
    assert polls(wire) == polls_before  # a finished task is no longer polled
    assert len(manager.history.events(task.uid)) == events_before
    assert sim.tasks_created() == 1
