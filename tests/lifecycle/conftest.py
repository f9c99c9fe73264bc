"""Fixtures for the lifecycle tests: an in-process simulator and managers wired to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from managers import build_manager

from seedance_nb.lifecycle import TaskManager
from seedance_nb.lifecycle.clock import Clock
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
        manager = build_manager(
            home or tmp_path / "home",
            transport or httpx.ASGITransport(app=sim.app),
            clock=clock,
            overall=overall,
            **kwargs,
        )
        made.append(manager)
        return manager

    yield make
    for manager in made:
        await manager.aclose()
