"""Callbacks: who gets what, when, how often — with an injected sender and a real receiver."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from seedance_nb.simulator import ManualClock, Simulator, SimulatorConfig

from .builders import ARK_TASKS, QUEUE, ark_body


class Recorder:
    """An injected callback sender that answers with a scripted status code."""

    def __init__(self, code: int = 200) -> None:
        self.code = code
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def __call__(self, url: str, body: dict[str, Any], timeout: float) -> int:
        self.calls.append((url, body))
        return self.code

    def statuses(self) -> list[str]:
        out = []
        for _, body in self.calls:
            out.append(body["data"]["status"] if "data" in body else body["status"])
        return out


def make(clock: ManualClock, recorder: Recorder) -> Simulator:
    config = SimulatorConfig(
        queue_seconds=1,
        run_seconds=2,
        clock=clock,
        jitter=0,
        callback_sender=recorder,
        callback_retry_delay=0,
    )
    return Simulator(config)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


async def post(sim: Simulator, path: str, body: dict[str, Any]) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sim.app),
        base_url="http://sim",
        headers={"Authorization": "Bearer k"},
    ) as client:
        return await client.post(path, json=body)


async def test_ark_announces_every_status_change(clock: ManualClock, recorder: Recorder) -> None:
    sim = make(clock, recorder)
    task_id = (
        await post(sim, ARK_TASKS, ark_body(callback_url="https://example.com/hook"))
    ).json()["id"]
    assert await sim.tick() == 1
    clock.advance(QUEUE + 0.1)
    await sim.tick()
    clock.advance(10)
    await sim.tick()
    await sim.tick()  # nothing new
    assert recorder.statuses() == ["queued", "running", "succeeded"]
    url, body = recorder.calls[-1]
    assert url == "https://example.com/hook"
    assert body["id"] == task_id and "video_url" in body["content"]


async def test_ark_sends_missed_changes_in_order(clock: ManualClock, recorder: Recorder) -> None:
    sim = make(clock, recorder)
    await post(
        sim,
        ARK_TASKS,
        ark_body(callback_url="https://example.com/hook", text="[sim:output_moderation]"),
    )
    clock.advance(10)
    await sim.tick()
    assert recorder.statuses() == ["queued", "running", "failed"]
    assert recorder.calls[-1][1]["error"]["code"] == "OutputVideoSensitiveContentDetected"


async def test_ark_retries_final_callbacks_three_times(clock: ManualClock) -> None:
    recorder = Recorder(code=500)
    sim = make(clock, recorder)
    await post(sim, ARK_TASKS, ark_body(callback_url="https://example.com/hook"))
    clock.advance(10)
    await sim.tick()
    # queued and running once each; succeeded 1 + 3 retries.
    assert recorder.statuses() == ["queued", "running"] + ["succeeded"] * 4
    assert [entry["ok"] for entry in sim.callbacks.log] == [False] * 6


async def test_slow_receiver_counts_as_failure(clock: ManualClock) -> None:
    attempts = []

    async def sleepy(url: str, body: dict[str, Any], timeout: float) -> int:
        attempts.append(body["status"])
        await asyncio.sleep(1)
        return 200

    config = SimulatorConfig(
        clock=clock,
        queue_seconds=0,
        run_seconds=0,
        jitter=0,
        callback_sender=sleepy,
        callback_timeout=0.01,
        callback_retry_delay=0,
    )
    sim = Simulator(config)
    await post(sim, ARK_TASKS, ark_body(callback_url="https://example.com/hook"))
    await sim.tick()
    assert attempts.count("succeeded") == 4
    assert all("TimeoutError" in entry["error"] for entry in sim.callbacks.log)


async def test_maxapi_calls_back_once_at_the_end(clock: ManualClock) -> None:
    recorder = Recorder(code=500)
    sim = make(clock, recorder)
    body = {
        "model": "seedance-2.0",
        "callBackUrl": "https://example.com/cb",
        "input": {"prompt": "x", "duration": 4, "resolution": "480p"},
    }
    task_id = (await post(sim, "/api/v1/task/submit", body)).json()["data"]["taskId"]
    await sim.tick()
    clock.advance(QUEUE + 0.1)
    await sim.tick()
    assert recorder.calls == []
    clock.advance(10)
    await sim.tick()
    await sim.tick()
    assert recorder.statuses() == ["SUCCESS"]  # once, no retry despite the 500
    envelope = recorder.calls[0][1]
    assert envelope["code"] == 0 and envelope["data"]["taskId"] == task_id
    assert envelope["data"]["result"]["type"] == "video"


async def test_maxapi_invalid_task_calls_back_failure(
    clock: ManualClock, recorder: Recorder
) -> None:
    sim = make(clock, recorder)
    body = {
        "model": "seedance-2.0",
        "callBackUrl": "https://example.com/cb",
        "input": {"duration": 99},
    }
    await post(sim, "/api/v1/task/submit", body)
    await sim.tick()
    assert recorder.statuses() == ["FAILURE"]
    assert recorder.calls[0][1]["data"]["failure_reason"] == "INVALID_PARAMETERS"


async def test_openai_route_calls_back_at_the_end(clock: ManualClock, recorder: Recorder) -> None:
    sim = make(clock, recorder)
    body = {
        "model": "model/seedance-2.0-fast-beta",
        "prompt": "x",
        "duration": 4,
        "resolution": "480p",
        "callback_url": "https://example.com/cb",
    }
    await post(sim, "/v1/videos/generations", body)
    clock.advance(10)
    await sim.tick()
    assert recorder.statuses() == ["succeeded"]


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """A minimal HTTP server on 127.0.0.1 that records JSON bodies and answers 200."""
    received: list[dict[str, Any]] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.decode().split("\r\n"):
            if line.lower().startswith("content-length:"):
                length = int(line.split(":", 1)[1])
        received.append(json.loads(await reader.readexactly(length)))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}/hook", received


async def test_real_http_delivery(
    clock: ManualClock, receiver: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = receiver
    sim = Simulator(SimulatorConfig(clock=clock, queue_seconds=1, run_seconds=1, jitter=0))
    await post(sim, ARK_TASKS, ark_body(callback_url=url))
    clock.advance(5)
    await sim.tick()
    assert [body["status"] for body in received] == ["queued", "running", "succeeded"]
    assert all(entry["ok"] for entry in sim.callbacks.log)
