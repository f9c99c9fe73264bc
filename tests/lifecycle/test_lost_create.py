"""A create whose answer is lost: never resent, reconciled through the list, else ``unknown``."""

from __future__ import annotations

import asyncio

import pytest

from seedance_nb.requests import ImageRequest, VideoRequest
from seedance_nb.status import Status

from .conftest import MakeManager


def req(prompt: str = "a red fox", **kw) -> VideoRequest:
    return VideoRequest(prompt=prompt, resolution="480p", duration=4, **kw)


@pytest.mark.parametrize("mode", ["timeout", "reset", "502", "504"])
async def test_lost_create_is_reconciled_without_a_duplicate(make_manager: MakeManager, sim, mode):
    sim.push_scenario(route="create", kind="lost_response", mode=mode, delay=2.0)
    manager = make_manager(overall=0.5)
    task = manager.submit(req(), provider="ark")
    await asyncio.wait_for(task._wait_async(None), 20)
    assert sim.tasks_created() == 1  # never resent
    upstream = next(iter(sim.store.tasks))
    assert task.id == upstream
    assert task.create_state == "reconciled"
    assert task.status is Status.SUCCEEDED and task.files
    kinds = [e["kind"] for e in manager.history.events(task.uid)]
    assert "ambiguous" in kinds and "reconciled" in kinds


async def test_two_lost_creates_of_the_same_kind_stay_unknown(make_manager: MakeManager, sim):
    sim.push_scenario(route="create", kind="lost_response", mode="502", count=2)
    manager = make_manager()
    a = manager.submit(req(), provider="ark")
    b = manager.submit(req(), provider="ark")
    await asyncio.wait_for(asyncio.gather(a._wait_async(None), b._wait_async(None)), 20)
    assert sim.tasks_created() == 2
    for task in (a, b):
        assert task.status is Status.UNKNOWN and task.done and task.id is None
        assert len(task.candidates) == 2
        assert "adopt" in (task.error_message or "")
    # The user decides: adopt one id each; polling takes over.
    first, second = a.candidates
    manager.adopt(a, first)
    manager.adopt(b, second)
    await asyncio.wait_for(asyncio.gather(a._wait_async(None), b._wait_async(None)), 20)
    assert a.status is Status.SUCCEEDED and b.status is Status.SUCCEEDED
    with pytest.raises(ValueError):
        manager.adopt(a, second)


async def test_lost_create_on_a_dialect_without_list_is_unknown(make_manager: MakeManager, sim):
    sim.push_scenario(route="create", kind="lost_response", mode="504")
    manager = make_manager()
    task = manager.submit(req(), provider="maxapi")
    await asyncio.wait_for(task._wait_async(None), 20)
    assert sim.tasks_created() == 1
    assert task.status is Status.UNKNOWN and task.done
    assert "no list endpoint" in (task.error_message or "")
    assert len(manager.history.frame(status="unknown")) == 1


async def test_lost_image_create_is_unknown(make_manager: MakeManager, sim):
    sim.push_scenario(route="images", kind="lost_response", mode="502")
    manager = make_manager()
    task = manager.submit(ImageRequest(prompt="a watercolor fox", size="2K"), provider="ark")
    await asyncio.wait_for(task._wait_async(None), 20)
    assert task.status is Status.UNKNOWN and task.id is None


async def test_refused_create_fails_with_the_providers_code(make_manager: MakeManager, sim):
    sim.push_scenario(route="create", kind="moderation")
    manager = make_manager()
    task = manager.submit(req(), provider="ark")
    await asyncio.wait_for(task._wait_async(None), 20)
    assert task.status is Status.FAILED and task.create_state == "refused"
    assert task.error_code and "Sensitive" in task.error_code
    assert sim.tasks_created() == 0


async def test_image_request_finishes_at_create(make_manager: MakeManager, sim):
    manager = make_manager()
    task = manager.submit(ImageRequest(prompt="a watercolor fox", size="2K"), provider="ark")
    await asyncio.wait_for(task._wait_async(None), 20)
    assert task.status is Status.SUCCEEDED and task.files
    assert task.files[0].suffix in (".png", ".jpg", ".jpeg", ".webp")
