"""Opening a SQLite history: making or migrating its tables; what its transactions hand out.

(Kept apart from ``history_db``, whose ``History`` uses them.)
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Mapping
from typing import Any

from .history_schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION
from .history_store import DuplicateId


@contextlib.contextmanager
def duplicates() -> Iterator[None]:
    """A provider task id another row holds: :class:`DuplicateId` (still an IntegrityError)."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        if "tasks.id" in str(exc) and not isinstance(exc, DuplicateId):
            raise DuplicateId(str(exc)) from exc
        raise


def migrate(conn: sqlite3.Connection) -> None:
    """Make the tables (a new file) or bring an older file's up to :data:`SCHEMA_VERSION`."""
    conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
    found = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if found is None:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )
        return
    version = int(found[0])
    for step in range(version + 1, SCHEMA_VERSION + 1):
        for statement in MIGRATIONS[step]:
            conn.execute(statement)
    if version < SCHEMA_VERSION:
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
        )


def reader(conn: sqlite3.Connection) -> Any:
    """A guard's ``query(sql, params)`` on this transaction's connection."""

    def query(sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        cursor = conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, dict(params)).fetchall()

    return query
