"""Time for the task lifecycle, injectable so hours of polling can be simulated in seconds.

Everything in :mod:`seedance_nb.lifecycle` asks a :class:`Clock` for the time and for sleeps; the
default is the system clock. :class:`VirtualClock` moves time forward only when the event loop has
nothing left to do, jumping straight to the next sleeper's deadline::

    clock = VirtualClock()
    manager = TaskManager(clock=clock, ...)
    sim = Simulator(SimulatorConfig(clock=clock))   # the same clock drives the simulator
    await clock.run_for(4 * 3600)                   # four hours of polling, in seconds of real time
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Protocol


class Clock(Protocol):
    """Wall time for records, monotonic time for schedules, and an awaitable sleep."""

    def time(self) -> float: ...
    def monotonic(self) -> float: ...
    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


# 2026-05-28, the same "now" the simulator's manual clock starts at.
VIRTUAL_START = 1_780_000_000.0


class VirtualClock:
    """Simulated time: sleeps end in deadline order as soon as the event loop is idle.

    ``clock()`` returns the current simulated epoch seconds, so the object can also be handed to
    the simulator as its clock. Only in-process work is seen as "busy": use it with in-process
    transports (``httpx.ASGITransport``, ``MockTransport``), not with real sockets.
    """

    def __init__(self, start: float = VIRTUAL_START) -> None:
        self.now = float(start)
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._driver: asyncio.Task[None] | None = None
        self._new: asyncio.Future[None] | None = None

    def __call__(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._timers, (self.now + seconds, next(self._seq), future))
        self._ensure_driver(loop)
        if self._new is not None and not self._new.done():
            self._new.set_result(None)
        await future

    async def run_for(self, seconds: float) -> None:
        """Let simulated time pass by ``seconds`` (other tasks run meanwhile)."""
        await self.sleep(seconds)

    def close(self) -> None:
        if self._driver is not None:
            self._driver.cancel()
            self._driver = None

    def _ensure_driver(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._driver is None or self._driver.done() or self._driver.get_loop() is not loop:
            self._driver = loop.create_task(self._drive(), name="virtual-clock")

    async def _drive(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await _settle(loop)
            while self._timers and self._timers[0][2].done():  # cancelled sleeps
                heapq.heappop(self._timers)
            if not self._timers:
                self._new = loop.create_future()
                await self._new
                self._new = None
                continue
            deadline = self._timers[0][0]
            self.now = max(self.now, deadline)
            while self._timers and self._timers[0][0] <= self.now:
                _, _, future = heapq.heappop(self._timers)
                if not future.done():
                    future.set_result(None)


async def _settle(loop: asyncio.AbstractEventLoop, rounds: int = 3) -> None:
    """Yield until no callback is ready to run for ``rounds`` checks in a row."""
    quiet = 0
    spins = 0
    while quiet < rounds and spins < 10_000:
        await asyncio.sleep(0)
        spins += 1
        ready = getattr(loop, "_ready", None)
        # Our own wake-up is the only thing left when the loop is otherwise idle.
        quiet = quiet + 1 if ready is None or len(ready) == 0 else 0
