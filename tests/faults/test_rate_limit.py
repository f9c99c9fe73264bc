"""429 storms with ``Retry-After``: never retried early, never a duplicate, never a lost task."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from seedance_nb.errors import RateLimitError
from seedance_nb.lifecycle import PollPolicy, VirtualClock
from seedance_nb.simulator import Simulator, SimulatorConfig
from seedance_nb.status import Status

from .conftest import MakeManager
from .wire import CREATE_PATHS, PROVIDERS, Recorder, Sleeps, make_client, small_request


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_read_storm_is_waited_out_in_full(sim, provider):
    client0 = make_client(provider, httpx.ASGITransport(app=sim.app))
    created = await client0.create(small_request(provider))
    sim.push_scenario(route="get", kind="rate_limit", count=3, retry_after=7, provider=provider)
    sleeps = Sleeps()
    wire = Recorder(httpx.ASGITransport(app=sim.app))
    client = make_client(provider, wire, sleeps=sleeps)
    snapshot = await client.get(created.task_id)
    assert snapshot.id == created.task_id
    assert wire.count("GET") == 4
    assert len(sleeps.asked) == 3 and min(sleeps.asked) >= 7  # never earlier than asked


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_create_storm_is_waited_out_and_makes_one_task(sim, provider):
    sim.push_scenario(route="create", kind="rate_limit", count=3, retry_after=5, provider=provider)
    sleeps = Sleeps()
    wire = Recorder(httpx.ASGITransport(app=sim.app))
    client = make_client(provider, wire, sleeps=sleeps)
    await client.create(small_request(provider))
    assert wire.count("POST", CREATE_PATHS[provider]) == 4  # a 429 created nothing: safe to resend
    assert sim.tasks_created(provider) == 1
    assert min(sleeps.asked) >= 5


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_storm_longer_than_the_attempts_raises_with_the_hint(sim, provider):
    sim.push_scenario(route="get", kind="rate_limit", count=50, retry_after=3, provider=provider)
    wire = Recorder(httpx.ASGITransport(app=sim.app))
    client = make_client(provider, wire, attempts=4)
    with pytest.raises(RateLimitError) as caught:
        await client.get("whatever")
    assert caught.value.retry_after == 3 and caught.value.status_code == 429
    assert caught.value.provider == provider
    assert wire.count("GET") == 4


async def test_retry_after_beyond_the_clients_patience_is_handed_back_at_once(sim):
    sim.push_scenario(route="get", kind="rate_limit", retry_after=3600)
    sleeps = Sleeps()
    wire = Recorder(httpx.ASGITransport(app=sim.app))
    client = make_client("ark", wire, sleeps=sleeps)
    with pytest.raises(RateLimitError) as caught:
        await client.get("cgt-1")
    assert caught.value.retry_after == 120  # asked 3600 s: capped at RETRY_AFTER_CAP
    assert wire.count("GET") == 1 and sleeps.asked == []


async def test_retry_after_as_an_http_date_is_honoured():
    when = datetime.now(timezone.utc) + timedelta(seconds=30)
    answers = [
        httpx.Response(429, headers={"Retry-After": format_datetime(when, usegmt=True)},
                       json={"error": {"code": "RateLimitExceeded", "message": "slow"}}),
        httpx.Response(200, json={"id": "cgt-1", "status": "running"}),
    ]  # fmt: skip
    sleeps = Sleeps()
    client = make_client("ark", httpx.MockTransport(lambda r: answers.pop(0)), sleeps=sleeps)
    snapshot = await client.get("cgt-1")
    assert snapshot.status is Status.RUNNING
    assert sleeps.asked and sleeps.asked[0] >= 25  # the date is ~30 s away (minus test time)


def _inside_windows(log, routes: set[tuple[str, str]], retry_after: float) -> list[str]:
    """Requests to ``routes`` (method, path) started after a 429 answer there arrived and before its
    ``Retry-After`` was over: the server asked for silence on that endpoint and did not get it."""
    early = []
    for hit in log:
        if (hit.method, hit.path) not in routes or hit.status != 429 or hit.done is None:
            continue
        for later in log:
            if (
                later.method,
                later.path,
            ) in routes and hit.done < later.at < hit.done + retry_after:
                early.append(f"{later.method} {later.path} +{later.at - hit.done:.1f}s")
    return early


async def _storm(make_manager: MakeManager, provider: str, poll_route: str):
    """Twelve tasks on the default poll policy, fake clock; 429 storms on creates and polls."""
    clock = VirtualClock()
    sim = Simulator(SimulatorConfig(queue_seconds=30, run_seconds=120, jitter=0.2, clock=clock))
    sim.push_scenario(route="create", kind="rate_limit", count=4, retry_after=20)
    sim.push_scenario(route=poll_route, kind="rate_limit", count=6, retry_after=45)
    wire = Recorder(httpx.ASGITransport(app=sim.app), clock=clock.time, stub_media=True)
    manager = make_manager(wire, clock=clock, poll=PollPolicy())
    tasks = [manager.submit(small_request(provider, f"fox {i}"), provider=provider)
             for i in range(12)]  # fmt: skip
    await asyncio.wait_for(asyncio.gather(*(t._wait_async(None) for t in tasks)), 120)
    clock.close()
    return sim, wire, tasks


STORMS = [("ark", "list"), ("maxapi", "get")]


@pytest.mark.parametrize(("provider", "poll_route"), STORMS)
async def test_storms_lose_nothing_and_duplicate_nothing(
    make_manager: MakeManager, provider, poll_route
):
    sim, wire, tasks = await _storm(make_manager, provider, poll_route)
    assert sum(1 for e in wire.log if e.status == 429) == 10  # every storm answer was seen
    assert all(t.status is Status.SUCCEEDED and t.files for t in tasks)
    assert sim.tasks_created(provider) == 12
    assert sorted(t.id for t in tasks) == sorted(sim.store.tasks)
    # The same request is never repeated before its Retry-After is over.
    for i, hit in enumerate(wire.log):
        if hit.status == 429 and hit.done is not None:
            again = [e for e in wire.log[i + 1 :] if (e.method, e.path, e.query) ==
                     (hit.method, hit.path, hit.query) and e.at > hit.done]  # fmt: skip
            wait = 20 if hit.method == "POST" else 45
            assert not again or again[0].at >= hit.done + wait


@pytest.mark.parametrize(("provider", "poll_route"), STORMS)
async def test_retry_after_silences_the_whole_endpoint(
    make_manager: MakeManager, provider, poll_route
):
    """A 429 is about the endpoint (the account's rate), not about one request: until its
    Retry-After is over, no other poll (and no other create) should go to that endpoint."""
    _, wire, _ = await _storm(make_manager, provider, poll_route)
    polled = {("GET", e.path) for e in wire.log if e.method == "GET" and "/sim/" not in e.path}
    early_polls = _inside_windows(wire.log, polled, 45)
    early_creates = _inside_windows(wire.log, {("POST", CREATE_PATHS[provider])}, 20)
    assert (early_polls[:5], len(early_polls)) == ([], 0)
    assert (early_creates[:5], len(early_creates)) == ([], 0)
