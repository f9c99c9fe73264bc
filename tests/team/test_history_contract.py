"""The History contract, run on both backends: a SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from seedance_nb.lifecycle import open_history
from seedance_nb.lifecycle.history_frame import COLUMNS
from seedance_nb.lifecycle.history_store import DuplicateId, HistoryStore

NOW = time.time()


def _row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "provider": "ark", "base_url": "https://ark.example/api/v3", "simulated": True,
        "kind": "video", "model": "seedance-2.0", "mode": "text", "prompt": "a red Fox in snow",
        "params": '{"duration": 5}', "tags": ["fox", "snow"], "phase": "submitting",
        "create_state": "pending", "submitted_at": NOW, "updated_at": NOW,
        "estimated_tokens": 1000, "estimated_cost": 0.25, "currency": "USD", "session": "s1",
        "owner": "o1",
    }  # fmt: skip
    row.update(changes)
    return row


@pytest.fixture
def store(history_url: str) -> Iterator[HistoryStore]:
    history = open_history(history_url)
    yield history
    history.close()


def test_insert_records_the_row_its_event_and_the_member(store: HistoryStore):
    first = store.insert(_row(), at=NOW)
    second = store.insert(_row(prompt="a whale"), at=NOW + 1)
    assert second > first
    row = store.row(first)
    assert row is not None
    assert row["member"] == "ada" and row["provider"] == "ark" and row["simulated"] == 1
    assert row["tags"] == '["fox", "snow"]' and row["estimated_cost"] == 0.25
    assert [(e["uid"], e["kind"]) for e in store.events()] == [(first, "submitted"),
                                                                (second, "submitted")]  # fmt: skip
    assert store.row(second + 100) is None


def test_update_changes_columns_and_appends_its_event(store: HistoryStore):
    uid = store.insert(_row(), at=NOW)
    store.update(uid, {"id": "cgt-1", "status": "queued", "create_state": "acknowledged",
                       "nonsense": 1}, at=NOW + 2, event="created", detail={"took": 0.5})  # fmt: skip
    store.event(uid, "note", at=NOW + 3)
    row = store.row(uid)
    assert row is not None and (row["id"], row["status"]) == ("cgt-1", "queued")
    events = store.events(uid)
    assert [(e["kind"], e["status"]) for e in events] == [("submitted", None),
                                                          ("created", "queued"), ("note", None)]  # fmt: skip
    assert events[1]["detail"] == '{"took": 0.5}' and events[1]["at"] == NOW + 2


def test_a_task_id_held_by_another_row_is_refused(store: HistoryStore):
    a = store.insert(_row(), at=NOW)
    b = store.insert(_row(), at=NOW)
    store.update(a, {"id": "cgt-1"}, at=NOW)
    with pytest.raises(DuplicateId) as raised:
        store.update(b, {"id": "cgt-1"}, at=NOW, event="created")
    assert isinstance(raised.value, sqlite3.IntegrityError)  # what the runner catches
    assert store.row(b)["id"] is None  # type: ignore[index]
    assert [e["kind"] for e in store.events(b)] == ["submitted"]  # nothing half-written
    assert store.adopt_id(b, "cgt-1", at=NOW, detail={}) is False
    assert store.adopt_id(b, "cgt-2", at=NOW, detail={"by": "list"}) is True
    assert store.row(b)["create_state"] == "reconciled"  # type: ignore[index]


def test_assets_are_kept_once_and_updated(store: HistoryStore):
    uid = store.insert(_row(), at=NOW)
    files = [{"idx": 1, "kind": "image", "url": "https://x/1.png"},
             {"idx": 0, "kind": "video", "url": "https://x/0.mp4", "expires_at": NOW + 86400}]  # fmt: skip
    store.set_assets(uid, files)
    store.set_assets(uid, [{"idx": 0, "kind": "video", "url": "https://other"}])  # ignored
    store.update_asset(uid, 0, {"state": "saved", "path": "/m/0.mp4", "sha256": "ab", "size": 3},
                       at=NOW, event="downloaded", detail={"bytes": 3})  # fmt: skip
    got = store.assets(uid)
    assert [(a["idx"], a["url"], a["state"]) for a in got] == [
        (0, "https://x/0.mp4", "saved"), (1, "https://x/1.png", "pending")]  # fmt: skip
    assert got[0]["path"] == "/m/0.mp4" and got[0]["attempts"] == 0
    assert store.events(uid)[-1]["detail"] == '{"idx": 0, "bytes": 3}'


def test_find_holder_known_ids_and_unfinished(store: HistoryStore):
    a = store.insert(_row(id="cgt-a"), at=NOW)
    b = store.insert(_row(id="cgt-b", phase="done"), at=NOW)
    c = store.insert(_row(provider="maxapi", id="cgt-a"), at=NOW)
    assert [r["uid"] for r in store.find("cgt-a")] == [c, a]
    assert [r["uid"] for r in store.find("cgt-a", "ark")] == [a]
    assert store.holder("ark", "https://ark.example/api/v3", "cgt-b") == b
    assert store.holder("ark", "https://elsewhere", "cgt-b") is None
    assert store.known_ids("ark", "https://ark.example/api/v3") == {"cgt-a", "cgt-b"}
    assert [r["uid"] for r in store.unfinished()] == [a, c]


def test_candidates_claimants_and_claims(store: HistoryStore):
    uid = store.insert(_row(create_state="ambiguous"), at=NOW)
    store.event(uid, "unresolved", at=NOW, detail={"candidates": ["cgt-x", "cgt-y"]})
    store.event(uid, "unresolved", at=NOW + 1, detail={"candidates": ["cgt-y"]})
    assert store.candidates(uid) == ["cgt-y"]
    assert store.claimants("cgt-y") == [uid]
    assert store.claimants("cgt-x") == []  # no longer among the latest candidates
    assert store.claim(uid, "o2", "o1") is True
    assert store.claim(uid, "o3", "o1") is False
    assert store.row(uid)["owner"] == "o2"  # type: ignore[index]
    other = store.insert(_row(owner=None), at=NOW)
    assert store.claim(other, "o2", None) is True


def test_a_batch_commits_together_and_a_refused_write_voids_nothing(store: HistoryStore):
    a = store.insert(_row(id="cgt-a"), at=NOW)
    b = store.insert(_row(), at=NOW)
    with store.batch():
        store.update(a, {"status": "running"}, at=NOW, event="polled")
        with pytest.raises(DuplicateId):
            store.update(b, {"id": "cgt-a"}, at=NOW)
        store.update(b, {"status": "queued"}, at=NOW, event="polled")
        assert store.row(b)["status"] == "queued"  # type: ignore[index]
    assert store.row(a)["status"] == "running"  # type: ignore[index]
    assert store.row(b)["status"] == "queued"  # type: ignore[index]


def test_durations_list_recent_successes(store: HistoryStore):
    uid = store.insert(_row(), at=NOW)
    store.insert(_row(), at=NOW)
    store.update(uid, {"status": "succeeded", "sent_at": NOW + 1, "finished_at": NOW + 60}, at=NOW)
    assert [(d["model"], d["finished_at"]) for d in store.durations()] == [
        ("seedance-2.0", NOW + 60)]  # fmt: skip


def test_frame_columns_dtypes_and_filters(store: HistoryStore):
    empty = store.frame()
    assert list(empty.columns) == list(COLUMNS) and list(COLUMNS)[-1] == "member"
    assert {c: str(t) for c, t in empty.dtypes.items()} == COLUMNS
    fox = store.insert(_row(), at=NOW)
    whale = store.insert(_row(prompt="a blue whale 100%_", tags=["sea"], model="seedream-4.0",
                              submitted_at=NOW - 7200), at=NOW)  # fmt: skip
    store.update(fox, {"status": "succeeded", "finished_at": NOW + 60}, at=NOW)
    store.set_assets(fox, [{"idx": 0, "kind": "video", "url": "https://x/0.mp4",
                            "expires_at": NOW - 1},
                           {"idx": 1, "kind": "image", "url": "data:image/png;base64,AA"}])  # fmt: skip
    store.update_asset(fox, 1, {"state": "saved", "path": "/m/1.png", "sha256": "cd"}, at=NOW)
    frame = store.frame()
    assert {c: str(t) for c, t in frame.dtypes.items()} == COLUMNS
    assert list(frame["uid"]) == [whale, fox]
    first = frame.set_index("uid").loc[fox]
    assert first["tags"] == ("fox", "snow") and first["member"] == "ada"
    assert first["result_urls"] == ("https://x/0.mp4", "data:…")
    assert first["files"] == ("/m/1.png",) and first["sha256"] == ("cd",)
    assert bool(first["urls_expired"]) is False  # one of its files is saved
    assert first["finished_at"].timestamp() == pytest.approx(NOW + 60)
    assert list(store.frame(tag="sea")["uid"]) == [whale]
    assert list(store.frame(text="FOX")["uid"]) == [fox]  # case-insensitive
    assert list(store.frame(text="100%_")["uid"]) == [whale]  # % and _ are literal
    assert list(store.frame(text="0%x")["uid"]) == []
    assert list(store.frame(status="succeeded", model=["seedance-2.0"])["uid"]) == [fox]
    assert list(store.frame(since="1h")["uid"]) == [fox]
    assert list(store.frame(limit=1)["uid"]) == [whale]
    assert len(store.frame(limit=0)) == 0


def test_frame_values_are_exact_whatever_they_hold(store: HistoryStore):
    odd = store.insert(_row(notebook="a\x1fb.ipynb", error_code="", currency=None,
                            tags=["x\x1fy"], member="\x1e"), at=NOW)  # fmt: skip
    plain = store.insert(_row(mode="", error_code=None, currency="USD"), at=NOW)
    frame = store.frame().set_index("uid")
    assert frame.loc[odd, "notebook"] == "a\x1fb.ipynb" and frame.loc[odd, "error_code"] == ""
    assert frame.loc[odd, "currency"] is pd.NA and frame.loc[odd, "tags"] == ("x\x1fy",)
    assert frame.loc[odd, "member"] == "\x1e"
    assert frame.loc[plain, "mode"] == "" and frame.loc[plain, "error_code"] is pd.NA
    assert frame.loc[plain, "currency"] == "USD" and frame.loc[plain, "member"] == "ada"
    for column in ("provider", "base_url", "kind", "model", "status", "phase", "create_state"):
        assert list(frame[column].fillna("<NA>")) == [
            "<NA>" if store.row(u)[column] is None else store.row(u)[column]  # type: ignore[index]
            for u in frame.index
        ]


def test_frame_keeps_empty_text_apart_from_nothing(store: HistoryStore):
    empty = store.insert(_row(mode="", error_code="", currency=None, tags=[]), at=NOW)
    store.set_assets(empty, [{"idx": 0, "kind": "video", "url": "https://x/0.mp4"}])
    frame = store.frame().set_index("uid")
    assert frame.loc[empty, "result_urls"] == ("https://x/0.mp4",)  # one file each: still tuples
    assert frame.loc[empty, "files"] == () and not frame.loc[empty, "urls_expired"]
    assert frame.loc[empty, "mode"] == "" and frame.loc[empty, "error_code"] == ""
    assert frame.loc[empty, "currency"] is pd.NA and frame.loc[empty, "status"] is pd.NA
    assert frame.loc[empty, "tags"] == () and frame.loc[empty, "provider"] == "ark"
