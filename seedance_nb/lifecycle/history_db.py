"""Durable history: every request, the task id it got, every state change, every saved file.

One SQLite database, ``history.sqlite3``, in a ``.seedance/`` folder beside the notebook (the
working directory) unless ``SEEDANCE_HOME`` or an argument says otherwise; downloaded results go
to a visible ``seedance-media/`` folder beside the notebook (see :mod:`.media_folder`). The
database runs in WAL mode, every write is one short ``BEGIN IMMEDIATE`` transaction, and a busy
timeout lets two kernels write at once. sqlite3 and file-system errors become a
:class:`~seedance_nb.errors.HistoryError` naming the file and the fix.

The request row is committed before the create is sent and the task id right after the answer,
so a process killed at any point loses no task id that the provider acknowledged. Rows record
the provider and base URL, never the API key.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import media_folder
from .history_db_leases import SqliteLeases
from .history_db_setup import duplicates, migrate, reader
from .history_errors import history_error
from .history_ids import TaskIds
from .history_schema import ASSET_COLUMNS, TASK_COLUMNS
from .history_store import Guard, default_home, member_name

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["History", "default_home"]


class History(SqliteLeases, TaskIds):
    """The history database. ``path`` is a folder (``history.sqlite3`` inside) or a ``.sqlite3``
    file; by default :func:`default_home`. ``member`` is recorded in the rows it inserts
    (default :func:`~seedance_nb.lifecycle.history_store.member_name`).

    >>> History().frame(status="succeeded", since="7d", tag="fox")   # a pandas DataFrame
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        busy_timeout: float = 10.0,
        member: str | None = None,
        media_dir: str | os.PathLike[str] | None = None,
    ):
        target = Path(path).expanduser() if path is not None else default_home()
        if target.suffix in (".sqlite3", ".sqlite", ".db"):
            self.home, self.db_path = target.parent, target
        else:
            self.home, self.db_path = target, target / "history.sqlite3"
        self.media_dir = media_folder.resolve(self.home, media_dir, explicit=path is not None)
        self.busy_timeout = busy_timeout
        self.member = member if member is not None else member_name()
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self._batching = False

    def __repr__(self) -> str:
        return f"History({str(self.db_path)!r})"

    @property
    def location(self) -> str:
        return str(self.db_path)

    # -- connection -----------------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            with self._lock, self._explained():
                if self._conn is None:
                    self._conn = self._open()
        return self._conn

    @contextlib.contextmanager
    def _explained(self) -> Iterator[None]:
        """sqlite3 and file-system errors become a :class:`HistoryError` that names the file and
        the fix (a duplicate id, ``IntegrityError``, is left to the caller)."""
        try:
            yield
        except sqlite3.IntegrityError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise history_error(self.db_path, exc, self.busy_timeout) from None

    def _open(self) -> sqlite3.Connection:
        self.home.mkdir(parents=True, exist_ok=True)
        for attempt in range(5):
            try:
                conn = self._connect()
                try:
                    with self._tx(conn):
                        media_folder.move_old_files(self.home, self.media_dir, conn)
                except BaseException:
                    conn.close()
                    raise
                return conn
            except sqlite3.OperationalError as exc:
                # Two processes creating the same new database can collide on the first
                # journal-mode switch; the loser simply tries again.
                if "locked" not in str(exc) or attempt == 4:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.db_path,
            timeout=self.busy_timeout,
            isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
            check_same_thread=False,  # guarded by self._lock
        )
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL: a commit survives the process being killed (not a power cut) and costs
            # no fsync on the event loop's thread.
            conn.execute("PRAGMA synchronous = NORMAL")
            with self._tx(conn):
                migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    @contextlib.contextmanager
    def _tx(self, conn: sqlite3.Connection | None = None) -> Iterator[sqlite3.Connection]:
        conn = conn or self.conn
        with self._lock, self._explained(), duplicates():
            if self._batching:  # part of an enclosing batch(): it commits
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Writes made inside share one transaction (many tasks changed by one poll answer).

        Use it only around code that does not await: the commit comes at the end of the block.
        """
        with self._lock:
            if self._batching:
                yield
                return
            conn = self.conn
            with self._explained():
                conn.execute("BEGIN IMMEDIATE")
            self._batching = True
            try:
                yield
            finally:
                self._batching = False
                with self._explained():
                    conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- writes ---------------------------------------------------------------------------------
    def insert(
        self,
        row: Mapping[str, Any],
        *,
        at: float,
        guard: Guard | None = None,
    ) -> int:
        """Insert a task row and its ``submitted`` event; ``guard`` runs first in the same
        ``BEGIN IMMEDIATE`` transaction (the budget check) and may raise to refuse."""
        row = {"member": self.member, **row}
        cols = [c for c in row if c in TASK_COLUMNS and c != "uid"]
        with self._tx() as conn:
            if guard is not None:
                guard(reader(conn))
            cursor = conn.execute(
                f"INSERT INTO tasks ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                [_sql(row[c]) for c in cols],
            )
            uid = int(cursor.lastrowid or 0)
            _event(conn, uid, at, "submitted", row.get("status"), None)
        return uid

    def check(self, guard: Guard) -> None:
        with self._tx() as conn:
            guard(reader(conn))

    def update(
        self,
        uid: int,
        changes: Mapping[str, Any],
        *,
        at: float,
        event: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Change columns of one row and append an event, in one transaction."""
        cols = [c for c in changes if c in TASK_COLUMNS and c != "uid"]
        with self._tx() as conn:
            if cols:
                conn.execute(
                    f"UPDATE tasks SET {', '.join(f'{c} = ?' for c in cols)} WHERE uid = ?",
                    [*(_sql(changes[c]) for c in cols), uid],
                )
            if event is not None:
                _event(conn, uid, at, event, changes.get("status"), detail)

    def event(self, uid: int, kind: str, *, at: float, detail: Mapping[str, Any] | None = None):
        with self._tx() as conn:
            _event(conn, uid, at, kind, None, detail)

    def set_assets(self, uid: int, assets: list[Mapping[str, Any]]) -> None:
        with self._tx() as conn:
            for asset in assets:
                conn.execute(
                    "INSERT OR IGNORE INTO assets (uid, idx, kind, url, expires_at, state) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (uid, asset["idx"], asset["kind"], asset["url"], asset.get("expires_at"),
                     asset.get("state", "pending")),
                )  # fmt: skip

    def update_asset(
        self,
        uid: int,
        idx: int,
        changes: Mapping[str, Any],
        *,
        at: float,
        event: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        cols = [c for c in changes if c in ASSET_COLUMNS and c not in ("uid", "idx")]
        with self._tx() as conn:
            if cols:
                conn.execute(
                    f"UPDATE assets SET {', '.join(f'{c} = ?' for c in cols)} "
                    "WHERE uid = ? AND idx = ?",
                    [*(_sql(changes[c]) for c in cols), uid, idx],
                )
            if event is not None:
                _event(conn, uid, at, event, None, {"idx": idx, **(detail or {})})

    def claim(self, uid: int, owner: str, expected: str | None) -> bool:
        """Take over a row from a process that has ended (compare-and-set on ``owner``)."""
        with self._tx() as conn:
            cursor = conn.execute(
                "UPDATE tasks SET owner = ? WHERE uid = ? AND owner IS ?", (owner, uid, expected)
            )
            return cursor.rowcount == 1

    # -- reads ----------------------------------------------------------------------------------
    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self._lock, self._explained():
            return [dict(r) for r in self.conn.execute(sql, params).fetchall()]

    def row(self, uid: int) -> dict[str, Any] | None:
        rows = self._query("SELECT * FROM tasks WHERE uid = ?", (uid,))
        return rows[0] if rows else None

    def find(self, task_id: str, provider: str | None = None) -> list[dict[str, Any]]:
        """Rows with this provider task id (newest first)."""
        if provider is None:
            return self._query("SELECT * FROM tasks WHERE id = ? ORDER BY uid DESC", (task_id,))
        return self._query(
            "SELECT * FROM tasks WHERE id = ? AND provider = ? ORDER BY uid DESC",
            (task_id, provider),
        )

    def unfinished(self) -> list[dict[str, Any]]:
        return self._query("SELECT * FROM tasks WHERE phase != 'done' ORDER BY uid")

    def assets(self, uid: int) -> list[dict[str, Any]]:
        return self._query("SELECT * FROM assets WHERE uid = ? ORDER BY idx", (uid,))

    def events(self, uid: int | None = None) -> list[dict[str, Any]]:
        """The append-only log of state changes (all rows, or one task's)."""
        if uid is None:
            return self._query("SELECT * FROM events ORDER BY seq")
        return self._query("SELECT * FROM events WHERE uid = ? ORDER BY seq", (uid,))

    def durations(self, limit: int = 2000) -> list[dict[str, Any]]:
        """Recent successful runs: model, params and how long they took (for progress)."""
        return self._query(
            "SELECT model, kind, params, submitted_at, sent_at, finished_at FROM tasks "
            "WHERE status = 'succeeded' AND finished_at IS NOT NULL AND sent_at IS NOT NULL "
            "ORDER BY uid DESC LIMIT ?",
            (limit,),
        )

    def frame(
        self,
        status: str | list[str] | None = None,
        model: str | list[str] | None = None,
        since: Any = None,
        text: str | None = None,
        tag: str | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Tasks as a DataFrame with the documented columns and dtypes, newest first.

        ``status`` and ``model`` take one value or a list; ``since`` a datetime, an ISO date,
        a ``timedelta`` or a string such as ``"2h"`` / ``"7d"``; ``text`` matches the prompt
        (case-insensitive); ``tag`` one tag.
        """
        from .history_arrow import read_arrow
        from .history_frame import SQLITE, build_frame

        def fetch(sql: str, params: Any) -> list[Any]:
            cursor = self.conn.cursor()
            cursor.row_factory = None
            return cursor.execute(sql, params).fetchall()

        with self._lock, self._explained():
            conn = self.conn  # opened first: made or migrated before another connection reads
            # Writes of an open batch() are seen only by this connection: it reads them itself.
            private = self._batching or conn.in_transaction
            return build_frame(
                fetch,
                SQLITE,
                status=status,
                model=model,
                since=since,
                text=text,
                tag=tag,
                limit=limit,
                read=None
                if private
                else functools.partial(read_arrow, self.db_path, busy_timeout=self.busy_timeout),
            )


def _sql(value: Any) -> Any:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value  # enums
    return value


def _event(
    conn: sqlite3.Connection,
    uid: int,
    at: float,
    kind: str,
    status: Any,
    detail: Mapping[str, Any] | None,
) -> None:
    conn.execute(
        "INSERT INTO events (uid, at, kind, status, detail) VALUES (?, ?, ?, ?, ?)",
        (uid, at, kind, _sql(status), json.dumps(dict(detail), default=str) if detail else None),
    )
