"""A scripted ModelArk for precise timelines (httpx.MockTransport)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
T0 = 1_780_000_000


def task_body(task_id: str, status: str, now: float = T0, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": task_id,
        "model": "dreamina-seedance-2-0-260128",
        "status": status,
        "created_at": int(now),
        "updated_at": int(now),
    }
    if status == "succeeded":
        body["content"] = {"video_url": f"https://files.example/{task_id}.mp4"}
        body["usage"] = {"completion_tokens": 108900, "total_tokens": 108900}
    body.update(extra)
    return body


class ScriptedArk:
    """Answers from per-route scripts; each entry is a status string, a dict body, or an
    ``httpx.Response``. The last entry repeats. ``log`` keeps (time, method, path)."""

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self.creates: list[Any] = [{"id": "cgt-1"}]
        self.gets: dict[str, list[Any]] = {}
        self.media: list[Any] = [httpx.Response(200, content=MP4,
                                                headers={"content-type": "video/mp4"})]  # fmt: skip
        self.log: list[tuple[float, str, str]] = []
        self._clock = clock or time.time
        self.transport = httpx.MockTransport(self.handle)

    def _next(self, script: list[Any]) -> Any:
        return script.pop(0) if len(script) > 1 else script[0]

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.log.append((self._clock(), request.method, path))
        if request.url.host == "files.example":
            return self._answer(self._next(self.media))
        if request.method == "POST":
            return self._answer(self._next(self.creates))
        if path.endswith("/contents/generations/tasks") and request.method == "GET":
            ids = request.url.params.get_list("filter.task_ids")
            items = [self._body_for(i) for i in ids]
            bad = [i for i in items if isinstance(i, httpx.Response)]
            if bad:
                return bad[0]
            return httpx.Response(200, json={"total": len(items), "items": items})
        if request.method == "DELETE":
            return httpx.Response(200, json={})
        task_id = path.rsplit("/", 1)[-1]
        return self._answer(self._body_for(task_id))

    def _body_for(self, task_id: str) -> Any:
        entry = self._next(self.gets.setdefault(task_id, ["queued"]))
        if isinstance(entry, str):
            return task_body(task_id, entry, self._clock())
        return entry

    @staticmethod
    def _answer(entry: Any) -> httpx.Response:
        if isinstance(entry, httpx.Response):
            return entry
        return httpx.Response(200, content=json.dumps(entry).encode(),
                              headers={"content-type": "application/json"})  # fmt: skip

    def count(self, method: str, suffix: str = "") -> int:
        return sum(1 for _, m, p in self.log if m == method and p.endswith(suffix))


def error(status: int, code: str = "InternalServiceError", retry_after: float | None = None):
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    body = {"error": {"code": code, "message": f"simulated {status}", "type": "x"}}
    return httpx.Response(status, json=body, headers=headers)
