"""Fixtures for the lifecycle tests: an in-process simulator and managers wired to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from seedance_nb.client import AsyncSeedance, Timeouts
from seedance_nb.lifecycle import DownloadPolicy, PollPolicy, TaskManager
from seedance_nb.lifecycle.clock import Clock, SystemClock
from seedance_nb.retry import RetryPolicy
from seedance_nb.simulator import Simulator, SimulatorConfig

KEY_ENV = ("ARK_API_KEY", "MAXAPI_KEY", "MAXAPI_API_KEY", "SEEDANCE_PROVIDER", "SEEDANCE_BASE_URL",
           "SEEDANCE_HOME", "SEEDANCE_BUDGET_SESSION", "SEEDANCE_BUDGET_DAILY",
           "SEEDANCE_BUDGET_SESSION_TOKENS", "SEEDANCE_BUDGET_DAILY_TOKENS")  # fmt: skip


@pytest.fixture(autouse=True)
def _no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KEY_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.1, jitter=0.0))


MakeManager = Callable[..., TaskManager]


@pytest.fixture
async def make_manager(tmp_path: Path, sim: Simulator) -> AsyncIterator[MakeManager]:
    """``make_manager(transport=None, clock=None, home=None, **TaskManager kwargs)``."""
    made: list[TaskManager] = []

    def make(
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        home: Path | None = None,
        overall: float = 5.0,
        **kwargs: Any,
    ) -> TaskManager:
        clock = clock or SystemClock()
        wire = transport or httpx.ASGITransport(app=sim.app)

        def factory(settings: Any) -> AsyncSeedance:
            return AsyncSeedance(
                settings=settings,
                transport=wire,
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
