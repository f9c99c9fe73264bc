"""Fixtures: a simulator on a manual clock and an in-process client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from seedance_nb.simulator import ManualClock, Simulator, SimulatorConfig

from .builders import QUEUE, RUN


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sim(clock: ManualClock) -> Simulator:
    return Simulator(SimulatorConfig(queue_seconds=QUEUE, run_seconds=RUN, clock=clock, jitter=0.0))


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sim.app)
    headers = {"Authorization": "Bearer test-key"}
    async with httpx.AsyncClient(transport=transport, base_url="http://sim", headers=headers) as c:
        yield c
