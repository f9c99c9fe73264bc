"""Managers and clients wired to an in-process simulator, and a transport that counts requests."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from seedance_nb.client import AsyncSeedance
from seedance_nb.lifecycle import TaskManager
from seedance_nb.lifecycle.clock import Clock, SystemClock
from seedance_nb.retry import RetryPolicy
from seedance_nb.simulator import Simulator

# Environment that would send requests elsewhere or change the history folder.
KEY_ENV = ("ARK_API_KEY", "MAXAPI_KEY", "MAXAPI_API_KEY", "SEEDANCE_PROVIDER",
           "SEEDANCE_BASE_URL", "SEEDANCE_HOME")  # fmt: skip
TESTS = Path(__file__).resolve().parent.parent / "tests"
MP4_STUB = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


class Counting(httpx.AsyncBaseTransport):
    """Counts requests (by method and path kind) with their time on ``clock``.

    ``stub_media`` answers media downloads with a tiny MP4 so that figures about the API
    conversation do not pay for rendering video.
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        clock: Callable[[], float] = time.monotonic,
        *,
        stub_media: bool = False,
    ) -> None:
        self.inner = inner
        self.clock = clock
        self.stub_media = stub_media
        self.log: list[tuple[float, str, str]] = []  # (at, method, kind)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.startswith("/sim/media/"):
            kind = "media"
        elif request.method == "POST":
            kind = "create"
        elif request.url.params.get_list("filter.task_ids"):
            kind = "list"
        else:
            kind = "get"
        self.log.append((self.clock(), request.method, kind))
        if self.stub_media and kind == "media":
            return httpx.Response(200, content=MP4_STUB, headers={"content-type": "video/mp4"})
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def manager_on(
    sim: Simulator,
    home: Path,
    *,
    clock: Clock | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    **kwargs: Any,
) -> TaskManager:
    """A manager whose clients all talk to ``sim`` in-process (or through ``transport``)."""
    clock = clock or SystemClock()
    wire = transport or httpx.ASGITransport(app=sim.app)

    def factory(settings: Any) -> AsyncSeedance:
        return AsyncSeedance(settings=settings, transport=wire,
                             retry=RetryPolicy(sleep=clock.sleep))  # fmt: skip

    return TaskManager(home, clock=clock, client_factory=factory, **kwargs)


class LagMeter:
    """How late ``asyncio.sleep(interval)`` wakes up: the kernel's responsiveness."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.lags.append(max(0.0, time.perf_counter() - start - self.interval))

    def start(self) -> None:
        self.lags = []
        self._task = asyncio.get_running_loop().create_task(self._tick())

    async def stop(self) -> list[float]:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        return self.lags


def durability_harness() -> ModuleType:
    """tests/durability/harness.py: the served simulator and the SIGKILL trials, shared with the
    durability tests."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    from durability import harness

    return harness
