"""Downloads: retried on their own, earliest-expiring first, never change the task's status,
and an expired URL is marked as such."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone

import httpx
import pytest

from seedance_nb.errors import DownloadError
from seedance_nb.lifecycle import DownloadPolicy
from seedance_nb.requests import VideoRequest
from seedance_nb.status import Status

from .conftest import MakeManager
from .scripted import MP4, ScriptedArk, task_body

BASE = "http://127.0.0.1:9/api/v3"


def req() -> VideoRequest:
    return VideoRequest(prompt="a red fox", resolution="480p", duration=4)


def signed(name: str, issued: float, ttl: int) -> str:
    stamp = datetime.fromtimestamp(issued, tz=timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"https://files.example/{name}?X-Tos-Date={stamp}&X-Tos-Expires={ttl}"


async def test_failed_download_is_retried_and_never_touches_status(make_manager: MakeManager):
    ark = ScriptedArk()
    ark.gets["cgt-1"] = ["succeeded"]
    ark.media = [httpx.Response(500), httpx.Response(503), httpx.Response(200, content=MP4)]
    manager = make_manager(transport=ark.transport)
    task = manager.submit(req(), provider="ark", base_url=BASE)
    await asyncio.wait_for(task._wait_async(None), 20)
    assert task.status is Status.SUCCEEDED
    assert task.downloads[0]["state"] == "saved" and task.downloads[0]["attempts"] == 3
    assert task.files and task.files[0].read_bytes() == MP4
    statuses = {e["status"] for e in manager.history.events(task.uid) if e["status"]}
    assert statuses == {"queued", "succeeded"}
    # No partial file is left under any name.
    assert [p.name for p in task.files[0].parent.iterdir()] == [task.files[0].name]


async def test_download_that_keeps_failing_gives_up_and_can_be_retried(make_manager: MakeManager):
    ark = ScriptedArk()
    ark.gets["cgt-1"] = ["succeeded"]
    ark.media = [httpx.Response(500)]
    manager = make_manager(transport=ark.transport,
                           downloads=DownloadPolicy(attempts=2, retry_delay=0.01))  # fmt: skip
    task = manager.submit(req(), provider="ark", base_url=BASE)
    await asyncio.wait_for(task._wait_async(None), 20)
    assert task.status is Status.SUCCEEDED and task.done
    assert task.downloads[0]["state"] == "failed" and not task.files
    with pytest.raises(DownloadError):
        task.result()
    ark.media = [httpx.Response(200, content=MP4)]
    again = manager.download(task.uid)
    await asyncio.wait_for(again._wait_async(None), 20)
    assert again is task and task.files and task.result() == task.files


async def test_expired_url_is_marked_expired(make_manager: MakeManager):
    ark = ScriptedArk()
    old = time.time() - 2 * 86400
    body = task_body("cgt-1", "succeeded", time.time())
    body["content"] = {"video_url": signed("v.mp4", old, 86400)}
    ark.gets["cgt-1"] = [body]
    ark.media = [httpx.Response(403, content=b"<Error>AccessDenied</Error>")] * 3
    manager = make_manager(transport=ark.transport)
    task = manager.submit(req(), provider="ark", base_url=BASE)
    await asyncio.wait_for(task._wait_async(None), 20)
    assert task.status is Status.SUCCEEDED
    assert task.downloads[0]["state"] == "expired" and task.to_dict()["assets"][0]["expired"]
    # Stamps may be old or skewed: the URL is tried once, then called expired, not retried.
    assert ark.count("GET", "v.mp4") == 1
    with pytest.raises(DownloadError) as raised:
        task.result()
    assert raised.value.expired
    frame = manager.history.frame()
    assert bool(frame["urls_expired"].iloc[0]) is True


async def test_host_saying_gone_marks_expired(make_manager: MakeManager):
    ark = ScriptedArk()
    ark.gets["cgt-1"] = ["succeeded"]
    ark.media = [httpx.Response(403, content=b"<Error>AccessDenied</Error>")]
    manager = make_manager(transport=ark.transport)
    task = manager.submit(req(), provider="ark", base_url=BASE)
    await asyncio.wait_for(task._wait_async(None), 20)
    assert task.downloads[0]["state"] == "expired"
    assert ark.count("GET", ".mp4") == 1  # an expired URL is not retried


async def test_earliest_expiring_result_is_saved_first(make_manager: MakeManager):
    ark = ScriptedArk()
    now = time.time()
    body = task_body("cgt-1", "succeeded", now)
    body["content"] = {
        "video_url": signed("late.mp4", now, 86400),
        "last_frame_url": signed("soon.png", now, 600),
    }
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    ark.gets["cgt-1"] = [body]
    order: list[str] = []

    def media(request: httpx.Request) -> httpx.Response:
        order.append(request.url.path)
        if request.url.path.endswith(".png"):
            return httpx.Response(200, content=png, headers={"content-type": "image/png"})
        return httpx.Response(200, content=MP4, headers={"content-type": "video/mp4"})

    inner = ark.handle

    def route(request: httpx.Request) -> httpx.Response:
        return media(request) if request.url.host == "files.example" else inner(request)

    manager = make_manager(transport=httpx.MockTransport(route),
                           downloads=DownloadPolicy(concurrency=1))  # fmt: skip
    task = manager.submit(req(), provider="ark", base_url=BASE)
    await asyncio.wait_for(task._wait_async(None), 20)
    assert order == ["/soon.png", "/late.mp4"]
    assert sorted(p.suffix for p in task.files) == [".mp4", ".png"]
