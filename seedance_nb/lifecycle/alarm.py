"""The alarm of a background loop: sleep until a deadline or until someone rings.

The poller and the download queue are both loops that sleep until their next due time and are
woken early when work arrives; this is that one mechanism.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable


class Alarm:
    """``await alarm.sleep(seconds)`` returns after ``seconds`` or at the next :meth:`ring`."""

    def __init__(self, sleep: Callable[[float], Awaitable[None]]) -> None:
        self._clock_sleep = sleep
        self._bell: asyncio.Future[None] | None = None

    def ring(self) -> None:
        if self._bell is not None and not self._bell.done():
            self._bell.set_result(None)

    async def sleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self._bell = loop.create_future()
        if seconds == float("inf"):
            await self._bell
            return
        sleeper: asyncio.Future[None] = asyncio.ensure_future(self._clock_sleep(seconds))
        try:
            await asyncio.wait({sleeper, self._bell}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not sleeper.done():
                sleeper.cancel()
                # asyncio.wait, not ``await sleeper``: a cancellation of this task arriving now
                # must propagate, not be taken for the sleeper's own and swallowed.
                await asyncio.wait({sleeper})


async def cancel_all(tasks: Iterable[asyncio.Task[object] | None]) -> None:
    """Cancel the background tasks that are still running and wait until they have stopped."""
    running = [task for task in tasks if task is not None and not task.done()]
    for task in running:
        task.cancel()
    if running:
        await asyncio.gather(*running, return_exceptions=True)
