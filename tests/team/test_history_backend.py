"""Choosing the history by URL, one schema with versioned migrations, and who submitted a row."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import psycopg
import pytest

import seedance_nb as sd
from seedance_nb.cli.main import main as cli
from seedance_nb.errors import ConfigError
from seedance_nb.lifecycle import History, TaskManager, open_history
from seedance_nb.lifecycle.history_pg import PostgresHistory
from seedance_nb.lifecycle.history_schema import (
    ASSET_COLUMNS,
    SCHEMA,
    SCHEMA_VERSION,
    TASK_COLUMNS,
)
from seedance_nb.lifecycle.history_store import member_name

# The schema as the first released version made it (before ``member``).
V1_SCHEMA = SCHEMA.replace(
    ", member TEXT,\n    lease_owner TEXT, lease_until REAL, callback_token TEXT", ""
)
assert "member" not in V1_SCHEMA and "lease_owner" not in V1_SCHEMA


def _sqlite_columns(path: str, table: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def _pg_columns(url: str, table: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "ORDER BY ordinal_position",
            (table,),
        ).fetchall()
    return [r[0] for r in rows]


def test_both_backends_make_the_same_tables(tmp_path: Path, pg_url: str):
    path = str(tmp_path / "h.sqlite3")
    for location in (path, pg_url):
        open_history(location).frame(limit=0)
    assert _sqlite_columns(path, "tasks") == _pg_columns(pg_url, "tasks") == list(TASK_COLUMNS)
    assert _sqlite_columns(path, "assets") == _pg_columns(pg_url, "assets")
    assert _pg_columns(pg_url, "assets") == list(ASSET_COLUMNS)
    assert _sqlite_columns(path, "events") == _pg_columns(pg_url, "events")


def test_an_older_sqlite_history_gains_the_member_column(tmp_path: Path):
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as conn:  # a version-1 file, as the previous release left it
        conn.executescript(V1_SCHEMA)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        conn.execute("INSERT INTO tasks (provider, base_url, phase, create_state, tags) "
                     "VALUES ('ark', 'u', 'done', 'acknowledged', '[]')")  # fmt: skip
    history = History(path, member="bo")
    frame = history.frame()
    assert list(frame["member"].isna()) == [True]  # the old row: nobody recorded
    history.insert({"provider": "ark", "base_url": "u", "phase": "done",
                    "create_state": "pending"}, at=0.0)  # fmt: skip
    assert list(history.frame()["member"].fillna("?")) == ["bo", "?"]
    history.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta").fetchone() == (str(SCHEMA_VERSION),)


def test_an_older_postgres_history_gains_the_member_column(pg_url: str):
    open_history(pg_url).close()
    PostgresHistory(pg_url).frame(limit=0)
    with psycopg.connect(pg_url) as conn:  # back to version 1, as an older member made it
        for column in ("member", "lease_owner", "lease_until", "callback_token"):
            conn.execute(f"ALTER TABLE tasks DROP COLUMN {column}")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    history = PostgresHistory(pg_url, member="bo")
    history.insert({"provider": "ark", "base_url": "u", "phase": "done",
                    "create_state": "pending"}, at=0.0)  # fmt: skip
    assert list(history.frame()["member"]) == ["bo"]
    history.close()
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT value FROM meta").fetchone() == (str(SCHEMA_VERSION),)


def test_the_location_chooses_the_backend(tmp_path: Path, pg_url: str, monkeypatch):
    assert isinstance(open_history(tmp_path / "a"), History)
    assert isinstance(open_history(f"sqlite:///{tmp_path}/b.sqlite3"), History)
    monkeypatch.setenv("SEEDANCE_HISTORY", pg_url)
    chosen = open_history()
    assert isinstance(chosen, PostgresHistory) and chosen.location == pg_url
    assert isinstance(open_history(tmp_path / "c"), History)  # the argument wins
    with pytest.raises(ConfigError, match="neither a folder"):
        open_history("mysql://me@host/db")


def test_a_password_never_shows(pg_url: str):
    url = pg_url.replace("seedance@", "seedance:s3cret-pw@")
    history = open_history(url)
    assert "s3cret" not in history.location and "s3cret" not in repr(history)
    history.frame(limit=0)  # trust auth: the password is not even needed
    history.close()
    wrong = open_history(url.rsplit(":", 1)[0] + ":1/db")  # nothing listens on port 1
    with pytest.raises(ConfigError, match="cannot reach the history") as refused:
        wrong.frame()
    assert "s3cret" not in str(refused.value)


def test_configure_and_the_cli_use_the_chosen_history(tmp_path: Path, pg_url: str, capsys):
    try:
        sd.configure(history=pg_url)
        manager = sd.get_manager()
        assert isinstance(manager.history, PostgresHistory)
        manager.history.insert({"provider": "ark", "base_url": "u", "phase": "done",
                                "create_state": "pending", "prompt": "from ada"}, at=0.0)  # fmt: skip
        sd.configure(history=None)
        assert isinstance(sd.get_manager().history, History)
    finally:
        sd.configure(history=None)
        sd.get_manager().close()
    assert cli(["history", "--history", pg_url, "--json"]) == 0
    assert '"member":"ada"' in capsys.readouterr().out.replace(" ", "")
    with pytest.raises(ConfigError, match="cannot reach"):
        sd.configure(history=pg_url.rsplit(":", 1)[0] + ":1/db")


def test_the_member_is_a_name_never_a_key(monkeypatch):
    assert member_name({"SEEDANCE_MEMBER": " ada "}) == "ada"
    assert member_name({}) != ""  # the OS user name
    with pytest.raises(ConfigError, match="holds an API key") as refused:
        member_name({"SEEDANCE_MEMBER": "ark-key-123", "ARK_API_KEY": "ark-key-123"})
    assert "ark-key-123" not in str(refused.value)


def test_without_the_driver_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    with pytest.raises(ConfigError, match=r'pip install "seedance_nb\[team\]"'):
        open_history("postgresql://me@127.0.0.1/db")


def test_a_manager_takes_a_url_as_its_home(pg_url: str, tmp_path: Path, monkeypatch):
    # Results go beside the notebook (the working directory), as with a SQLite history.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEEDANCE_MEDIA", raising=False)
    manager = TaskManager(pg_url)
    assert isinstance(manager.history, PostgresHistory)
    assert manager.history.media_dir == tmp_path / "seedance-media"
    manager.close()
    monkeypatch.setenv("SEEDANCE_MEDIA", str(tmp_path / "elsewhere"))
    manager = TaskManager(pg_url)
    assert manager.history.media_dir == tmp_path / "elsewhere"
    manager.close()
