"""Fixtures for the fault suite: no keys from the environment, an in-process simulator."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from seedance_nb.client import AsyncSeedance, Timeouts
from seedance_nb.config import Secret
from seedance_nb.lifecycle import DownloadPolicy, PollPolicy, TaskManager
from seedance_nb.lifecycle.clock import Clock, SystemClock
from seedance_nb.retry import RetryPolicy
from seedance_nb.simulator import Simulator, SimulatorConfig

from .wire import KEY_ENV


@pytest.fixture(autouse=True)
def _no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KEY_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.1, jitter=0.0))


MakeManager = Callable[..., TaskManager]


@pytest.fixture
async def make_manager(tmp_path: Path) -> AsyncIterator[MakeManager]:
    """``make_manager(transport, clock=None, overall=2.0, **TaskManager kwargs)``: a manager
    whose clients all go through ``transport`` with small deadlines."""
    made: list[TaskManager] = []

    def make(
        transport: httpx.AsyncBaseTransport,
        *,
        clock: Clock | None = None,
        home: Path | None = None,
        overall: float = 2.0,
        api_key: str | None = None,
        **kwargs: Any,
    ) -> TaskManager:
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
        manager = TaskManager(
            home or tmp_path / "home", clock=clock, client_factory=factory, **kwargs
        )
        manager.reconcile_delays = (0.0, 0.05, 0.1)
        made.append(manager)
        return manager

    yield make
    for manager in made:
        await manager.aclose()
