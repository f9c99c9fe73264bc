"""A lost create is never reconciled onto a task that may be someone else's.

A colleague's task on the same account (same model and options) must not be adopted as ours when
it was created before our send, when any field the provider echoes differs, or when it is one of
several candidates. The row then stays ``unknown``, lists its candidates, and the user adopts one.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import Simulator, SimulatorConfig
from seedance_nb.status import Status

from .conftest import MakeManager
from .wire import CREATE_PATHS

TASKS = CREATE_PATHS["ark"]
BASE = "http://127.0.0.1:9/api/v3"


class SkewedClock:
    """The simulator's clock: real time plus an offset the test moves."""

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset

    def __call__(self) -> float:
        return time.time() + self.offset


def mine(**options) -> VideoRequest:
    options.setdefault("resolution", "480p")
    options.setdefault("duration", 4)
    return VideoRequest(model="seedance-2.0", prompt="my fox", **options)


def colleague_body(**options) -> dict:
    body = {
        "model": "dreamina-seedance-2-0-260128",
        "content": [{"type": "text", "text": "a colleague's cat"}],
        "resolution": "480p",
        "duration": 4,
    }
    body.update(options)
    return body


class Colleague(httpx.AsyncBaseTransport):
    """The shared account: our creates meet a 502 from a gateway before reaching the API (so
    nothing of ours exists upstream); ``during`` is a colleague's create that lands meanwhile."""

    def __init__(self, sim: Simulator, during: dict | None = None, *, arrives: bool = False):
        self.inner = httpx.ASGITransport(app=sim.app)
        self.during = during
        self.arrives = arrives  # True: our create reaches the API, only its answer is lost

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == TASKS:
            if self.arrives:
                await self.inner.handle_async_request(request)
            if self.during is not None:
                await colleague_creates(self.inner, self.during)
            return httpx.Response(502, content=b"<html><h1>502 Bad Gateway</h1></html>")
        return await self.inner.handle_async_request(request)


async def colleague_creates(transport: httpx.AsyncBaseTransport, body: dict) -> str:
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        answer = await http.post(
            "/contents/generations/tasks", json=body, headers={"Authorization": "Bearer other"}
        )
    assert answer.status_code == 200, answer.text
    return answer.json()["id"]


async def settle(task) -> None:
    await asyncio.wait_for(task._wait_async(None), 20)


async def test_colleague_task_created_before_my_send_is_not_adopted(make_manager: MakeManager):
    clock = SkewedClock()
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.1, jitter=0.0, clock=clock))
    theirs = await colleague_creates(httpx.ASGITransport(app=sim.app), colleague_body())
    clock.offset = 5.0  # five seconds pass on the server before my send
    manager = make_manager(Colleague(sim))
    task = manager.submit(mine(), provider="ark", base_url=BASE)
    await settle(task)
    assert task.id is None and task.status is Status.UNKNOWN
    assert task.create_state == "ambiguous"
    assert theirs not in manager.history.known_ids("ark", BASE)
    assert not task.files


@pytest.mark.parametrize(
    "differs",
    [{"generate_audio": False}, {"service_tier": "flex"}, {"execution_expires_after": 7200},
     {"seed": 8}],
    ids=["audio", "tier", "expiry", "seed"],
)  # fmt: skip
async def test_colleague_task_that_differs_in_an_echoed_field_is_not_adopted(
    make_manager: MakeManager, differs
):
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.1, jitter=0.0))
    name = next(iter(differs))
    mine_too = {"generate_audio": True, "service_tier": "default",
                "execution_expires_after": 3600, "seed": 7}[name]  # fmt: skip
    options = {"seed": 7, name: mine_too}
    body = colleague_body(**{**options, **differs})
    request = mine(**options)
    if name == "service_tier":  # flex is offered on 1.5 pro only
        body.update(model="seedance-1-5-pro-251215", duration=5)
        request = VideoRequest(model="seedance-1.5-pro", prompt="my fox", resolution="480p",
                               duration=5, **options)  # fmt: skip
    manager = make_manager(Colleague(sim, during=body))
    task = manager.submit(request, provider="ark", base_url=BASE)
    await settle(task)
    assert sim.tasks_created() == 1  # the colleague's
    assert task.id is None and task.status is Status.UNKNOWN, task.error_message


async def test_unique_candidate_created_after_send_is_adopted_despite_clock_skew(
    make_manager: MakeManager,
):
    """The server's clock runs two hours ahead of ours: its ``Date`` header bounds the skew, so
    the create that did go through is still recognised and adopted."""
    sim = Simulator(
        SimulatorConfig(queue_seconds=0.05, run_seconds=0.1, jitter=0.0, clock=SkewedClock(7200))
    )
    sim.push_scenario(route="create", kind="lost_response", mode="502")
    manager = make_manager(httpx.ASGITransport(app=sim.app))
    task = manager.submit(mine(seed=11), provider="ark", base_url=BASE)
    await settle(task)
    assert sim.tasks_created() == 1
    assert task.create_state == "reconciled" and task.id == next(iter(sim.store.tasks))
    assert task.status is Status.SUCCEEDED


async def test_two_candidates_stay_unknown_and_the_user_adopts_one(make_manager: MakeManager):
    """My create went through (answer lost) and a colleague's identical one landed meanwhile:
    two candidates, nothing adopted; ``adopt(id)`` settles it and polling takes over."""
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.1, jitter=0.0))
    manager = make_manager(Colleague(sim, during=colleague_body(seed=3), arrives=True))
    task = manager.submit(mine(seed=3), provider="ark", base_url=BASE)
    await settle(task)
    assert sim.tasks_created() == 2
    assert task.id is None and task.status is Status.UNKNOWN
    assert len(task.candidates) == 2
    assert all(c in task.error_message for c in task.candidates)
    first = sorted(task.candidates)[0]
    manager.adopt(first)  # by the candidate's id alone: it belongs to exactly one unknown row
    await settle(task)
    assert task.id == first and task.status is Status.SUCCEEDED


class Hangs(httpx.AsyncBaseTransport):
    """Our create hangs (``arrives``: after reaching the API) until the process ends."""

    def __init__(self, sim: Simulator, *, arrives: bool) -> None:
        self.inner = httpx.ASGITransport(app=sim.app)
        self.arrives = arrives
        self.sent = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == TASKS:
            if self.arrives:
                await self.inner.handle_async_request(request)
            self.sent.set()
            await asyncio.sleep(3600)
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize("arrives", [False, True], ids=["never_created", "created"])
async def test_process_killed_with_the_create_in_flight_never_adopts_a_stranger(
    make_manager: MakeManager, tmp_path, arrives
):
    """The process ends between the send and the id write; the next one resumes the row. A
    colleague's look-alike made before the send is never taken; our own create, if it was made,
    is."""
    clock = SkewedClock()
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.1, jitter=0.0, clock=clock))
    theirs = await colleague_creates(httpx.ASGITransport(app=sim.app), colleague_body(seed=5))
    clock.offset = 4.0
    home = tmp_path / "shared"
    hangs = Hangs(sim, arrives=arrives)
    first = make_manager(hangs, home=home)
    task = first.submit(mine(seed=5), provider="ark", base_url=BASE)
    await asyncio.wait_for(hangs.sent.wait(), 10)
    await first.aclose()  # as if killed: the row says "sent" and holds no id
    assert task.create_state == "sent" and task.id is None

    second = make_manager(httpx.ASGITransport(app=sim.app), home=home)
    [again] = second.resume()
    await settle(again)
    assert again.id != theirs
    if arrives:
        assert again.create_state == "reconciled" and again.status is Status.SUCCEEDED
    else:
        assert again.id is None and again.status is Status.UNKNOWN
        assert again.candidates == (theirs,)  # listed for the user, not adopted


class NoDate(httpx.AsyncBaseTransport):
    """A server (or a proxy) that sends no ``Date`` header: its clock cannot be compared."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        headers = [(k, v) for k, v in response.headers.raw if k.lower() != b"date"]
        return httpx.Response(response.status_code, headers=headers, content=response.content)


async def test_without_a_date_header_nothing_is_adopted_but_candidates_are_listed(
    make_manager: MakeManager,
):
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.1, jitter=0.0))
    manager = make_manager(NoDate(Colleague(sim, arrives=True)))
    task = manager.submit(mine(seed=21), provider="ark", base_url=BASE)
    await settle(task)
    assert sim.tasks_created() == 1
    assert task.id is None and task.status is Status.UNKNOWN
    assert task.candidates == tuple(sim.store.tasks)  # ours, listed for the user to adopt
    assert "Date header" in task.error_message
