"""Submitting: returns at once, writes the request row before the POST, runs in the background."""

from __future__ import annotations

import asyncio
import json

import pytest

from seedance_nb.errors import BudgetExceeded, ValidationError
from seedance_nb.lifecycle import Budget, History
from seedance_nb.requests import VideoRequest
from seedance_nb.status import Status

from .conftest import MakeManager


def fox(**kw):
    return VideoRequest(prompt="a red fox in snow", resolution="480p", duration=4, **kw)


async def test_submit_returns_at_once_and_finishes_in_background(make_manager: MakeManager, sim):
    manager = make_manager()
    task = manager.submit(fox(), provider="ark", tags=["fox"])
    # submit() returned before the task left `submitting`: nothing has been sent yet (the
    # simulator saw no create), and the row exists, without a task id. How fast it returns is
    # measured in benchmarks/bench_submit.py.
    assert sim.tasks_created() == 0
    assert task.uid >= 1 and task.id is None and task.status is None
    assert task.phase == "submitting"
    row = manager.history.row(task.uid)
    assert row is not None and row["create_state"] == "pending" and row["id"] is None

    seen: list[tuple[str | None, str]] = []
    task.observe(lambda t: seen.append((t.status.value if t.status else None, t.phase)))
    assert await task is task
    assert task.status is Status.SUCCEEDED and task.done
    assert task.id and task.id.startswith("cgt-")
    assert len(task.files) == 1 and task.files[0].read_bytes()[4:8] == b"ftyp"
    assert task.progress == 1.0 and task.tokens and task.elapsed >= 0
    assert ("succeeded", "done") in seen
    kinds = [e["kind"] for e in manager.history.events(task.uid)]
    assert kinds[:3] == ["submitted", "sending", "created"]
    assert kinds[-2:] == ["download_saved", "done"]
    assert kinds.index("sending") < kinds.index("created")


async def test_to_dict_is_json_and_carries_no_key(make_manager: MakeManager, monkeypatch):
    monkeypatch.setenv("ARK_API_KEY", "sk-planted-canary-123456")
    manager = make_manager()
    task = manager.submit(fox(), provider="ark")
    await task
    text = json.dumps(task.to_dict())
    assert "sk-planted-canary-123456" not in text
    assert json.loads(text)["status"] == "succeeded"
    manager.history.close()
    for path in manager.history.home.glob("history.sqlite3*"):
        assert b"sk-planted-canary-123456" not in path.read_bytes()


async def test_validation_refusal_sends_nothing_and_writes_nothing(make_manager: MakeManager, sim):
    manager = make_manager()
    with pytest.raises(ValidationError):
        manager.submit(VideoRequest(prompt="x", resolution="4320p"), provider="ark")
    assert len(manager.history.frame()) == 0
    assert sim.tasks_created() == 0


async def test_budget_refusal_sends_nothing(make_manager: MakeManager, sim):
    manager = make_manager(budget=Budget(session=1e-9))
    with pytest.raises(BudgetExceeded, match="nothing was sent"):
        manager.submit(fox(), provider="ark")
    assert len(manager.history.frame()) == 0
    assert sim.tasks_created() == 0


async def test_budget_counts_earlier_tasks_of_the_session(
    make_manager: MakeManager, sim, byteplus_price: None
):
    manager = make_manager()
    first = manager.submit(fox(), provider="ark")
    cap = first.estimate.amount * 1.5
    manager.budget = Budget(session=cap)
    with pytest.raises(BudgetExceeded):
        manager.submit(fox(), provider="ark")
    await first
    assert sim.tasks_created() == 1


async def test_daily_token_cap_spans_managers(make_manager: MakeManager, tmp_path):
    one = make_manager(home=tmp_path / "shared")
    task = one.submit(fox(), provider="ark")
    await task
    other = make_manager(home=tmp_path / "shared", budget=Budget(daily_tokens=task.tokens + 10))
    with pytest.raises(BudgetExceeded, match="daily token cap"):
        other.submit(fox(), provider="ark")


async def test_history_frame_columns_and_filters(make_manager: MakeManager):
    manager = make_manager()
    a = manager.submit(fox(), provider="ark", tags=["fox", "snow"])
    b = manager.submit(VideoRequest(prompt="a blue whale", resolution="480p", duration=4),
                       provider="ark", tags=["sea"])  # fmt: skip
    await a
    await b
    frame = History(manager.history.home).frame()
    from seedance_nb.lifecycle.history_frame import COLUMNS

    assert list(frame.columns) == list(COLUMNS)
    assert {c: str(t) for c, t in frame.dtypes.items()} == COLUMNS
    assert list(frame["uid"]) == [b.uid, a.uid]  # newest first
    assert frame.loc[frame["uid"] == a.uid, "tags"].iloc[0] == ("fox", "snow")
    assert len(manager.history.frame(tag="sea")) == 1
    assert len(manager.history.frame(text="WHALE")) == 1
    assert len(manager.history.frame(status="succeeded", model="seedance-2.0")) == 2
    assert len(manager.history.frame(status=["failed"])) == 0
    assert len(manager.history.frame(since="1h")) == 2
    assert len(manager.history.frame(limit=1)) == 1
    row = frame.iloc[0]
    assert row["files"] and row["sha256"] and not row["urls_expired"]
    assert row["provider"] == "ark" and row["base_url"].startswith("http")


async def test_empty_history_has_the_same_columns(tmp_path):
    from seedance_nb.lifecycle.history_frame import COLUMNS

    frame = History(tmp_path).frame()
    assert len(frame) == 0
    assert {c: str(t) for c, t in frame.dtypes.items()} == COLUMNS


async def test_auto_resume_on_first_submit_sends_once(make_manager: MakeManager, sim):
    manager = make_manager(auto_resume=True)
    task = manager.submit(fox(), provider="ark")
    runners = [t for t in asyncio.all_tasks() if t.get_name() == f"seedance-task-{task.uid}"]
    assert len(runners) == 1
    await task
    assert sim.tasks_created() == 1
    assert [e["kind"] for e in manager.history.events(task.uid)].count("sending") == 1
