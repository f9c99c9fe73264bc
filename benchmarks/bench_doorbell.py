"""Time from a task finishing to its card showing it, with and without the callback doorbell.

Real clock and real sockets: the doorbell listens on 127.0.0.1 and the in-process simulator posts
its callbacks there over HTTP, from a ticker like the one ``serve()`` runs (every 50 ms). Each
task has a live ``TaskCard`` (the widget a notebook shows); the time is taken when the card's
``status`` trait turns terminal, against the simulator's own finish time. Same tasks, same
default ``PollPolicy``, run once without and once with the doorbell.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from pathlib import Path

from table import Figure, percentile
from wiring import Counting, manager_on

from seedance_nb.lifecycle import PollPolicy
from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import Simulator, SimulatorConfig

GOAL_WITH = 1.0
TICK = 0.05


async def _ticker(sim: Simulator) -> None:
    while True:
        await sim.tick(wait=False)
        await asyncio.sleep(TICK)


async def _measure(tasks: int, doorbell: bool, scale: float) -> list[float]:
    import httpx

    from seedance_nb.notebook.task_card import TaskCard

    # Tasks of 4-12 s (scaled down in a quick run): long enough for polling to have backed off
    # past its first interval.
    sim = Simulator(SimulatorConfig(queue_seconds=1.0 * scale, run_seconds=3.0 * scale, jitter=2.0))
    wire = Counting(httpx.ASGITransport(app=sim.app), stub_media=True)
    shown: dict[int, float] = {}
    cards = []
    with tempfile.TemporaryDirectory() as home:
        manager = manager_on(sim, Path(home), transport=wire, poll=PollPolicy())
        if doorbell:
            await manager.open_doorbell()
        ticker = asyncio.ensure_future(_ticker(sim))
        handles = []
        for i in range(tasks):
            task = manager.submit(VideoRequest(prompt=f"a red fox, take {i}", resolution="480p",
                                               duration=4), provider="ark")  # fmt: skip
            card = TaskCard(task)

            def on_status(change, uid=task.uid, card=card) -> None:
                if card.status in ("succeeded", "failed", "expired") and uid not in shown:
                    shown[uid] = time.time()

            card.observe(on_status, names=["status"])
            cards.append(card)
            handles.append(task)
        await asyncio.wait_for(asyncio.gather(*(t._wait_async(None) for t in handles)), 120)
        delays = [shown[t.uid] - sim.store.tasks[t.id].finish_time for t in handles]
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker
        await sim.callbacks.drain()
        for card in cards:
            card.close()
        await manager.aclose()
    return delays


def run(quick: bool = False) -> list[Figure]:
    tasks, scale = (8, 0.3) if quick else (40, 1.0)
    without = asyncio.run(_measure(tasks, doorbell=False, scale=scale))
    with_bell = asyncio.run(_measure(tasks, doorbell=True, scale=scale))
    p95 = percentile(with_bell, 95)
    return [
        Figure(
            "finish -> card, no callback, p50 / p95 (s)",
            f"{percentile(without, 50):.2f} / {percentile(without, 95):.2f}",
            "max(30 s, 10% of age)",
            max(without) <= 30.0,
            f"{tasks} tasks of {4 * scale:g}-{12 * scale:g} s, real clock; default PollPolicy "
            "(2 s between polls while young)",
        ),
        Figure(
            "finish -> card, with doorbell, p50 / p95 (s)",
            f"{percentile(with_bell, 50):.2f} / {p95:.2f}",
            f"<= {GOAL_WITH:g} s",
            max(with_bell) <= GOAL_WITH,
            f"max {max(with_bell):.2f} s; callbacks over HTTP to 127.0.0.1, simulator ticker "
            f"every {TICK * 1000:.0f} ms (as served); a ring polls at once unless the task was "
            "polled less than PollPolicy.min_gap (1 s) ago, then at last poll + 1 s",
        ),
    ]
