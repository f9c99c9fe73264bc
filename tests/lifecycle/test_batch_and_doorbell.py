"""Batches, grids and reruns; the callback doorbell."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from seedance_nb.errors import BudgetExceeded, ValidationError
from seedance_nb.lifecycle import Budget, PollPolicy
from seedance_nb.lifecycle.doorbell import callback_task_ids
from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import Simulator, SimulatorConfig
from seedance_nb.status import Status

from .conftest import MakeManager


def req(prompt: str = "a red fox", **kw) -> VideoRequest:
    return VideoRequest(prompt=prompt, resolution="480p", duration=4, **kw)


async def test_submit_many_is_one_group(make_manager: MakeManager, sim):
    manager = make_manager()
    group = manager.submit_many([req("a"), req("b"), req("c")], provider="ark", tags=["set"])
    assert len(group) == 3 and group.tag.startswith("batch-")
    assert await group is group
    assert group.done and len(group.succeeded) == 3 and len(group.files) == 3
    assert group.counts() == {"succeeded": 3}
    frame = group.frame()
    assert len(frame) == 3 and all("set" in tags for tags in frame["tags"])


async def test_submit_many_refuses_all_if_one_is_invalid(make_manager: MakeManager, sim):
    manager = make_manager()
    with pytest.raises(ValidationError):
        manager.submit_many([req("ok"), VideoRequest(prompt="x", duration=99)], provider="ark")
    assert sim.tasks_created() == 0 and len(manager.history.frame()) == 0


async def test_submit_many_checks_the_budget_for_the_whole_batch(
    make_manager: MakeManager, sim, byteplus_price: None
):
    manager = make_manager()
    one = req().model_copy()
    from seedance_nb.cost import estimate

    amount = estimate(one, "ark").amount
    manager.budget = Budget(session=amount * 2.5)
    with pytest.raises(BudgetExceeded, match="batch of 3"):
        manager.submit_many([req("a"), req("b"), req("c")], provider="ark")
    assert sim.tasks_created() == 0


async def test_grid_prompts_seeds_and_variations(make_manager: MakeManager, sim):
    manager = make_manager()
    group = manager.grid(["a fox", "a cat"], [1, 2], vary={"ratio": ["16:9", "9:16"]},
                         provider="ark", resolution="480p", duration=4)  # fmt: skip
    assert len(group) == 8
    combos = {(t.prompt, t.params.get("seed"), t.params.get("ratio")) for t in group}
    assert len(combos) == 8
    await group
    assert group.counts() == {"succeeded": 8}


async def test_rerun_records_the_parent(make_manager: MakeManager):
    manager = make_manager()
    parent = manager.submit(req(seed=7), provider="ark")
    await parent
    child = manager.rerun(parent, duration=5)
    assert child.parent_id == parent.id and child.request.duration == 5
    assert child.request.seed == 7
    await child
    frame = manager.history.frame()
    assert frame.loc[frame["uid"] == child.uid, "parent_id"].iloc[0] == parent.id
    # From the history alone (another session), by provider id.
    other = make_manager(home=manager.history.home)
    grandchild = other.rerun(child.id, prompt="a blue fox")
    assert grandchild.parent_id == child.id and grandchild.prompt == "a blue fox"
    await grandchild
    assert grandchild.status is Status.SUCCEEDED


def test_callback_task_ids_in_every_dialect():
    assert callback_task_ids({"id": "cgt-1", "status": "succeeded"}) == ["cgt-1"]
    assert callback_task_ids({"code": 0, "data": {"taskId": "u-1"}}) == ["u-1"]
    assert callback_task_ids({"task_id": "v-1"}) == ["v-1"]
    assert callback_task_ids(["junk"]) == []


async def test_doorbell_rings_an_immediate_poll_and_replays_change_nothing(
    make_manager: MakeManager,
):
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.2, jitter=0.0))
    slow = PollPolicy(first=600, cap=600, jitter=0.0, requests_per_minute=None, min_gap=0.0)
    manager = make_manager(transport=httpx.ASGITransport(app=sim.app), poll=slow)
    bell = await manager.open_doorbell()
    task = manager.submit(req(), provider="ark")
    while task.status is None:
        await asyncio.sleep(0.005)
    # Polls are ten minutes apart: only the simulator's callbacks can bring news sooner.
    assert sim.store.tasks[task.id].callback_url == bell.url
    deadline = asyncio.get_running_loop().time() + 20
    while not task.done and asyncio.get_running_loop().time() < deadline:
        await sim.tick()  # the simulator sends the callbacks that are due
        await asyncio.sleep(0.02)
    assert task.status is Status.SUCCEEDED and task.done
    assert bell.received >= 1 and bell.rang >= 1

    async with httpx.AsyncClient() as http:
        forged = {"id": task.id, "status": "failed", "error": {"code": "Forged"}}
        for _ in range(3):  # a replayed/forged callback only triggers a GET
            answer = await http.post(bell.url, content=json.dumps(forged))
            assert answer.status_code == 200
        wrong = await http.post(bell.url.replace(bell.path, "/seedance/callback/guess"), json={})
        assert wrong.status_code == 404
        big = await http.post(bell.url, content=b"x" * (2 * 1024 * 1024))
        assert big.status_code == 413
    await asyncio.sleep(0.05)
    assert task.status is Status.SUCCEEDED and task.error_code is None
    assert "Forged" not in json.dumps(manager.history.events(task.uid))
