"""The simulator: one starlette app serving all three dialects, Seedream, media and controls."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from email.utils import formatdate
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import control, routes_ark, routes_images, routes_maxapi, routes_media, routes_openai
from .assets import AssetStore
from .callbacks import Callbacks
from .config import SimulatorConfig
from .envelopes import ARK, DIALECTS
from .scenarios import Scenario, ScenarioQueue
from .store import FAILED, TERMINAL, Store, Task

log = logging.getLogger(__name__)

TICK_SECONDS = 0.05
ARK_RETENTION = 7 * 86_400
ARK_CANCELLED_RETENTION = 86_400


class Simulator:
    """An offline stand-in for the ModelArk, task-API and OpenAI-style video APIs.

    >>> sim = Simulator(SimulatorConfig(queue_seconds=1, run_seconds=2))
    >>> transport = httpx.ASGITransport(app=sim.app)          # in-process
    >>> sim.push_scenario(route="create", kind="rate_limit")   # the next create gets a 429
    """

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.clock: Callable[[], float] = self.config.clock or time.time
        self.store = Store(self.config.seed)
        self.assets = AssetStore(self.config.media_dir)
        self.scenarios = ScenarioQueue()
        self.callbacks = Callbacks(self.config)
        self.app: ASGIApp = self._build_app()

    # state ----------------------------------------------------------------------------------
    def now(self) -> float:
        return float(self.clock())

    def base_url(self, request: Request) -> str:
        return (self.config.public_base_url or str(request.base_url)).rstrip("/")

    def tasks_created(self, dialect: str | None = None) -> int:
        """How many tasks were created, in one dialect or in all; Seedream calls count as
        ``"ark-images"``. Tests use it to prove a retried create made no duplicate."""
        if dialect is None:
            return sum(n for key, n in self.store.created.items() if key in DIALECTS)
        return self.store.created[dialect]

    def new_task(
        self,
        *,
        dialect: str,
        task_id: str,
        model: str,
        request: dict[str, Any],
        base_url: str,
        callback_url: str | None,
        marks: set[str],
        expires_after: float | None = None,
    ) -> Task:
        """Create and store a task. ``marks`` are prompt directives and scenario flags."""
        now = self.now()
        queue, run = self.store.timings(
            task_id, self.config.queue_seconds, self.config.run_seconds, self.config.jitter
        )
        if "slow" in marks:
            queue, run = queue * 10, run * 10
        task = Task(
            id=task_id,
            dialect=dialect,
            model=model,
            created=now,
            queue_s=queue,
            run_s=run,
            request=request,
            base_url=base_url,
            callback_url=callback_url,
        )
        if expires_after is not None:
            task.expires_at = now + expires_after
        if "output_moderation" in marks:
            task.outcome = FAILED
            task.detail = "output moderation"
        if "expire" in marks:
            task.expires_at = task.finish_time
            task.detail = "expired on request"
        return self.store.add(task)

    def cancel(self, task_id: str) -> bool:
        """Cancel any unfinished task (the control endpoint; ModelArk has its own DELETE)."""
        task = self.store.tasks.get(task_id)
        if task is None or task.phase(self.now()) in TERMINAL:
            return False
        task.cancelled_at = self.now()
        return True

    def push_scenario(
        self, route: str, kind: str, count: int = 1, provider: str | None = None, **options: Any
    ) -> int:
        """Queue a scenario for the next ``count`` requests on ``route``; returns the queue
        length. Options: ``retry_after``, ``delay``, ``mode``, ``status``."""
        return self.scenarios.push(Scenario(route, kind, count, provider, **options))

    def reset(self) -> None:
        self.store.clear()
        self.assets.clear()
        self.scenarios.clear()
        self.callbacks.log.clear()

    # time -----------------------------------------------------------------------------------
    async def tick(self, *, wait: bool = True) -> int:
        """Send the callbacks that are due and drop expired records.

        Returns how many notifications were started. With ``wait`` (the default) it returns
        once they are delivered or have given up.
        """
        now = self.now()
        jobs = []
        started = 0
        for task in list(self.store.tasks.values()):
            if task.dialect == ARK and self._ark_gone(task, now):
                self.store.remove(task.id)
                continue
            due = self.callbacks.due(task, now)
            if due and task.callback_url:
                jobs.append(self.callbacks.start(task.callback_url, due))
                started += len(due)
        if wait and jobs:
            await asyncio.gather(*jobs, return_exceptions=True)
        return started

    @staticmethod
    def _ark_gone(task: Task, now: float) -> bool:
        if now - task.created > ARK_RETENTION:
            return True
        return task.cancelled_at is not None and now - task.cancelled_at > ARK_CANCELLED_RETENTION

    async def _ticker(self) -> None:
        while True:
            try:
                await self.tick(wait=False)
            except Exception:  # keep ticking; a broken tick must not stop the server
                log.exception("simulator tick failed")
            await asyncio.sleep(TICK_SECONDS)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        ticker = asyncio.ensure_future(self._ticker())
        try:
            yield
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            await self.callbacks.drain()

    def _build_app(self) -> ASGIApp:
        routes = [
            Route("/", self._index, methods=["GET"]),
            *routes_ark.routes(self),
            *routes_images.routes(self),
            *routes_maxapi.routes(self),
            *routes_openai.routes(self),
            *routes_media.routes(self),
            *control.routes(self),
        ]
        return self._dated(Starlette(routes=routes, lifespan=self._lifespan))

    def _dated(self, app: ASGIApp) -> ASGIApp:
        """Every answer carries a ``Date`` header from the simulator's own clock, as a real
        server's does from its own: clients bound clock skew with it."""

        async def dated(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return

            async def send_dated(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = [h for h in message.get("headers", []) if h[0].lower() != b"date"]
                    headers.append((b"date", formatdate(self.now(), usegmt=True).encode()))
                    message = {**message, "headers": headers}
                await send(message)

            await app(scope, receive, send_dated)

        return dated

    async def _index(self, request: Request) -> Response:
        return JSONResponse(
            {
                "simulator": "seedance_nb",
                "dialects": list(DIALECTS),
                "ark": ["/api/v3", "/byteplus/api/v3"],
                "maxapi": "/api/v1/task",
                "maxapi-openai": "/v1/videos/generations",
                "control": "/sim/control",
            }
        )


__all__ = ["Simulator"]
