"""Task managers for tests: clients through a given transport, tiny deadlines and delays."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import httpx

from seedance_nb.client import AsyncSeedance, Timeouts
from seedance_nb.config import Secret
from seedance_nb.lifecycle import DownloadPolicy, PollPolicy, TaskManager
from seedance_nb.lifecycle.clock import Clock, SystemClock
from seedance_nb.retry import RetryPolicy


def build_manager(
    home: Path,
    transport: httpx.AsyncBaseTransport,
    *,
    clock: Clock | None = None,
    overall: float = 5.0,
    api_key: str | None = None,
    **kwargs: Any,
) -> TaskManager:
    """A manager whose every client goes through ``transport``; polls and retries at once."""
    clock = clock or SystemClock()

    def factory(settings: Any) -> AsyncSeedance:
        if api_key is not None:
            settings = dataclasses.replace(settings, api_key=Secret(api_key))
        return AsyncSeedance(
            settings=settings,
            transport=transport,
            retry=RetryPolicy(base_delay=0.001, max_delay=0.01, sleep=clock.sleep),
            timeouts=Timeouts(connect=1.0, read=overall, overall=overall),
        )

    kwargs.setdefault("poll", PollPolicy.immediate())
    kwargs.setdefault("downloads", DownloadPolicy(retry_delay=0.01, max_retry_delay=0.05))
    manager = TaskManager(home, clock=clock, client_factory=factory, **kwargs)
    manager.reconcile_delays = (0.0, 0.05, 0.1)
    return manager
