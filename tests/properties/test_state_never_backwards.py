"""A task's state never moves backwards: random snapshot sequences, applied directly and driven
end to end through polling. A terminal state is final, and the history always says the same as
the handle."""

from __future__ import annotations

import asyncio
import itertools
import json
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedance_nb.client import AsyncSeedance, Timeouts
from seedance_nb.lifecycle import DownloadPolicy, PollPolicy, TaskManager
from seedance_nb.lifecycle.runner import apply_snapshot
from seedance_nb.lifecycle.task import Task
from seedance_nb.requests import VideoRequest
from seedance_nb.retry import RetryPolicy
from seedance_nb.status import Asset, Status, TaskSnapshot

BASE = "http://127.0.0.1:9/api/v3"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def rank(status: Status | None) -> int:
    return -1 if status is None else status.rank


@st.composite
def snapshots(draw: st.DrawFn) -> TaskSnapshot:
    status = draw(st.sampled_from(list(Status)))
    with_asset = status is Status.SUCCEEDED and draw(st.booleans())
    assets = (Asset("video", "https://cdn.example.com/out/v.mp4"),) if with_asset else ()
    stamp = draw(st.none() | st.integers(1_700_000_000, 1_900_000_000))
    return TaskSnapshot(
        id="cgt-1",
        status=status,
        raw_status=draw(st.sampled_from([status.value, status.value.upper(), "mystery"])),
        assets=assets,
        error_code=draw(st.sampled_from([None, "OutputVideoSensitiveContentDetected"])),
        tokens=draw(st.none() | st.integers(0, 10**6)),
        updated_at=None if stamp is None else datetime.fromtimestamp(stamp, tz=timezone.utc),
    )


@pytest.fixture(scope="module")
def manager() -> Iterator[TaskManager]:
    with tempfile.TemporaryDirectory() as home:
        made = TaskManager(Path(home))
        yield made
        made.close()


def new_task(manager: TaskManager) -> Task:
    now = manager.clock.time()
    row: dict[str, Any] = {
        "id": None,
        "provider": "ark",
        "base_url": BASE,
        "kind": "video",
        "model": "seedance-2.0",
        "phase": "polling",
        "create_state": "acknowledged",
        "tags": "[]",
        "submitted_at": now,
        "sent_at": now,
        "updated_at": now,
    }
    row["uid"] = manager.history.insert(row, at=now)
    return Task(manager, row)


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sequence=st.lists(snapshots(), min_size=1, max_size=12))
def test_applied_snapshots_never_move_backwards(manager: TaskManager, sequence):
    task = new_task(manager)
    seen: list[Status | None] = []
    task.observe(lambda t: seen.append(t.status))
    frozen: tuple[Any, ...] | None = None
    for snap in sequence:
        before = task.status
        finished = apply_snapshot(manager, task, snap)
        after = task.status
        assert rank(after) >= rank(before), (before, snap.status, after)
        if after is Status.SUCCEEDED and before is not Status.SUCCEEDED:
            assert snap.status is Status.SUCCEEDED
        if after is not None and after.terminal:
            assert finished
            state = (after, task._row.get("finished_at"), task.assets, task.error_code)
            frozen = frozen or state
            assert state == frozen  # terminal is final: nothing changes afterwards
        row = manager.history.row(task.uid)
        assert row is not None and row["status"] == (after.value if after else None)
    assert all(rank(a) <= rank(b) for a, b in itertools.pairwise(seen))


ARK_WORDS = ["queued", "running", "succeeded", "failed", "expired", "cancelled"]
POLL_ANSWERS = st.one_of(
    st.sampled_from(ARK_WORDS),
    st.sampled_from(["suspended", "SUCCEEDED_LATER", "", "done"]),  # unknown words
    st.sampled_from([500, 502, 429, 404, "html", "truncated"]),  # failed polls
)


def _answer(task_id: str, entry: Any) -> httpx.Response:
    if isinstance(entry, int):
        return httpx.Response(entry, json={"error": {"code": "x", "message": "scripted"}},
                              headers={"Retry-After": "0"})  # fmt: skip
    if entry == "html":
        return httpx.Response(200, content=b"<html>busy</html>")
    if entry == "truncated":
        return httpx.Response(200, content=b'{"items": [{"id": "')
    body: dict[str, Any] = {"id": task_id, "status": entry, "model": "seedance", "updated_at": 0}
    if entry == "succeeded":
        body["content"] = {"video_url": f"https://files.example/{task_id}.mp4"}
    return httpx.Response(200, json={"total": 1, "items": [body]})


def _drive(script: list[Any]) -> tuple[list[str | None], Status | None, Status | None]:
    """Run one task against ``script`` (one entry per poll; the last repeats)."""

    async def main() -> tuple[list[str | None], Status | None, Status | None]:
        entries = list(script)

        def handle(request: httpx.Request) -> httpx.Response:
            if request.url.host == "files.example":
                return httpx.Response(200, content=MP4, headers={"content-type": "video/mp4"})
            if request.method == "POST":
                return httpx.Response(200, json={"id": "cgt-1"})
            entry = entries.pop(0) if len(entries) > 1 else entries[0]
            answer = _answer("cgt-1", entry)
            if (
                request.url.path.endswith("/cgt-1")
                and isinstance(entry, str)
                and entry not in ("html", "truncated")
            ):
                items = json.loads(answer.content)["items"]
                return httpx.Response(200, json=items[0])  # a single GET answers the object
            return answer

        transport = httpx.MockTransport(handle)

        def factory(settings: Any) -> AsyncSeedance:
            return AsyncSeedance(
                settings=settings,
                transport=transport,
                retry=RetryPolicy(max_attempts=1),
                timeouts=Timeouts(connect=1, read=2, overall=2),
            )

        with tempfile.TemporaryDirectory() as home:
            manager = TaskManager(Path(home), client_factory=factory,
                                  poll=PollPolicy.immediate(0.001),
                                  downloads=DownloadPolicy(retry_delay=0.001))  # fmt: skip
            manager.poll_policy = PollPolicy(first=0.001, cap=0.002, jitter=0.0, min_gap=0.0,
                                             requests_per_minute=None, not_found_limit=10**6)  # fmt: skip
            request = VideoRequest(prompt="a red fox", resolution="480p", duration=4)
            task = manager.submit(request, provider="ark", base_url=BASE)
            seen: list[str | None] = []
            task.observe(lambda t: seen.append(t.status.value if t.status else None))
            try:
                await asyncio.wait_for(task._wait_async(None), 10)
            finally:
                row = manager.history.row(task.uid)
                await manager.aclose()
            stored = Status(row["status"]) if row and row["status"] else None
            return seen, task.status, stored

    return asyncio.run(main())


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(
    middle=st.lists(POLL_ANSWERS, max_size=8),
    end=st.sampled_from(["succeeded", "failed", "expired", "cancelled"]),
)
def test_polling_random_answers_never_moves_backwards(middle, end):
    script = [*middle, end]
    seen, final, stored = _drive(script)
    ranks = [rank(Status(s)) if s else -1 for s in seen]
    assert ranks == sorted(ranks), seen
    first_terminal = next(w for w in script if w in ("succeeded", "failed", "expired",
                                                     "cancelled"))  # fmt: skip
    assert final is Status(first_terminal) and stored is final
