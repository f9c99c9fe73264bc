"""Randomized fault runs: money safety on a shared account.

A seeded loop draws, for every run, a fault on the create (answer lost after the task was made,
a gateway error before it, 429s with odd ``Retry-After`` values, refused connections, errors
raised before any byte left), a colleague's task on the same account (made before the send, or
during it with the same or different options), poll faults (5xx, 429 with ``Retry-After: 1e9``,
truncated JSON), a server clock skewed by up to two hours, and the dialect. Each run is one task
through the lifecycle against the in-process simulator on a virtual clock. Afterwards the
simulator's own store is compared with the history:

- duplicate creates: a run whose prompt made more than one upstream task;
- tasks lost: a run whose upstream task is neither the row's id nor flagged (``unknown``);
- strangers adopted: a row holding a task id that is not its own run's;
- wrongly terminal: a row failed / not sent while its task exists upstream, or succeeded on an
  id that is not its own.

Not drawn: a colleague's task identical in every echoed field, made in the same second as a send
that never reached the API. Nothing on the wire tells it from ours (see docs/lifecycle.md).
"""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from table import Figure

from seedance_nb.client import AsyncSeedance, Timeouts
from seedance_nb.lifecycle import DownloadPolicy, PollPolicy, TaskManager, VirtualClock
from seedance_nb.requests import VideoRequest
from seedance_nb.retry import RetryPolicy
from seedance_nb.simulator import Simulator, SimulatorConfig
from seedance_nb.status import Status

PER_ROUND = 20
CREATE_FAULTS = ("ok", "ok", "lost_timeout", "lost_reset", "lost_502", "gateway_502",
                 "refused_then_ok", "429_then_ok", "429_forever", "not_sendable")  # fmt: skip
COLLEAGUES = ("none", "none", "before", "during_same", "during_other")
POLL_FAULTS = ("none", "none", "5xx", "429_huge", "truncated")
SKEWS = (0.0, 0.0, -3600.0, 7200.0, 90.0)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
PATHS = {"ark": "/api/v3/contents/generations/tasks", "maxapi": "/api/v1/task/submit"}
BASES = {"ark": "http://127.0.0.1:9/api/v3", "maxapi": "http://127.0.0.1:9"}  # via Chaos


@dataclass
class Plan:
    run: int
    provider: str
    create: str
    colleague: str
    poll: str
    seed: int | None
    left: dict[str, int] = field(default_factory=dict)  # faults still to inject


def draw(rng: random.Random, run: int) -> Plan:
    provider = "maxapi" if rng.random() < 0.2 else "ark"
    create = rng.choice(CREATE_FAULTS)
    colleague = rng.choice(COLLEAGUES) if provider == "ark" else "none"
    if colleague == "during_same" and create not in ("lost_timeout", "lost_reset", "lost_502"):
        colleague = "during_other"  # identical and ours never made: indistinguishable, not drawn
    seed = rng.choice([None, rng.randrange(1, 10**6)]) if provider == "ark" else None
    plan = Plan(run, provider, create, colleague, rng.choice(POLL_FAULTS), seed)
    plan.left = {"create": rng.randint(1, 3), "poll": rng.randint(1, 4)}
    return plan


def prompt_of(body: dict[str, Any]) -> str | None:
    for item in body.get("content") or ():
        if isinstance(item, dict) and item.get("type") == "text":
            return str(item.get("text"))
    return (body.get("input") or {}).get("prompt")


def colleague_body(plan: Plan, *, other: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": "dreamina-seedance-2-0-260128",
        "content": [{"type": "text", "text": f"colleague {plan.run}"}],
        "resolution": "480p",
        "duration": 4,
    }
    if plan.seed is not None:
        body["seed"] = plan.seed + (1 if other else 0)
    elif other:
        body["execution_expires_after"] = 7200
    return body


class Chaos(httpx.AsyncBaseTransport):
    """Injects each run's faults in front of the simulator, and plays the colleague."""

    def __init__(self, sim: Simulator, plans: dict[str, Plan]) -> None:
        self.inner = httpx.ASGITransport(app=sim.app)
        self.plans = plans
        self.by_id: dict[str, Plan] = {}

    async def colleague(self, plan: Plan, *, other: bool) -> None:
        request = httpx.Request("POST", "http://sim.test" + PATHS["ark"],
                                json=colleague_body(plan, other=other),
                                headers={"Authorization": "Bearer colleague"})  # fmt: skip
        await self.inner.handle_async_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.startswith("/sim/media/"):
            return httpx.Response(200, content=MP4, headers={"content-type": "video/mp4"})
        if request.method == "POST" and path in PATHS.values():
            body = json.loads(request.content)
            plan = self.plans.get(prompt_of(body) or "")
            if plan is not None:
                return await self._create(plan, request)
        plan = next((p for i, p in self.by_id.items() if i in path), None)
        if plan is not None and request.method == "GET" and plan.left["poll"] > 0:
            fault = plan.poll
            if fault != "none":
                plan.left["poll"] -= 1
                if fault == "5xx":
                    return httpx.Response(503, content=b"<html>busy</html>")
                if fault == "429_huge":
                    return httpx.Response(429, headers={"Retry-After": "1e9"},
                                          json={"error": {"code": "RateLimitExceeded"}})  # fmt: skip
                return httpx.Response(200, content=b'{"id": "cgt-', headers={
                    "content-type": "application/json"})  # fmt: skip
        return await self._forward(request)

    async def _forward(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        return response

    async def _create(self, plan: Plan, request: httpx.Request) -> httpx.Response:
        fault = plan.create
        if plan.colleague == "during_same":
            await self.colleague(plan, other=False)
        elif plan.colleague == "during_other":
            await self.colleague(plan, other=True)
        once = plan.left["create"] > 0
        if fault in ("refused_then_ok", "429_then_ok") and once:
            plan.left["create"] -= 1
        if fault == "not_sendable":
            raise httpx.LocalProtocolError("Illegal header value")
        if fault == "refused_then_ok" and once:
            raise httpx.ConnectError("connection refused", request=request)
        if fault == "429_forever" or (fault == "429_then_ok" and once):
            after = random.Random(plan.run).choice(["0", "1e9", "3", "Wed, 21 Oct 2015 07:28:00"])
            return httpx.Response(429, headers={"Retry-After": after},
                                  json={"error": {"code": "RateLimitExceeded"}})  # fmt: skip
        if fault == "gateway_502":
            return httpx.Response(502, content=b"<html>502 Bad Gateway</html>")
        response = await self._forward(request)
        try:
            data = json.loads(response.content)
            task_id = data.get("id") or (data.get("data") or {}).get("taskId")
            if task_id:
                self.by_id[str(task_id)] = plan
        except ValueError:
            pass
        if fault == "lost_timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if fault == "lost_reset":
            raise httpx.RemoteProtocolError("connection reset", request=request)
        if fault == "lost_502":
            return httpx.Response(502, content=b"<html>502 Bad Gateway</html>")
        return response


def manager_for(sim: Simulator, chaos: Chaos, home: Path, clock: VirtualClock) -> TaskManager:
    def factory(settings: Any) -> AsyncSeedance:
        return AsyncSeedance(settings=settings, transport=chaos,
                             retry=RetryPolicy(base_delay=0.5, sleep=clock.sleep),
                             timeouts=Timeouts(connect=5, read=30, overall=30))  # fmt: skip

    manager = TaskManager(home, clock=clock, client_factory=factory, poll=PollPolicy.immediate(),
                          downloads=DownloadPolicy(retry_delay=0.1))  # fmt: skip
    manager.reconcile_delays = (0.0, 2.0, 10.0)
    return manager


@dataclass
class Tally:
    runs: int = 0
    duplicates: int = 0
    lost: int = 0
    strangers: int = 0
    wrongly_terminal: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    def bad(self, kind: str, plan: Plan, task: Any) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if len(self.examples) < 3:
            self.examples.append(f"{kind}: {plan} -> {task!r} {task.create_state} "
                                 f"{task.error_message}")  # fmt: skip


async def one_round(rng: random.Random, first: int, home: Path, tally: Tally) -> None:
    clock = VirtualClock()
    skew = rng.choice(SKEWS)
    sim = Simulator(SimulatorConfig(queue_seconds=2, run_seconds=3, jitter=0.2,
                                    clock=lambda: clock.now + skew, seed=first))  # fmt: skip
    plans = {f"run {first + i}": draw(rng, first + i) for i in range(PER_ROUND)}
    chaos = Chaos(sim, plans)
    manager = manager_for(sim, chaos, home, clock)
    try:
        for plan in plans.values():
            if plan.colleague == "before":
                await chaos.colleague(plan, other=False)
        await clock.sleep(5.0)  # the colleague's tasks are seconds older than any send
        tasks = {}
        for name, plan in plans.items():
            request = VideoRequest(prompt=name, resolution="480p", duration=4, seed=plan.seed)
            tasks[name] = manager.submit(request, provider=plan.provider,
                                         base_url=BASES[plan.provider])  # fmt: skip
        await asyncio.wait_for(asyncio.gather(*(t._wait_async(None) for t in tasks.values())), 600)
        mine: dict[str, list[str]] = {}
        for upstream in sim.store.tasks.values():
            mine.setdefault(prompt_of(upstream.request) or "", []).append(upstream.id)
        for name, task in tasks.items():
            judge(tally, plans[name], task, mine.get(name, []))
    finally:
        clock.close()
        await manager.aclose()


def judge(tally: Tally, plan: Plan, task: Any, upstream: list[str]) -> None:
    tally.runs += 1
    key = f"{task.status.value if task.status else '-'}/{task.create_state}"
    tally.outcomes[key] = tally.outcomes.get(key, 0) + 1
    if len(upstream) > 1:
        tally.bad("duplicates", plan, task)
    if task.id is not None and task.id not in upstream:
        tally.bad("strangers", plan, task)
    flagged = task.status is Status.UNKNOWN
    if upstream and task.id not in upstream and not flagged:
        tally.bad("lost", plan, task)
    terminal_fail = task.status in (Status.FAILED, Status.CANCELLED, Status.EXPIRED)
    if (terminal_fail and upstream and task.create_state in ("refused", "not_sent")) or (
        task.status is Status.SUCCEEDED and task.id not in upstream
    ):
        tally.bad("wrongly_terminal", plan, task)


async def _all(runs: int, seed: int) -> Tally:
    rng = random.Random(seed)
    tally = Tally()
    with tempfile.TemporaryDirectory() as top:
        for r in range(max(1, runs // PER_ROUND)):
            await one_round(rng, r * PER_ROUND, Path(top) / f"round-{r}", tally)
    return tally


def run(quick: bool = False) -> list[Figure]:
    runs = 60 if quick else 1000
    tally = asyncio.run(_all(runs, seed=2026))
    common = f"{tally.runs} seeded runs (seed 2026)"
    note = ", ".join(f"{k} {v}" for k, v in sorted(tally.outcomes.items(), key=lambda kv: -kv[1]))
    figures = [
        Figure("fault runs: duplicate creates", str(tally.duplicates), "0", tally.duplicates == 0,
               f"{common}; outcomes (status/create_state): {note}"),
        Figure("fault runs: tasks lost", str(tally.lost), "0", tally.lost == 0),
        Figure("fault runs: strangers adopted", str(tally.strangers), "0", tally.strangers == 0),
        Figure("fault runs: wrongly terminal", str(tally.wrongly_terminal), "0",
               tally.wrongly_terminal == 0,
               "; ".join(tally.examples) if tally.examples else ""),
    ]  # fmt: skip
    return figures


if __name__ == "__main__":
    import sys

    from table import render

    print(render(run(quick="--quick" in sys.argv)))
