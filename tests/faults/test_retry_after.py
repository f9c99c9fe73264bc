"""``Retry-After`` is parsed (seconds and HTTP dates), bounded by a cap the error shows, and never
means "at once"; a create refused with 429 again and again ends "rate limited, not sent"."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from seedance_nb.errors import RateLimitError
from seedance_nb.lifecycle import VirtualClock
from seedance_nb.providers.headers import RETRY_AFTER_CAP, retry_after
from seedance_nb.retry import RetryPolicy
from seedance_nb.simulator import Simulator, SimulatorConfig
from seedance_nb.status import Status

from .conftest import MakeManager
from .wire import CREATE_PATHS, Recorder, Sleeps, make_client, small_request


def _date(seconds: float) -> str:
    return format_datetime(datetime.now(timezone.utc) + timedelta(seconds=seconds), usegmt=True)


@pytest.mark.parametrize(
    ("value", "low", "high"),
    [("7", 7, 7), ("2.5", 2.5, 2.5), ("0", 0, 0), ("-3", 0, 0), ("1e9", 120, 120),
     ("inf", 120, 120), ("99999999999999999999", 120, 120), (30, 25, 31),
     (-3600, 0, 0), (10**8, 120, 120), ("Wed, 21 Oct 2015 07:28:00", 0, 0)],
)  # fmt: skip
def test_retry_after_is_parsed_and_capped(value, low, high):
    """Numbers are delta-seconds; ints here stand for an HTTP date that many seconds away."""
    assert RETRY_AFTER_CAP == 120
    value = _date(value) if isinstance(value, int) else value
    got = retry_after({"Retry-After": value})
    assert got is not None and low <= got <= high


@pytest.mark.parametrize("value", ["nan", "soon", "", "   "])
def test_unreadable_retry_after_is_ignored(value):
    assert retry_after({"Retry-After": value}) is None


def _429(value: str) -> httpx.Response:
    return httpx.Response(429, headers={"Retry-After": value},
                          json={"error": {"code": "RateLimitExceeded", "message": "slow down"}})  # fmt: skip


async def test_a_capped_retry_after_is_shown():
    client = make_client("ark", httpx.MockTransport(lambda r: _429("1e9")), attempts=1)
    with pytest.raises(RateLimitError) as caught:
        await client.get("cgt-1")
    assert caught.value.retry_after == RETRY_AFTER_CAP
    assert "1000000000 s" in str(caught.value) and "120 s" in str(caught.value)
    await client.aclose()


@pytest.mark.parametrize("value", ["0", -60])
async def test_zero_or_past_retry_after_still_backs_off(value):
    value = _date(value) if isinstance(value, int) else value
    answers = [
        _429(value),
        _429(value),
        httpx.Response(200, json={"id": "cgt-1", "status": "running"}),
    ]
    sleeps = Sleeps()
    client = make_client("ark", httpx.MockTransport(lambda r: answers.pop(0)), sleeps=sleeps)
    await client.get("cgt-1")
    assert len(sleeps.asked) == 2 and min(sleeps.asked) >= 0.25  # base delay 0.5 s, jittered
    await client.aclose()


async def test_huge_retry_after_on_polls_does_not_stall_the_task(make_manager: MakeManager):
    """``Retry-After: 1e9`` on the list used to silence the endpoint for ~31 years."""
    clock = VirtualClock()
    sim = Simulator(SimulatorConfig(queue_seconds=5, run_seconds=10, jitter=0.0, clock=clock))
    sim.push_scenario(route="list", kind="rate_limit", retry_after=1e9)
    sim.push_scenario(route="get", kind="rate_limit", retry_after=1e9)
    wire = Recorder(httpx.ASGITransport(app=sim.app), clock=clock.time, stub_media=True)
    manager = make_manager(wire, clock=clock)
    task = manager.submit(small_request("ark"), provider="ark")
    await asyncio.wait_for(task._wait_async(None), 60)
    clock.close()
    assert task.status is Status.SUCCEEDED
    assert clock.time() - task.submitted_ts <= RETRY_AFTER_CAP + 60


@pytest.mark.parametrize("value", [0, 1e9])
async def test_create_rate_limited_again_and_again_ends_not_sent(make_manager: MakeManager, value):
    """``Retry-After: 0`` on every create used to send 33 POSTs in 10 s and never stop."""
    clock = VirtualClock()
    sim = Simulator(SimulatorConfig(queue_seconds=1, run_seconds=1, jitter=0.0, clock=clock))
    sim.push_scenario(route="create", kind="rate_limit", count=1000, retry_after=value)
    wire = Recorder(httpx.ASGITransport(app=sim.app), clock=clock.time)
    manager = make_manager(wire, clock=clock)
    task = manager.submit(small_request("ark"), provider="ark")
    # The default backoff (0.5 s doubling), handing every 429 back as the lifecycle does.
    manager.client_for(task).retry = RetryPolicy(max_retry_after=0.0, sleep=clock.sleep)
    await asyncio.wait_for(task._wait_async(None), 60)
    clock.close()
    posts = [e.at for e in wire.log if e.method == "POST" and e.path == CREATE_PATHS["ark"]]
    assert 2 <= len(posts) <= 6
    gaps = [b - a for a, b in itertools.pairwise(posts)]
    assert min(gaps) >= 0.25 and gaps == sorted(gaps) and gaps[-1] >= 2.0, gaps
    assert task.create_state == "not_sent" and task.status is Status.FAILED
    assert task.error_message.startswith("rate limited, not sent")
    assert sim.tasks_created() == 0
