"""Every fault mode at once, on all three dialects, through the task lifecycle: 0 duplicate tasks,
0 tasks lost, 0 tasks wrongly marked finished."""

from __future__ import annotations

import asyncio
import json
import random

import httpx
import pytest

from seedance_nb.status import Status

from .conftest import MakeManager
from .wire import PROVIDERS, Recorder, small_request

PER_DIALECT = 8
POLL_FAULTS = [
    ("server_error", 3),
    ("bad_gateway", 2),
    ("html_error", 2),
    ("truncated_json", 2),
    ("unknown_status", 3),
    ("rate_limit", 2),
]
CREATE_FAULTS = [
    ("lost_response", {"mode": "502"}),
    ("lost_response", {"mode": "reset"}),
    ("truncated_json", {}),
    ("server_error", {}),
    ("moderation", {}),
    ("rate_limit", {}),
]


def marker(provider: str, i: int) -> str:
    return f"storm-{provider}-{i:02d}"


@pytest.mark.parametrize("seed", [1, 2])
async def test_fault_storm_keeps_every_task_accounted_for(make_manager: MakeManager, sim, seed):
    rng = random.Random(seed)
    for provider in PROVIDERS:
        poll_route = "list" if provider == "ark" else "get"
        pushes = [(poll_route, kind, {"count": n}) for kind, n in POLL_FAULTS]
        pushes += [("create", kind, options) for kind, options in CREATE_FAULTS]
        rng.shuffle(pushes)
        for route, kind, options in pushes:
            sim.push_scenario(route=route, kind=kind, provider=provider, retry_after=0.05,
                              **options)  # fmt: skip
    wire = Recorder(httpx.ASGITransport(app=sim.app), stub_media=True)
    manager = make_manager(wire, overall=1.0)
    tasks = {
        marker(p, i): manager.submit(small_request(p, f"a red fox, {marker(p, i)}"), provider=p)
        for p in PROVIDERS
        for i in range(PER_DIALECT)
    }
    await asyncio.wait_for(asyncio.gather(*(t._wait_async(None) for t in tasks.values())), 60)

    upstream: dict[str, list[str]] = {}  # marker -> simulator task ids made for it
    for sim_task in sim.store.tasks.values():
        text = json.dumps(sim_task.request)
        found = [m for m in tasks if m in text]
        assert len(found) == 1, text
        upstream.setdefault(found[0], []).append(sim_task.id)

    duplicates = {m: ids for m, ids in upstream.items() if len(ids) > 1}
    assert duplicates == {}
    now = sim.now()
    for mark, task in tasks.items():
        made = upstream.get(mark, [])
        assert task.done, (mark, task)
        if task.id is not None:
            # Known upstream: the row names the task that was made for this request.
            assert made == [task.id], (mark, made, task.id)
            truth = sim.store.tasks[task.id].phase(now)  # queued ... succeeded, in plain words
            if task.status is Status.SUCCEEDED:
                assert truth == "succeeded" and task.files, (mark, truth)
            assert task.status.value == truth, (mark, task.status, truth)
        elif made:
            # Made upstream but the answer was lost: left for the user, never called finished.
            assert task.status is Status.UNKNOWN and task.create_state == "ambiguous", mark
        else:
            # Nothing was made: refused (moderation) or an ambiguous create that did not land.
            assert task.status in (Status.FAILED, Status.UNKNOWN), (mark, task.status)
            assert task.create_state in ("refused", "ambiguous"), (mark, task.create_state)
    assert sum(1 for e in wire.log if e.status == 429) >= 2 * len(PROVIDERS)
    assert not sim.scenarios.pending() or all(
        s["route"] in ("list", "get") for s in sim.scenarios.pending()
    )
