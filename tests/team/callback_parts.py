"""The parts of the callback tests: a simulator whose requests are counted, a receiver served by
uvicorn on 127.0.0.1, and members on the same ledger."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
from managers import build_manager

from seedance_nb.callbacks.app import build_app, uvicorn_server
from seedance_nb.callbacks.handling import Receiver
from seedance_nb.lifecycle import PollPolicy, TaskManager
from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import Simulator


class Counted(httpx.AsyncBaseTransport):
    """A transport to the simulator (in-process, or any transport) that counts requests by
    ``"METHOD path"``."""

    def __init__(self, sim: Simulator | httpx.AsyncBaseTransport) -> None:
        self.inner = httpx.ASGITransport(app=sim.app) if isinstance(sim, Simulator) else sim
        self.counts: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.counts[f"{request.method} {request.url.path}"] += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def gets(self, task_id: str) -> int:
        """GETs of one task (either dialect's route)."""
        return sum(n for key, n in self.counts.items()
                   if key.startswith("GET ") and key.endswith("/" + task_id))  # fmt: skip

    def lists(self) -> int:
        return sum(n for key, n in self.counts.items() if key.startswith("GET ") and
                   key.endswith("/contents/generations/tasks"))  # fmt: skip


def video(prompt: str = "a red fox") -> VideoRequest:
    return VideoRequest(prompt=prompt, resolution="480p", duration=4)


# Polls come ten minutes apart (the safety net): only callbacks bring news sooner.
SLOW = PollPolicy(first=600, cap=600, jitter=0.0, requests_per_minute=None, min_gap=0.0,
                  callback_safety_net=600)  # fmt: skip


def member(history: str, transport: Counted, **kwargs: Any) -> TaskManager:
    """A member who polls only as a safety net."""
    kwargs.setdefault("poll", SLOW)
    return build_manager(history, transport, **kwargs)


@contextlib.asynccontextmanager
async def receiver_at(
    history: str, transport: Counted, *, min_gap: float = 0.0
) -> AsyncIterator[tuple[Receiver, str]]:
    """A receiver on the ledger ``history``, served by uvicorn on a free 127.0.0.1 port; yields
    it and its base URL."""
    manager = build_manager(history, transport)
    receiver = Receiver(manager, min_gap=min_gap)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn_server(build_app(receiver), host="127.0.0.1", port=port)
    serving = asyncio.ensure_future(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if serving.done():
                serving.result()
            await asyncio.sleep(0.01)
        yield receiver, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 10)
        sock.close()
        await manager.aclose()


async def until(predicate: Any, sim: Simulator | None = None, timeout: float = 20.0) -> None:
    """Wait (ticking the simulator, which sends due callbacks) until ``predicate()``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting")
        if sim is not None:
            await sim.tick()
        await asyncio.sleep(0.02)
