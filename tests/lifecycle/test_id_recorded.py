"""The task id is on disk as soon as the create's answer arrives, before the first poll.

A process that dies between the create's answer and the first poll's answer must leave the id in
the history: on the task API and the OpenAI-style route there is no list endpoint, so an id that
was only in memory is lost for good (and the paid task with it). The history is read here through
a connection of its own, as the next process would read it, without resuming anything.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from seedance_nb.lifecycle import History
from seedance_nb.requests import VideoRequest
from seedance_nb.status import Status

from .conftest import MakeManager


class HoldFirstPoll(httpx.AsyncBaseTransport):
    """Passes every request to ``inner``, except that the first GET (the first poll: nothing
    else is fetched before it) waits until ``release`` is set."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.first_poll = asyncio.Event()
        self.release = asyncio.Event()
        self.creates = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.creates += 1
        elif request.method == "GET" and not self.first_poll.is_set():
            self.first_poll.set()
            await self.release.wait()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        self.release.set()
        await self.inner.aclose()


# The task API first: it is the dialect where a late write loses the task outright.
@pytest.mark.parametrize("provider", ["maxapi", "maxapi-openai", "ark"])
async def test_id_is_in_the_history_before_the_first_poll(
    make_manager: MakeManager, sim, tmp_path, provider
):
    wire = HoldFirstPoll(httpx.ASGITransport(app=sim.app))
    manager = make_manager(transport=wire, home=tmp_path / "home")
    request = VideoRequest(prompt="a red fox", model="seedance-2.0-fast", resolution="480p",
                           duration=4)  # fmt: skip
    task = manager.submit(request, provider=provider)
    await asyncio.wait_for(wire.first_poll.wait(), 20)

    # The create's answer has arrived and the first poll is on its way; nothing has polled yet.
    [upstream] = sim.store.tasks
    reader = History(tmp_path / "home")
    try:
        row = reader.row(task.uid)
        events = [e["kind"] for e in reader.events(task.uid)]
    finally:
        reader.close()
    assert row is not None
    assert (row["id"], row["create_state"]) == (upstream, "acknowledged")
    assert events[-2:] == ["sending", "created"]

    wire.release.set()
    await asyncio.wait_for(task._wait_async(None), 20)
    assert task.status is Status.SUCCEEDED and task.id == upstream
    assert wire.creates == 1
