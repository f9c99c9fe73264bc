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
            ledger = _terminal_events(member, [t.uid for t in handles])
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


def _terminal_events(manager: Any, uids: list[int]) -> dict[int, float]:
    found = {}
    for uid in uids:
        for event in manager.history.events(uid):
            if event["kind"] == "status" and event["status"] in ("succeeded", "failed"):
                found[uid] = event["at"]
                break
    return found


async def _measure_real(tasks: int) -> tuple[list[float], list[float]]:
    """Real clock and sockets: the receiver served by uvicorn on 127.0.0.1, the simulator
    posting over HTTP from a 50 ms ticker (as ``serve()`` runs it)."""
    import socket
    import time

    import httpx

    from seedance_nb.callbacks import set_public_url
    from seedance_nb.callbacks.app import build_app, uvicorn_server
    from seedance_nb.callbacks.handling import Receiver

    # The provider's side posts through one pooled client (a new client costs ~45 ms of CPU,
    # which here would be taken from the same event loop as the receiver and the member).
    poster = httpx.AsyncClient()

    async def send(url: str, body: dict[str, Any], timeout: float) -> int:
        return (await poster.post(url, json=body, timeout=timeout)).status_code

    sim = Simulator(SimulatorConfig(queue_seconds=0.5, run_seconds=2.0, jitter=0.5,
                                    callback_sender=send))  # fmt: skip
    wire = Counting(httpx.ASGITransport(app=sim.app), stub_media=True)
    seen: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as home:
        member = manager_on(sim, Path(home), transport=wire, poll=PollPolicy())
        receiver = Receiver(manager_on(sim, Path(home), transport=wire))
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn_server(build_app(receiver))
        serving = asyncio.ensure_future(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        set_public_url(f"http://127.0.0.1:{sock.getsockname()[1]}")

        async def ticker() -> None:
            while True:
                await sim.tick(wait=False)
                await asyncio.sleep(0.05)

        ticking = asyncio.ensure_future(ticker())
        try:
            handles = []
            for i in range(tasks):
                task = member.submit(VideoRequest(prompt=f"a cat, take {i}", resolution="480p",
                                                  duration=4), provider="maxapi")  # fmt: skip

                def on_change(t: Any) -> None:
                    if t.status is not None and t.status.terminal and t.uid not in seen:
                        seen[t.uid] = time.time()

                task.observe(on_change)
                handles.append(task)
            await asyncio.wait_for(asyncio.gather(*(t._wait_async(None) for t in handles)), 120)
            finished = {t.uid: sim.store.tasks[t.id].finish_time for t in handles if t.id}
            rows = _terminal_events(member, [t.uid for t in handles])
        finally:
            ticking.cancel()
            await poster.aclose()
            set_public_url(None)
            server.should_exit = True
            await serving
            sock.close()
            await member.aclose()
            await receiver.manager.aclose()
    return ([rows[u] - finished[u] for u in rows],
            [seen[u] - finished[u] for u in seen if u in finished])  # fmt: skip


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

    real_rows, real_handles = asyncio.run(_measure_real(8 if quick else 40))
    return [
        Figure("callbacks, real clock: finish -> ledger row p50 / p95 (s)", pair(real_rows),
               f"<= {LATENCY_GOAL:g} s", percentile(real_rows, 95) <= LATENCY_GOAL,
               f"{len(real_rows)} task-API tasks of 1-4 s; receiver under uvicorn on 127.0.0.1, "
               "callbacks over HTTP (one pooled client) from the simulator's 50 ms ticker"),
        Figure("callbacks, real clock: finish -> member's Task p50 / p95 (s)",
               pair(real_handles), f"<= {LATENCY_GOAL:g} s",
               percentile(real_handles, 95) <= LATENCY_GOAL, "the same run"),
        Figure("callbacks: finish -> ledger row p50 / p95 (s)", pair(called["to_row"]),
               f"<= {LATENCY_GOAL:g} s", percentile(called["to_row"], 95) <= LATENCY_GOAL, note),
        Figure("callbacks: finish -> member's Task p50 / p95 (s)", pair(called["to_handle"]),
               f"<= {LATENCY_GOAL:g} s", percentile(called["to_handle"], 95) <= LATENCY_GOAL,
               "the member reads the ledger every 0.25 s (one query); no poll of its own"),
        Figure("callbacks: GET requests / min", f"{called['rpm']:.1f}", f"<= {RPM_GOAL:g}",
               called["rpm"] <= RPM_GOAL, "receiver's GETs + the member's safety-net polls"),
        Figure("polling only: finish -> ledger row p50 / p95 (s)", pair(polled["to_row"]), "",
               None, f"same tasks, default PollPolicy; {polled['done']}/{tasks} done"),
        Figure("polling only: GET requests / min", f"{polled['rpm']:.1f}", "", None,
               "capped by PollPolicy.requests_per_minute"),
    ]  # fmt: skip
