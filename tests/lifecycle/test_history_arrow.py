"""The history frame read through Arrow (ADBC's SQLite driver) is the frame read row by row."""

from __future__ import annotations

import logging
import sqlite3
import sys
import time
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from seedance_nb.lifecycle import History, history_arrow
from seedance_nb.lifecycle.history_frame import COLUMNS, SQLITE, build_frame

NOW = time.time()
FILTERS: list[dict[str, Any]] = [
    {},
    {"status": "succeeded"},
    {"status": ["failed", "succeeded"], "model": "seedream-4.0"},
    {"model": ["seedance-2.0"]},
    {"since": "1h"},
    {"since": datetime.now(timezone.utc) - timedelta(minutes=90)},
    {"text": "FOX"},
    {"text": "100%_"},
    {"text": 'l\'été "quoted"'},
    {"text": "nothing like this"},
    {"tag": "x\x1fy"},
    {"tag": "狐狸"},
    {"tag": "fox", "status": "succeeded", "text": "fox"},
    {"limit": 1},
    {"limit": 3, "status": "succeeded"},
    {"limit": 0},
]


def _row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "provider": "ark", "base_url": "https://ark.example/api/v3", "kind": "video",
        "model": "seedance-2.0", "mode": "text", "prompt": "a red Fox in snow",
        "params": '{"duration": 5}', "tags": ["fox", "snow"], "phase": "done",
        "create_state": "acknowledged", "submitted_at": NOW, "estimated_tokens": 1000,
        "estimated_cost": 0.25, "currency": "USD",
    }  # fmt: skip
    row.update(changes)
    return row


def _fill(history: History) -> None:
    """Rows with NULLs everywhere, odd text, and tasks with one, several or no result files."""
    history.insert(_row(), at=NOW)  # no result file
    bare = history.insert({"provider": "ark", "base_url": "u", "phase": "submitting",
                           "create_state": "pending"}, at=NOW)  # fmt: skip
    with (
        closing(sqlite3.connect(history.db_path)) as conn,
        conn,
    ):  # NULL wherever the schema allows it
        conn.execute("UPDATE tasks SET member = NULL WHERE uid = ?", (bare,))
    odd = history.insert(_row(prompt="l'été \"quoted\" \\ 100%_ a\x1fb\x1e\nnext 🦊",
                              tags=["x\x1fy", "狐狸", 'say "hi"', ""], notebook="a\x1fb.ipynb",
                              error_code="", currency=None, member="\x1e", mode="",
                              parent_id="cgt-0", id="cgt-ü", model="seedream-4.0",
                              status="failed", error_message="it's \"bad\"\x1f",
                              submitted_at=NOW - 7200), at=NOW)  # fmt: skip
    history.update(odd, {"raw_status": "failed", "tokens": 0, "cost": 0.0}, at=NOW)
    several = history.insert(_row(status="succeeded", finished_at=NOW + 60, tokens=1200,
                                  cost=0.3), at=NOW)  # fmt: skip
    history.set_assets(several, [
        {"idx": 0, "kind": "video", "url": "https://x/0.mp4?a=1&b='2'", "expires_at": NOW - 1},
        {"idx": 1, "kind": "image", "url": "data:image/png;base64,AA", "expires_at": NOW + 9},
        {"idx": 2, "kind": "image", "url": "https://x/2.png", "expires_at": NOW + 99},
    ])  # fmt: skip
    history.update_asset(several, 1, {"state": "saved", "path": "/m/é 1.png", "sha256": "cd"},
                         at=NOW)  # fmt: skip
    history.update_asset(several, 2, {"state": "saved", "path": "/m/2.png"}, at=NOW)
    dead = history.insert(_row(status="succeeded", model="seedream-4.0"), at=NOW)
    history.set_assets(dead, [
        {"idx": 0, "kind": "image", "url": "https://x/a.png", "expires_at": NOW - 5},
        {"idx": 1, "kind": "image", "url": "https://x/b.png"},
    ])  # fmt: skip
    history.update_asset(dead, 1, {"state": "expired"}, at=NOW)
    one = history.insert(_row(status="succeeded", tags=[]), at=NOW)
    history.set_assets(one, [{"idx": 0, "kind": "video", "url": "data:video/mp4;base64,AA"}])
    saved = history.insert(_row(status="succeeded", finished_at=NOW), at=NOW)
    history.set_assets(saved, [{"idx": 0, "kind": "video", "url": "https://x/s.mp4",
                                "expires_at": NOW - 3}])  # fmt: skip
    history.update_asset(saved, 0, {"state": "saved", "path": "/m/s.mp4"}, at=NOW)  # no sha256


def _row_by_row(history: History, **filters: Any) -> pd.DataFrame:
    """The frame as the sqlite3 module reads it (the way taken when the Arrow read fails)."""

    def fetch(sql: str, params: Any) -> list[Any]:
        cursor = history.conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, params).fetchall()

    return build_frame(fetch, SQLITE, **filters)


@pytest.fixture(params=["whole", "halves"])
def halves(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read as one, or as two halves at once (as a history of many thousand tasks is)."""
    if request.param == "halves":
        monkeypatch.setattr(history_arrow, "_HALVES", 2)


@pytest.fixture
def fallbacks(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    """``fallbacks()``: the messages of every Arrow read that failed (and so fell back) so far."""
    caplog.set_level(logging.DEBUG, logger=history_arrow.__name__)
    return lambda: [r.getMessage() for r in caplog.records if r.name == history_arrow.__name__]


@pytest.mark.usefixtures("halves")
def test_every_filter_gives_the_same_frame_both_ways(
    tmp_path: Path, fallbacks: Callable[[], list[str]]
):
    history = History(tmp_path / "h", member="ada")
    _fill(history)
    assert history_arrow.read_arrow(history.db_path, None, [], NOW) is not None
    for filters in FILTERS:
        fast = history.frame(**filters)
        assert {c: str(t) for c, t in fast.dtypes.items()} == COLUMNS
        pd.testing.assert_frame_equal(fast, _row_by_row(history, **filters), obj=str(filters))
    assert fallbacks() == []  # the frames above were all read through Arrow
    frame = history.frame().set_index("uid")
    several = frame.loc[4]
    assert several["result_urls"] == ("https://x/0.mp4?a=1&b='2'", "data:…", "https://x/2.png")
    assert several["files"] == ("/m/é 1.png", "/m/2.png") and several["sha256"] == ("cd", "")
    assert several["urls_expire_at"].timestamp() == pytest.approx(NOW - 1)
    assert not several["urls_expired"] and frame.loc[5, "urls_expired"]
    assert frame.loc[3, "tags"] == ("x\x1fy", "狐狸", 'say "hi"', "")
    assert frame.loc[2, "member"] is pd.NA and frame.loc[2, "tags"] == ()
    assert frame.loc[2, "result_urls"] == () and frame.loc[2, "urls_expired"] is pd.NA


@pytest.mark.usefixtures("halves")
def test_a_column_null_on_the_first_thousands_of_rows_keeps_its_type(
    tmp_path: Path, fallbacks: Callable[[], list[str]]
):
    # The driver infers a column's type from its first batch of rows: a column NULL there
    # (the newest rows) and text in an older row must still come back as text.
    history = History(tmp_path / "h", member="ada")
    history.frame(limit=0)  # makes the file
    with closing(sqlite3.connect(history.db_path)) as conn, conn:
        conn.executemany(
            "INSERT INTO tasks (provider, base_url, phase, create_state, notebook, tokens, cost) "
            "VALUES ('ark', 'u', 'done', 'acknowledged', ?, ?, ?)",
            [("old.ipynb", 7, 0.5)] + [(None, None, None)] * 2500,
        )
    fast = history.frame()
    assert fallbacks() == []
    pd.testing.assert_frame_equal(fast, _row_by_row(history))
    assert list(fast["notebook"].dropna()) == ["old.ipynb"] and fast["tokens"].sum() == 7


def test_a_failing_arrow_read_falls_back_to_the_same_frame(
    tmp_path: Path, fallbacks: Callable[[], list[str]], monkeypatch: pytest.MonkeyPatch
):
    history = History(tmp_path / "h", member="ada")
    _fill(history)
    expected = history.frame()
    assert fallbacks() == []
    # The driver's type inference over too small a first batch: it refuses the later rows.
    monkeypatch.setattr(history_arrow, "_SPARE", 2 - len(expected))
    pd.testing.assert_frame_equal(history.frame(), expected)
    assert [m for m in fallbacks() if "Type mismatch" in m] == fallbacks() != []
    monkeypatch.undo()
    # The driver not installed at all.
    monkeypatch.setitem(sys.modules, "adbc_driver_sqlite.dbapi", None)
    pd.testing.assert_frame_equal(history.frame(status="succeeded"),
                                  _row_by_row(history, status="succeeded"))  # fmt: skip
    assert len(fallbacks()) == 2 and "adbc_driver_sqlite" in fallbacks()[1]


def test_a_frame_inside_a_batch_shows_its_writes(
    tmp_path: Path, fallbacks: Callable[[], list[str]]
):
    history = History(tmp_path / "h", member="ada")
    history.insert(_row(), at=NOW)
    with history.batch():
        uid = history.insert(_row(prompt="not yet committed"), at=NOW)
        assert list(history.frame()["uid"]) == [uid, uid - 1]
    assert list(history.frame()["uid"]) == [uid, uid - 1] and fallbacks() == []


def test_a_writer_in_another_process_neither_blocks_nor_shows(
    tmp_path: Path, fallbacks: Callable[[], list[str]]
):
    history = History(tmp_path / "h", member="ada")
    first = history.insert(_row(), at=NOW)
    writer = sqlite3.connect(history.db_path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO tasks (provider, base_url, phase, create_state) "
                       "VALUES ('ark', 'u', 'done', 'pending')")  # fmt: skip
        assert list(history.frame()["uid"]) == [first]  # read while the write is open
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert list(history.frame()["uid"]) == [first + 1, first] and fallbacks() == []


def test_a_file_whose_path_needs_quoting_is_read_through_arrow(
    tmp_path: Path, fallbacks: Callable[[], list[str]]
):
    history = History(tmp_path / "a #b?c=1 %20 é", member="ada")
    history.insert(_row(), at=NOW)
    assert list(history.frame()["prompt"]) == ["a red Fox in snow"] and fallbacks() == []
