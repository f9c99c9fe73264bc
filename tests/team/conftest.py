"""Fixtures for the team tests: one real PostgreSQL server per test session (see pg_server.py)
and ``history_url``, a fresh history on each backend.

Where PostgreSQL cannot be started the PostgreSQL cases FAIL when ``CI`` is set, and are skipped
with the reason elsewhere (a developer's machine without the package).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .pg_server import PgServer, PgUnavailable

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    try:
        server = PgServer()
        server.start()
    except PgUnavailable as exc:
        reason = f"NO POSTGRESQL SERVER, the team history is NOT TESTED here: {exc}"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test."""
    url = pg_server.new_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture(params=BACKENDS)
def history_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a fresh history lives: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "history.sqlite3")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(autouse=True)
def _member(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SEEDANCE_HISTORY", "SEEDANCE_HOME", "ARK_API_KEY", "MAXAPI_KEY",
                 "MAXAPI_API_KEY", "SEEDANCE_PROVIDER", "SEEDANCE_BASE_URL"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SEEDANCE_MEMBER", "ada")


@pytest.fixture(autouse=True)
def _no_listener_left() -> Iterator[None]:
    """A test fails if a change-notice listener it started outlives it (a manager on a
    PostgreSQL ledger that was never closed keeps a thread and a connection open)."""
    before = set(threading.enumerate())
    yield
    for _ in range(250):  # a listener that was told to stop ends within its 0.2 s wait
        left = [t for t in set(threading.enumerate()) - before
                if t.name.startswith("seedance-notices") and t.is_alive()]  # fmt: skip
        if not left:
            return
        time.sleep(0.02)
    pytest.fail(f"listening thread(s) left running, a manager was not closed: {left}")
