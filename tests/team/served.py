"""The simulator served over real HTTP on 127.0.0.1 from a thread of the test process, counting
every request it answers (method and path), so a test can tell how often each task was created,
polled and downloaded by all the members together."""

from __future__ import annotations

import collections
import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

from seedance_nb.simulator import Simulator, SimulatorConfig

from .pg_server import _free_port

CREATE = ("POST", "/api/v3/contents/generations/tasks")


class Counted:
    """An ASGI wrapper counting requests by (method, path)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.hits: collections.Counter[tuple[str, str]] = collections.Counter()
        self._lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            with self._lock:
                self.hits[(scope["method"], scope["path"])] += 1
        await self.app(scope, receive, send)

    def media(self) -> dict[str, int]:
        """Downloads of each result file, by path."""
        with self._lock:
            return {p: n for (m, p), n in self.hits.items() if m == "GET" and "/sim/media/" in p}

    def total(self, method: str | None = None) -> int:
        with self._lock:
            return sum(n for (m, _), n in self.hits.items() if method in (None, m))


@contextlib.contextmanager
def served(config: SimulatorConfig) -> Iterator[tuple[Simulator, str, Counted]]:
    """Yields the simulator, its ModelArk base URL and the request counter."""
    sim = Simulator(config)
    counted = Counted(sim.app)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(counted, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the simulator did not start"
        time.sleep(0.02)
    try:
        yield sim, f"http://127.0.0.1:{port}/api/v3", counted
    finally:
        server.should_exit = True
        thread.join(timeout=10)
