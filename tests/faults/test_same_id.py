"""Two creates answered with the same task id (a replaying proxy, a buggy gateway): both rows are
kept, the second is flagged and not followed, one result is never shown twice, and no
``IntegrityError`` escapes."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import httpx

from seedance_nb.status import Status

from .conftest import MakeManager
from .wire import MP4_STUB, Recorder, small_request

BASE = "http://127.0.0.1:9/api/v3"
SAME = "cgt-20260528000000-same1"


def replaying_ark(request: httpx.Request) -> httpx.Response:
    if request.url.path.startswith("/files/"):
        return httpx.Response(200, content=MP4_STUB, headers={"content-type": "video/mp4"})
    if request.method == "POST":
        body = {"id": SAME}
    elif request.url.path.endswith("/tasks"):
        body = {"items": [task_body()], "total": 1}
    else:
        body = task_body()
    return httpx.Response(200, content=json.dumps(body).encode(),
                          headers={"content-type": "application/json"})  # fmt: skip


def task_body() -> dict:
    return {"id": SAME, "model": "dreamina-seedance-2-0-260128", "status": "succeeded",
            "content": {"video_url": "http://127.0.0.1:9/files/v.mp4"},
            "created_at": int(time.time()), "updated_at": int(time.time())}  # fmt: skip


async def test_second_create_with_the_same_id_is_flagged_not_shown_twice(
    make_manager: MakeManager, caplog
):
    caplog.set_level(logging.WARNING)
    wire = Recorder(httpx.MockTransport(replaying_ark))
    manager = make_manager(wire)
    first = manager.submit(small_request("ark", "fox one"), provider="ark", base_url=BASE)
    await asyncio.wait_for(first._wait_async(None), 20)
    second = manager.submit(small_request("ark", "fox two"), provider="ark", base_url=BASE)
    await asyncio.wait_for(second._wait_async(None), 20)
    assert first.id == SAME and first.status is Status.SUCCEEDED, first.downloads
    assert len(first.files) == 1, first.downloads
    assert second.id is None and second.create_state == "duplicate"
    assert second.status is not Status.SUCCEEDED and not second.files
    assert second.error_code == "duplicate_id" and f"#{first.uid}" in second.error_message
    frame = manager.history.frame()
    assert len(frame) == 2 and list(frame["id"].dropna()) == [SAME]
    assert sum(len(files) for files in frame["files"]) == 1  # the video is saved once
    assert "IntegrityError" not in caplog.text


async def test_two_creates_at_once_with_the_same_id(make_manager: MakeManager, caplog):
    caplog.set_level(logging.WARNING)
    manager = make_manager(Recorder(httpx.MockTransport(replaying_ark)))
    tasks = [manager.submit(small_request("ark", f"fox {i}"), provider="ark", base_url=BASE)
             for i in range(3)]  # fmt: skip
    await asyncio.wait_for(asyncio.gather(*(t._wait_async(None) for t in tasks)), 20)
    assert sorted(t.create_state for t in tasks) == ["acknowledged", "duplicate", "duplicate"]
    assert sum(len(t.files) for t in tasks) == 1
    assert "IntegrityError" not in caplog.text
