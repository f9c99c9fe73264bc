"""A task the provider calls "succeeded" but with no result URL is polled a bounded number of
times, then shown as failed with the provider's answer; it is never polled forever."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from seedance_nb.status import Status

from .conftest import MakeManager
from .wire import Recorder, small_request

EMPTY = {
    "ark": {"id": "cgt-20260528000000-empty", "status": "succeeded", "content": {},
            "usage": {"completion_tokens": 10}},
    "maxapi": {"code": 200, "msg": "ok", "data": {"taskId": "t-empty", "status": "SUCCESS",
               "result": {"type": "video", "urls": []}}},
    "maxapi-openai": {"task_id": "vt-empty", "status": "succeeded", "video_url": ""},
}  # fmt: skip
CREATED = {"ark": {"id": "cgt-20260528000000-empty"},
           "maxapi": {"code": 200, "msg": "ok", "data": {"taskId": "t-empty"}},
           "maxapi-openai": {"task_id": "vt-empty", "status": "queued"}}  # fmt: skip
BASES = {"ark": "http://127.0.0.1:9/api/v3", "maxapi": "http://127.0.0.1:9",
         "maxapi-openai": "http://127.0.0.1:9"}  # fmt: skip


@pytest.mark.parametrize("provider", list(EMPTY))
async def test_success_without_a_result_ends_failed_with_the_answer(
    make_manager: MakeManager, provider
):
    def serve(request: httpx.Request) -> httpx.Response:
        body = CREATED[provider] if request.method == "POST" else EMPTY[provider]
        return httpx.Response(200, content=json.dumps(body).encode(),
                              headers={"content-type": "application/json"})  # fmt: skip

    wire = Recorder(httpx.MockTransport(serve))
    manager = make_manager(wire)
    task = manager.submit(small_request(provider), provider=provider, base_url=BASES[provider])
    await asyncio.wait_for(task._wait_async(None), 10)
    assert task.status is Status.FAILED and task.error_code == "no_result"
    word = (EMPTY[provider].get("data") or EMPTY[provider])["status"]
    assert "no result URL" in task.error_message and f"'{word}'" in task.error_message
    assert wire.count("GET") <= 12  # bounded: five such answers (lists and singles), then it stops
    assert not task.files
