"""Pieces the fault, canary and durability suites share: a recording transport, recorded sleeps,
clients wired to the in-process simulator, and one small valid request per dialect."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from seedance_nb.client import AsyncSeedance, Timeouts
from seedance_nb.requests import ImageRequest, VideoRequest
from seedance_nb.retry import RetryPolicy

# Environment that would change where requests go or which key is sent.
KEY_ENV = ("ARK_API_KEY", "MAXAPI_KEY", "MAXAPI_API_KEY", "SEEDANCE_PROVIDER", "SEEDANCE_BASE_URL",
           "SEEDANCE_HOME", "SEEDANCE_BUDGET_SESSION", "SEEDANCE_BUDGET_DAILY",
           "SEEDANCE_BUDGET_SESSION_TOKENS", "SEEDANCE_BUDGET_DAILY_TOKENS")  # fmt: skip

PROVIDERS = ("ark", "maxapi", "maxapi-openai")
# Where each dialect lives on the simulator (one origin serves all three).
BASES = {
    "ark": "http://sim.test/api/v3",
    "maxapi": "http://sim.test",
    "maxapi-openai": "http://sim.test",
}
# The create route of each dialect, for counting POSTs.
CREATE_PATHS = {
    "ark": "/api/v3/contents/generations/tasks",
    "maxapi": "/api/v1/task/submit",
    "maxapi-openai": "/v1/videos/generations",
}


def small_request(provider: str, prompt: str = "a red fox in snow") -> VideoRequest:
    """A cheap valid video request for ``provider`` (480p, 4 s)."""
    model = "seedance-2.0-fast" if provider == "maxapi-openai" else "seedance-2.0"
    return VideoRequest(model=model, prompt=prompt, resolution="480p", duration=4)


def small_image(prompt: str = "a red fox") -> ImageRequest:
    return ImageRequest(model="seedream-4.5", prompt=prompt)


@dataclass
class Exchange:
    at: float
    method: str
    path: str
    query: str
    status: int | None  # None: no answer came back (the transport raised)
    error: str | None = None
    done: float | None = None  # when the answer's head arrived


# The smallest file the downloader accepts as an MP4 (an ``ftyp`` box).
MP4_STUB = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


@dataclass
class Recorder(httpx.AsyncBaseTransport):
    """Wraps a transport and logs every exchange: ``(at, method, path, query, status)``.

    ``stub_media=True`` answers the simulator's media URLs with a tiny MP4 instead of rendering
    real video, for tests about the API conversation rather than the files.
    """

    inner: httpx.AsyncBaseTransport
    clock: Callable[[], float] = time.monotonic
    log: list[Exchange] = field(default_factory=list)
    stub_media: bool = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        entry = Exchange(
            self.clock(), request.method, request.url.path, request.url.query.decode(), None
        )
        self.log.append(entry)
        try:
            if self.stub_media and request.url.path.startswith("/sim/media/"):
                response = httpx.Response(
                    200, content=MP4_STUB, headers={"content-type": "video/mp4"}
                )
            else:
                response = await self.inner.handle_async_request(request)
        except BaseException as exc:
            entry.error = type(exc).__name__
            raise
        entry.status = response.status_code
        entry.done = self.clock()
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    def count(self, method: str, path: str | None = None) -> int:
        return sum(1 for e in self.log if e.method == method and (path is None or e.path == path))


class Sleeps:
    """An injectable ``sleep`` that records what was asked and returns at once."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        await asyncio.sleep(0)


def make_client(
    provider: str,
    transport: httpx.AsyncBaseTransport,
    *,
    api_key: str = "sk-test-key",
    sleeps: Sleeps | None = None,
    attempts: int = 4,
    overall: float = 2.0,
    read: float | None = None,
    **kwargs: Any,
) -> AsyncSeedance:
    """A client on ``transport`` with small deadlines and recorded (instant) retry sleeps."""
    return AsyncSeedance(
        provider,
        base_url=BASES[provider],
        api_key=api_key,
        transport=transport,
        retry=RetryPolicy(max_attempts=attempts, sleep=sleeps or Sleeps()),
        timeouts=Timeouts(connect=1.0, read=read or overall, overall=overall),
        **kwargs,
    )
