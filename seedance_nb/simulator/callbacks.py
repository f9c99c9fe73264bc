"""Callback delivery, as each dialect documents it.

- ModelArk: a POST of the task body on every status change (queued, running, succeeded, failed,
  expired); succeeded/failed/expired are retried 3 times when no 2xx comes within 5 s.
- Task API: terminal states only, once, no retry, 5 s timeout; body = the GET envelope.
- OpenAI-style route: like the task API (the seed is silent; this is the simulator's choice).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

import httpx

from .config import SimulatorConfig
from .envelopes import ARK
from .store import CANCELLED, EXPIRED, FAILED, SUCCEEDED, TERMINAL, Task
from .views import VIEWS

ARK_RETRIED = frozenset({SUCCEEDED, FAILED, EXPIRED})


async def http_sender(url: str, body: dict[str, Any], timeout: float) -> int:
    async with httpx.AsyncClient(timeout=timeout) as client:
        response = await client.post(url, json=body)
        return response.status_code


class Callbacks:
    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.log: list[dict[str, Any]] = []
        self._background: set[asyncio.Task[None]] = set()

    def due(self, task: Task, now: float) -> list[tuple[str, dict[str, Any], int]]:
        """(phase, body, attempts) for each status change of ``task`` not yet announced."""
        if not task.callback_url:
            return []
        out = []
        for at, phase in task.timeline():
            if at > now or phase in task.notified:
                continue
            if task.dialect == ARK:
                if phase == CANCELLED:
                    continue
                attempts = 4 if phase in ARK_RETRIED else 1
            elif phase in TERMINAL:
                attempts = 1
            else:
                continue
            task.notified.add(phase)
            body = VIEWS[task.dialect](task, at)
            if task.dialect == ARK:
                body["status"] = phase
            out.append((phase, body, attempts))
        return out

    def start(self, url: str, items: list[tuple[str, dict[str, Any], int]]) -> Awaitable[None]:
        """Deliver one task's notifications in order; returns the running delivery."""
        job = asyncio.ensure_future(self._chain(url, items))
        self._background.add(job)
        job.add_done_callback(self._background.discard)
        return job

    async def drain(self) -> None:
        """Wait for every delivery still in flight."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def _chain(self, url: str, items: list[tuple[str, dict[str, Any], int]]) -> None:
        for phase, body, attempts in items:
            await self._send(url, phase, body, attempts)

    async def _send(self, url: str, phase: str, body: dict[str, Any], attempts: int) -> bool:
        sender = self.config.callback_sender or http_sender
        timeout = self.config.callback_timeout
        for attempt in range(1, attempts + 1):
            if attempt > 1:
                await asyncio.sleep(self.config.callback_retry_delay)
            entry: dict[str, Any] = {
                "url": url,
                "phase": phase,
                "attempt": attempt,
                "at": time.time(),
            }
            try:
                code = await asyncio.wait_for(sender(url, body, timeout), timeout)
                entry["code"] = code
            except Exception as exc:  # the receiver's failure is logged, never raised
                entry["error"] = f"{type(exc).__name__}: {exc}"
                code = None
            entry["ok"] = code is not None and 200 <= code < 300
            self.log.append(entry)
            if entry["ok"]:
                return True
        return False
