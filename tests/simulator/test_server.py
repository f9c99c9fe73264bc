"""A real server: ``python -m seedance_nb.simulator`` on 127.0.0.1, talked to over TCP."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from processes import die_with_parent

from seedance_nb.simulator import serve

from .builders import ARK_TASKS, ark_body, probe


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = Path(tmp_path_factory.mktemp("server")) / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "seedance_nb.simulator",
                "--port",
                str(port),
                "--queue-seconds",
                "0.2",
                "--run-seconds",
                "0.3",
                "--api-key",
                "secret",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    httpx.get(base + "/", timeout=1)
                    break
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(log.read_text()) from None
                    time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_refuses_non_loopback_hosts() -> None:
    with pytest.raises(ValueError, match="loopback"):
        serve(host="0.0.0.0")


async def test_a_task_runs_to_the_end_over_tcp(server: str) -> None:
    headers = {"Authorization": "Bearer secret"}
    async with httpx.AsyncClient(base_url=server, headers=headers, timeout=10) as client:
        assert (
            await client.get(ARK_TASKS, headers={"Authorization": "Bearer wrong"})
        ).status_code == 401
        task_id = (await client.post(ARK_TASKS, json=ark_body())).json()["id"]
        for _ in range(100):
            task = (await client.get(f"{ARK_TASKS}/{task_id}")).json()
            if task["status"] == "succeeded":
                break
            await asyncio.sleep(0.05)
        assert task["status"] == "succeeded"
        url = task["content"]["video_url"]
        assert url.startswith(server + "/sim/media/")
        info = probe((await client.get(url)).content)
        assert info["codec"] == "h264" and (info["width"], info["height"]) == (864, 496)


async def test_connection_reset_over_tcp(server: str) -> None:
    async with httpx.AsyncClient(
        base_url=server, headers={"Authorization": "Bearer secret"}, timeout=5
    ) as client:
        before = (await client.get("/sim/control/tasks")).json()["counts"].get("ark", 0)
        await client.post(
            "/sim/control/scenario",
            json={"route": "create", "kind": "lost_response", "mode": "reset"},
        )
        with pytest.raises(httpx.TransportError):
            await client.post(ARK_TASKS, json=ark_body())
        after = (await client.get("/sim/control/tasks")).json()["counts"]["ark"]
        assert after == before + 1


async def test_ticker_delivers_callbacks(server: str) -> None:
    received: list[dict[str, Any]] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(":", 1)[1])
            for line in head.decode().split("\r\n")
            if line.lower().startswith("content-length:")
        )
        received.append(json.loads(await reader.readexactly(length)))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    hook = await asyncio.start_server(handle, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{hook.sockets[0].getsockname()[1]}/cb"
    async with (
        hook,
        httpx.AsyncClient(base_url=server, headers={"Authorization": "Bearer secret"}) as client,
    ):
        body = {
            "model": "seedance-2.0",
            "callBackUrl": url,
            "input": {"prompt": "x", "duration": 4},
        }
        task_id = (await client.post("/api/v1/task/submit", json=body)).json()["data"]["taskId"]
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.05)
    assert [b["data"]["status"] for b in received] == ["SUCCESS"]
    assert received[0]["data"]["taskId"] == task_id
