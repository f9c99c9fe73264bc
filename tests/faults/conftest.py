"""Fixtures for the fault suite: no keys from the environment, an in-process simulator."""

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
        manager = build_manager(
            home or tmp_path / "home",
            transport,
            clock=clock,
            overall=overall,
            api_key=api_key,
            **kwargs,
        )
        made.append(manager)
        return manager

    yield make
    for manager in made:
        await manager.aclose()
