"""200 task-API tasks with callbacks through the receiver, against polling only (same run).

One :class:`~seedance_nb.lifecycle.VirtualClock` drives the simulator, the submitting member and
the receiver (hours pass in seconds). The simulator posts each terminal callback in-process
(``httpx.ASGITransport``) to the receiver's real starlette app, which makes one GET and records
the task in the shared SQLite ledger; the member's live handle takes it up from the ledger. Every
API request of the member and of the receiver is counted at the transport.

Figures: finish (the simulator's own finish time) -> ledger row (the terminal ``status`` event)
and -> the member's ``Task`` handle, p50 / p95; GET requests per minute over the run.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from table import Figure, percentile
from wiring import Counting, manager_on

from seedance_nb.lifecycle import PollPolicy, VirtualClock
from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import Simulator, SimulatorConfig

LATENCY_GOAL = 2.0
RPM_GOAL = 30.0
RECEIVER = "http://receiver.invalid"


async def _ticker(sim: Simulator, clock: VirtualClock) -> None:
    """The simulator's ticker, waking at the next status change instead of every 50 ms."""
    while True:
        await sim.tick(wait=False)
        now = clock.time()
        upcoming = [at for task in sim.store.tasks.values() if task.callback_url
                    for at, phase in task.timeline() if phase not in task.notified and at > now]  # fmt: skip
        await clock.sleep(min(5.0, max(0.01, min(upcoming, default=now + 5.0) - now)))


def _sender(app: Any) -> Any:
    import httpx

    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))

    async def send(url: str, body: dict[str, Any], timeout: float) -> int:
        return (await client.post(url, json=body, timeout=timeout)).status_code

    return send


async def _measure(tasks: int, callbacks: bool, scale: float) -> dict[str, Any]:
    import httpx

    from seedance_nb.callbacks import set_public_url
    from seedance_nb.callbacks.app import build_app
    from seedance_nb.callbacks.handling import Receiver

    clock = VirtualClock()
    config = SimulatorConfig(queue_seconds=60 * scale, run_seconds=600 * scale, jitter=0.6,
                             clock=clock)  # fmt: skip
    sim = Simulator(config)
    member_wire = Counting(httpx.ASGITransport(app=sim.app), clock.time, stub_media=True)
    receiver_wire = Counting(httpx.ASGITransport(app=sim.app), clock.time, stub_media=True)
    seen: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as home:
        member = manager_on(sim, Path(home), clock=clock, transport=member_wire, poll=PollPolicy())
        receiver = None
        if callbacks:
            at_receiver = manager_on(sim, Path(home), clock=clock, transport=receiver_wire)
            at_receiver.start()
            receiver = Receiver(at_receiver)
            sim.config.callback_sender = _sender(build_app(receiver))
            set_public_url(RECEIVER)
        ticker = asyncio.ensure_future(_ticker(sim, clock))
        try:
            start = clock.time()
            handles = []
            for i in range(tasks):
                task = member.submit(VideoRequest(prompt=f"a red fox, take {i}",
                                     resolution="480p", duration=4), provider="maxapi")  # fmt: skip

                def on_change(t: Any) -> None:
                    if t.status is not None and t.status.terminal and t.uid not in seen:
                        seen[t.uid] = clock.time()

                task.observe(on_change)
                handles.append(task)
            while not all(t.done for t in handles) and clock.time() - start < 6 * 3600:
                await clock.sleep(1.0)
            end = clock.time()
            finished = {t.uid: sim.store.tasks[t.id].finish_time for t in handles if t.id}
            ledger = {}
            for t in handles:
                for event in member.history.events(t.uid):
                    if event["kind"] == "status" and event["status"] in ("succeeded", "failed"):
                        ledger[t.uid] = event["at"]
                        break
        finally:
            ticker.cancel()
            set_public_url(None)
            await member.aclose()
            if receiver is not None:
                await receiver.aclose()
                await receiver.manager.aclose()
            clock.close()
    minutes = max(1e-9, (end - start) / 60)
    gets = [k for _, _, k in member_wire.log + receiver_wire.log if k in ("get", "list")]
    return {
        "to_row": [ledger[u] - finished[u] for u in ledger],
        "to_handle": [seen[u] - finished[u] for u in seen if u in finished],
        "rpm": len(gets) / minutes,
        "done": sum(1 for t in handles if t.done),
        "minutes": minutes,
    }


def run(quick: bool = False) -> list[Figure]:
    tasks, scale = (20, 0.2) if quick else (200, 1.0)
    polled = asyncio.run(_measure(tasks, callbacks=False, scale=scale))
    called = asyncio.run(_measure(tasks, callbacks=True, scale=scale))
    note = (f"{tasks} task-API tasks of {36 * scale:g}-{1056 * scale:g} s on a virtual clock "
            "(in-process work takes no simulated time: this is the scheduling delay; "
            "tests/team/test_callbacks.py runs the same path over real HTTP); "
            f"{called['done']}/{tasks} done in {called['minutes']:.0f} min")  # fmt: skip

    def pair(values: list[float]) -> str:
        return f"{percentile(values, 50):.2f} / {percentile(values, 95):.2f}"

    return [
        Figure("callbacks: finish -> ledger row p50 / p95 (s)", pair(called["to_row"]),
               f"<= {LATENCY_GOAL:g} s", percentile(called["to_row"], 95) <= LATENCY_GOAL, note),
        Figure("callbacks: finish -> member's Task p50 / p95 (s)", pair(called["to_handle"]),
               f"<= {LATENCY_GOAL:g} s", percentile(called["to_handle"], 95) <= LATENCY_GOAL,
               "the member reads the ledger every 0.5 s; no poll of its own"),
        Figure("callbacks: GET requests / min", f"{called['rpm']:.1f}", f"<= {RPM_GOAL:g}",
               called["rpm"] <= RPM_GOAL, "receiver's GETs + the member's safety-net polls"),
        Figure("polling only: finish -> ledger row p50 / p95 (s)", pair(polled["to_row"]), "",
               None, f"same tasks, default PollPolicy; {polled['done']}/{tasks} done"),
        Figure("polling only: GET requests / min", f"{polled['rpm']:.1f}", "", None,
               "capped by PollPolicy.requests_per_minute"),
    ]  # fmt: skip
