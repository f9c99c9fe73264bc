"""A manager whose background work runs on a private loop (a script, or synchronous code) can be
closed from another event loop: its work stops where it runs, and nothing raises."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from managers import build_manager

from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import Simulator, SimulatorConfig


def test_closing_from_another_loop_stops_the_private_loops_work(tmp_path: Path):
    sim = Simulator(SimulatorConfig(queue_seconds=30.0, run_seconds=30.0, jitter=0.0))
    manager = build_manager(tmp_path / "home", httpx.ASGITransport(app=sim.app))
    task = manager.submit(VideoRequest(prompt="a fox", duration=4), provider="ark")
    deadline = time.monotonic() + 20
    while task.id is None and time.monotonic() < deadline:  # created; now it is being polled
        time.sleep(0.05)
    assert task.id is not None and manager.host.is_private and manager.running(task)
    asyncio.run(manager.aclose())  # another loop: pytest-asyncio's, a notebook's, asyncio.run
    deadline = time.monotonic() + 10
    while manager.running(task) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not manager.running(task)
    assert not task.done  # left for resume(), as a close always does
    manager.close()
