"""The alarm the poller and the download queue sleep on: stopping them always stops them."""

from __future__ import annotations

import asyncio

import pytest

from seedance_nb.lifecycle.alarm import Alarm


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
