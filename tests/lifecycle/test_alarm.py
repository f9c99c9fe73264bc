"""The alarm the poller and the download queue sleep on: stopping them always stops them."""

from __future__ import annotations

import asyncio

import pytest

from seedance_nb.lifecycle.alarm import Alarm
from seedance_nb.lifecycle.clock import SystemClock
from seedance_nb.lifecycle.limiter import Limiter


@pytest.mark.parametrize("steps", range(8))
async def test_a_cancel_arriving_as_the_alarm_wakes_is_never_lost(steps: int):
    # A poller woken by a ring and stopped (manager.close()) a moment later: the stop used to be
    # taken for the alarm's own sleeper being cancelled, and the loop went on sleeping.
    alarm = Alarm(asyncio.sleep)

    async def poll_forever() -> None:
        while True:
            await alarm.sleep(30)

    task = asyncio.get_running_loop().create_task(poll_forever())
    await asyncio.sleep(0)
    alarm.ring()
    for _ in range(steps):
        await asyncio.sleep(0)
    task.cancel()
    await asyncio.wait({task}, timeout=5)
    stopped = task.cancelled()
    if not task.done():  # do not leave it behind when the check fails
        task.cancel()
        await asyncio.wait({task}, timeout=5)
    assert stopped


@pytest.mark.parametrize("steps", range(8))
async def test_a_cancel_arriving_as_the_limiter_wakes_is_never_lost(steps: int):
    # The same pattern in the local queue: a task waiting for its turn, woken (a cancel was asked
    # for elsewhere) and stopped a moment later by manager.close().
    limiter = Limiter(SystemClock())

    async def wait_forever() -> None:
        while True:
            await limiter._wait(30)

    task = asyncio.get_running_loop().create_task(wait_forever())
    await asyncio.sleep(0)
    limiter.wake()
    for _ in range(steps):
        await asyncio.sleep(0)
    task.cancel()
    await asyncio.wait({task}, timeout=5)
    stopped = task.cancelled()
    if not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=5)
    assert stopped
