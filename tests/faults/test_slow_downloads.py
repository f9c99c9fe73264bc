"""Downloads have an overall deadline and a minimum rate per file, and follow redirects only to
public http(s) hosts (unless the API itself is on this machine, as the simulator is)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from seedance_nb.client import AsyncSeedance
from seedance_nb.download import Pace
from seedance_nb.errors import DownloadError
from seedance_nb.lifecycle import DownloadPolicy
from seedance_nb.status import Status

from .conftest import MakeManager
from .wire import MP4_STUB, Recorder, small_request


@contextlib.asynccontextmanager
async def dripping_host(gap: float = 0.05, total: int = 400) -> AsyncIterator[str]:
    """A file host on 127.0.0.1 that sends an MP4's bytes one at a time, ``gap`` apart."""

    writers: list[asyncio.StreamWriter] = []
    stop = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        body = (MP4_STUB * (total // len(MP4_STUB) + 1))[:total]
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\n"
                         b"content-length: %d\r\n\r\n" % len(body))  # fmt: skip
            for i in range(len(body)):
                if stop.is_set():
                    break
                writer.write(body[i : i + 1])
                await writer.drain()
                await asyncio.sleep(gap)
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v.mp4"
    finally:
        stop.set()
        await asyncio.sleep(gap * 2)  # every handler sees the stop and ends on its own
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_dripping_host_is_cut_off_by_the_minimum_rate(tmp_path: Path):
    async with dripping_host() as url:
        client = AsyncSeedance("ark", base_url="http://127.0.0.1:9/api/v3")
        with pytest.raises(DownloadError, match="too slowly"):
            await client.download(url, tmp_path / "v", pace=Pace(deadline=60, min_rate=1000,
                                                                   grace=0.3))  # fmt: skip
        await client.aclose()
    assert not list(tmp_path.iterdir())  # no partial file left behind


async def test_a_dripping_host_is_cut_off_by_the_deadline(tmp_path: Path):
    async with dripping_host() as url:
        client = AsyncSeedance("ark", base_url="http://127.0.0.1:9/api/v3")
        with pytest.raises(DownloadError, match="not complete within"):
            await client.download(url, tmp_path / "v", pace=Pace(deadline=0.5, min_rate=0,
                                                                   grace=0))  # fmt: skip
        await client.aclose()


class Split(httpx.AsyncBaseTransport):
    """API calls to a mock, file downloads to the real dripping host on 127.0.0.1."""

    def __init__(self, api: httpx.MockTransport) -> None:
        self.api, self.files = api, httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v.mp4":
            return await self.files.handle_async_request(request)
        return await self.api.handle_async_request(request)

    async def aclose(self) -> None:
        await self.files.aclose()


async def test_a_dripping_host_does_not_hold_the_task(make_manager: MakeManager):
    """End to end: the task's download fails with a reason instead of hanging for minutes."""
    async with dripping_host() as url:
        now = int(time.time())

        def ark(request: httpx.Request) -> httpx.Response:
            body = {"id": "cgt-1"} if request.method == "POST" else {
                "id": "cgt-1", "status": "succeeded", "content": {"video_url": url},
                "created_at": now, "updated_at": now}  # fmt: skip
            return httpx.Response(200, content=json.dumps(body).encode())

        policy = DownloadPolicy(attempts=1, deadline=1.0, min_rate=1000, grace=0.3)
        manager = make_manager(Split(httpx.MockTransport(ark)), downloads=policy)
        task = manager.submit(small_request("ark"), provider="ark",
                              base_url="http://127.0.0.1:9/api/v3")  # fmt: skip
        await asyncio.wait_for(task._wait_async(None), 10)
    assert task.status is Status.SUCCEEDED
    assert task.downloads[0]["state"] == "failed" and "slowly" in task.downloads[0]["error"]


PUBLIC = "http://93.184.216.34/files/v.mp4"


def redirecting(target: str):
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/files/v.mp4":
            return httpx.Response(302, headers={"location": target})
        return httpx.Response(200, content=MP4_STUB, headers={"content-type": "video/mp4"})

    return handle


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:8080/admin", "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.7/v.mp4", "http://[::1]/v.mp4", "http://localhost/v.mp4",
    "file:///etc/passwd", "ftp://93.184.216.35/v.mp4",
])  # fmt: skip
async def test_redirect_off_the_public_web_is_refused(tmp_path: Path, target):
    wire = Recorder(httpx.MockTransport(redirecting(target)))
    client = AsyncSeedance("ark", base_url="https://api.example/api/v3", api_key="k-123456",
                           transport=wire)  # fmt: skip
    with pytest.raises(DownloadError, match="not followed"):
        await client.download(PUBLIC, tmp_path / "v")
    assert [e.path for e in wire.log] == ["/files/v.mp4"]  # the target was never asked
    await client.aclose()


async def test_redirect_to_a_public_host_is_followed(tmp_path: Path):
    wire = Recorder(httpx.MockTransport(redirecting("http://93.184.216.35/cdn/v.mp4")))
    client = AsyncSeedance("ark", base_url="https://api.example/api/v3", api_key="k-123456",
                           transport=wire)  # fmt: skip
    saved = await client.download(PUBLIC, tmp_path / "v")
    assert saved.path.suffix == ".mp4" and len(wire.log) == 2
    await client.aclose()


async def test_redirect_to_loopback_is_followed_when_the_api_is_local(tmp_path: Path):
    wire = Recorder(httpx.MockTransport(redirecting("http://127.0.0.1:8765/cdn/v.mp4")))
    client = AsyncSeedance("ark", base_url="http://127.0.0.1:8765/api/v3", transport=wire)
    saved = await client.download(PUBLIC, tmp_path / "v")
    assert saved.path.suffix == ".mp4"
    await client.aclose()
