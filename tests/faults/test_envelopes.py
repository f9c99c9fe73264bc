"""Envelopes are read as written: the task API's ``code`` as a string ("500") means what the
number means, and a task id sent as a JSON number is a task id (not an orphaned paid task)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from seedance_nb.status import Status

from .conftest import MakeManager
from .wire import MP4_STUB, Recorder, small_request

BASE = "http://127.0.0.1:9"
VIDEO = "http://127.0.0.1:9/files/v.mp4"


class TaskApi:
    """A small task-API server: ``creates`` and ``polls`` are the answers, in order."""

    def __init__(self, creates: list[dict], polls: list[dict]) -> None:
        self.creates, self.polls = creates, polls

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/files/"):
            return httpx.Response(200, content=MP4_STUB, headers={"content-type": "video/mp4"})
        answers = self.creates if request.method == "POST" else self.polls
        body = answers.pop(0) if len(answers) > 1 else answers[0]
        return httpx.Response(200, content=json.dumps(body).encode(),
                              headers={"content-type": "application/json"})  # fmt: skip


def success(task_id, code="200"):
    return {"code": code, "msg": "ok", "data": {"taskId": task_id, "status": "SUCCESS",
            "result": {"type": "video", "urls": [VIDEO]}}}  # fmt: skip


async def run(make_manager: MakeManager, api: TaskApi):
    wire = Recorder(httpx.MockTransport(api))
    manager = make_manager(wire)
    task = manager.submit(small_request("maxapi"), provider="maxapi", base_url=BASE)
    await asyncio.wait_for(task._wait_async(None), 20)
    return task, wire


@pytest.mark.parametrize("code", ["500", "502", " 503 "])
async def test_string_5xx_code_on_a_create_is_ambiguous_not_refused(make_manager, code):
    task, wire = await run(make_manager, TaskApi([{"code": code, "msg": "internal"}], [{}]))
    assert wire.count("POST") == 1
    assert task.create_state == "ambiguous" and task.status is Status.UNKNOWN
    assert task.error_code == "create_ambiguous"


async def test_numeric_task_id_is_a_task_id(make_manager):
    api = TaskApi([{"code": 200, "msg": "ok", "data": {"taskId": 987654321}}],
                  [success(987654321)])  # fmt: skip
    task, wire = await run(make_manager, api)
    assert task.id == "987654321" and task.create_state == "acknowledged"
    assert task.status is Status.SUCCEEDED and task.files
    assert wire.count("GET", "/api/v1/task/987654321") >= 1


async def test_string_5xx_code_on_a_poll_is_a_poll_error_not_a_failure(make_manager):
    polls = [{"code": "500", "msg": "busy"}, {"code": "503", "msg": "busy"}, success("t-1", 200)]
    api = TaskApi([{"code": "200", "msg": "ok", "data": {"taskId": "t-1"}}], polls)
    task, _ = await run(make_manager, api)
    assert task.status is Status.SUCCEEDED and task.files
