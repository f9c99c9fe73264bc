"""The history on PostgreSQL: one ledger a team shares (``SEEDANCE_HISTORY=postgresql://…``).

The same rows and calls as the SQLite :class:`~seedance_nb.lifecycle.history_db.History`, through
SQLAlchemy Core over psycopg 3 and psycopg's connection pool. Every write is one short
transaction, committed before the call returns (the request row before the create is sent, the
task id right after the answer). Inserts take a transaction-scoped advisory lock, so a budget check
and the row it admits cannot interleave with another member's. Needs ``pip install
"seedance_nb[team]"``; media go to the local ``seedance-media/`` folder beside the notebook.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from . import history_pg_notices as notices
from . import media_folder
from .history_pg_leases import PostgresLeases, stamped
from .history_pg_reads import PostgresReads
from .history_store import DuplicateId, Guard, default_home, member_name

if TYPE_CHECKING:
    import pandas as pd
    from psycopg_pool import ConnectionPool
    from sqlalchemy import Connection, Engine

_EXTRA = 'pip install "seedance_nb[team]"'


def _drivers() -> None:
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            f"a postgresql:// history needs the PostgreSQL driver, which is not installed "
            f"({exc.name} is missing). Fix: {_EXTRA}"
        ) from None


class PostgresHistory(PostgresLeases, PostgresReads):
    """The history in a PostgreSQL database at ``url`` (``postgresql://user:pw@host:5432/db``).

    >>> PostgresHistory("postgresql://me@db.internal/seedance").frame(since="1d")
    """

    def __init__(
        self,
        url: str,
        *,
        home: Any = None,
        member: str | None = None,
        pool_size: int = 4,
        connect_timeout: float = 10.0,
    ) -> None:
        _drivers()
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        if parsed.get_backend_name() != "postgresql":
            raise ConfigError(f"not a postgresql:// URL: {parsed!r}")
        # psycopg takes the URL itself (libpq's form), without SQLAlchemy's "+driver".
        self._conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        self._shown = parsed.set(drivername="postgresql").render_as_string(hide_password=True)
        self.home = Path(home).expanduser() if home is not None else default_home()
        # Results go beside the notebook, as with SQLite (a shared team folder is a later step).
        self.media_dir = media_folder.resolve(self.home, None, explicit=home is not None)
        self.member = member if member is not None else member_name()
        self.pool_size = pool_size
        self.connect_timeout = connect_timeout
        self._lock = threading.RLock()
        self._pool: ConnectionPool | None = None
        self._engine: Engine | None = None
        self._batch: Connection | None = None
        self._batch_thread: int | None = None
        # Change notices (history_pg_notices): the writing manager's owner token goes with each.
        self.notice_channel = notices.CHANNEL
        self.notice_origin: str | None = None

    def __repr__(self) -> str:
        return f"PostgresHistory({self._shown!r})"

    @property
    def location(self) -> str:
        return self._shown

    # -- connection -----------------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._open()
        assert self._engine is not None
        return self._engine

    def _open(self) -> None:
        import psycopg
        from psycopg_pool import ConnectionPool
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        from .history_pg_schema import migrate

        timeout = max(1, int(self.connect_timeout))
        try:  # one plain connection first: a wrong URL fails now, with libpq's own reason
            psycopg.connect(self._conninfo, connect_timeout=timeout).close()
        except psycopg.Error as exc:
            raise ConfigError(
                f"cannot reach the history at {self._shown}: {str(exc).strip()}. Fix: check "
                "the URL in SEEDANCE_HISTORY (host, port, database, user) and that the server "
                "accepts connections from this machine"
            ) from None
        pool = ConnectionPool(
            self._conninfo,
            min_size=1,
            max_size=self.pool_size,
            kwargs={"connect_timeout": timeout},
            check=ConnectionPool.check_connection,
            close_returns=True,  # SQLAlchemy's close() hands the connection back to the pool
            name="seedance-history",
            open=True,
        )
        engine = create_engine("postgresql+psycopg://", creator=pool.getconn, poolclass=NullPool)
        try:
            with engine.begin() as conn:
                migrate(conn)
        except BaseException:
            engine.dispose()
            pool.close()
            raise
        self._pool, self._engine = pool, engine

    @contextlib.contextmanager
    def _tx(self) -> Iterator[Connection]:
        from sqlalchemy.exc import IntegrityError

        with self._lock:
            try:
                if self._batch is not None:
                    # Inside batch(): a savepoint, so one failed write does not void the others.
                    with self._batch.begin_nested():
                        yield self._batch
                    return
                with self.engine.begin() as conn:
                    yield conn
            except IntegrityError as exc:
                if getattr(exc.orig, "sqlstate", None) == "23505":  # unique_violation
                    raise DuplicateId(str(exc.orig).splitlines()[0]) from exc
                raise

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Connection]:
        """The batch's connection on the thread writing it (to see its own writes), else one
        from the pool."""
        batch = self._batch
        if batch is not None and self._batch_thread == threading.get_ident():
            yield batch
            return
        with self.engine.connect() as conn:
            yield conn

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        with self._lock:
            if self._batch is not None:
                yield
                return
            with self.engine.connect() as conn:
                transaction = conn.begin()
                self._batch, self._batch_thread = conn, threading.get_ident()
                try:
                    yield
                finally:
                    self._batch = self._batch_thread = None
                    transaction.commit()

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            if self._pool is not None:
                self._pool.close()
            self._engine = self._pool = None

    # -- writes ---------------------------------------------------------------------------------
    def _guarded(self, conn: Connection, guard: Guard | None) -> None:
        from sqlalchemy import text

        from .history_pg_schema import INSERT_LOCK

        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": INSERT_LOCK})
        if guard is not None:
            guard(lambda sql, params: [tuple(r) for r in conn.execute(text(sql), dict(params))])

    def insert(self, row: Mapping[str, Any], *, at: float, guard: Guard | None = None) -> int:
        from .history_pg_schema import tasks

        values = _values(tasks, stamped({"member": self.member, **row}), skip=("uid",))
        with self._tx() as conn:
            self._guarded(conn, guard)
            uid = int(
                conn.execute(tasks.insert().values(values).returning(tasks.c.uid)).scalar_one()
            )
            _event(conn, uid, at, "submitted", row.get("status"), None)
            self._notice(conn, uid, "insert")
        return uid

    def check(self, guard: Guard) -> None:
        with self._tx() as conn:
            self._guarded(conn, guard)

    def update(
        self,
        uid: int,
        changes: Mapping[str, Any],
        *,
        at: float,
        event: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        from .history_pg_schema import tasks

        values = _values(tasks, changes, skip=("uid",))
        with self._tx() as conn:
            if values:
                conn.execute(tasks.update().where(tasks.c.uid == uid).values(values))
            if event is not None:
                _event(conn, uid, at, event, changes.get("status"), detail)
            if values or event is not None:
                self._notice(conn, uid, "update")

    def event(
        self, uid: int, kind: str, *, at: float, detail: Mapping[str, Any] | None = None
    ) -> None:
        with self._tx() as conn:
            _event(conn, uid, at, kind, None, detail)
            self._notice(conn, uid, "event")

    def set_assets(self, uid: int, assets: list[Mapping[str, Any]]) -> None:
        from sqlalchemy.dialects.postgresql import insert

        from .history_pg_schema import assets as table

        rows = [{"uid": uid, "idx": a["idx"], "kind": a["kind"], "url": a["url"],
                 "expires_at": a.get("expires_at"), "state": a.get("state", "pending")}
                for a in assets]  # fmt: skip
        if not rows:
            return
        with self._tx() as conn:
            conn.execute(insert(table).values(rows).on_conflict_do_nothing())
            self._notice(conn, uid, "assets")

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
        from .history_pg_schema import assets

        values = _values(assets, changes, skip=("uid", "idx"))
        with self._tx() as conn:
            if values:
                conn.execute(
                    assets.update().where(assets.c.uid == uid, assets.c.idx == idx).values(values)
                )
            if event is not None:
                _event(conn, uid, at, event, None, {"idx": idx, **(detail or {})})
            if values or event is not None:
                self._notice(conn, uid, "asset")

    def adopt_id(self, uid: int, task_id: str, *, at: float, detail: Mapping[str, Any]) -> bool:
        try:
            self.update(uid, {"id": task_id, "create_state": "reconciled"}, at=at,
                        event="reconciled", detail=detail)  # fmt: skip
        except DuplicateId:
            return False
        return True

    def claim(self, uid: int, owner: str, expected: str | None) -> bool:
        from .history_pg_schema import tasks

        with self._tx() as conn:
            done = conn.execute(
                tasks.update()
                .where(tasks.c.uid == uid, tasks.c.owner.is_not_distinct_from(expected))
                .values(owner=owner)
            )
            if done.rowcount == 1:
                self._notice(conn, uid, "claim")
            return done.rowcount == 1

    def _notice(self, conn: Connection, uid: int, hint: str) -> None:
        notices.send(conn, uid, hint, self.notice_origin, self.notice_channel)

    # -- reads (the queries are in PostgresReads) ------------------------------------------------
    def frame(
        self,
        status: str | list[str] | None = None,
        model: str | list[str] | None = None,
        since: Any = None,
        text: str | None = None,
        tag: str | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        from .history_frame import POSTGRES, build_frame

        _ = self.engine  # opened, migrated
        pool = self._pool
        assert pool is not None

        def fetch(sql: str, params: Any) -> list[Any]:
            # Binary results: numbers arrive as numbers, not text to parse (a third faster).
            with pool.connection() as conn, conn.cursor(binary=True) as cursor:
                return cursor.execute(sql, params).fetchall()

        return build_frame(fetch, POSTGRES, status=status, model=model, since=since,
                           text=text, tag=tag, limit=limit)  # fmt: skip


def _values(table: Any, changes: Mapping[str, Any], *, skip: tuple[str, ...]) -> dict[str, Any]:
    return {c: _sql(v) for c, v in changes.items() if c in table.c and c not in skip}


def _sql(value: Any) -> Any:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)  # the SQLite schema's 0/1 integers
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value  # enums
    return value


def _event(conn: Connection, uid: int, at: float, kind: str, status: Any, detail: Any) -> None:
    from .history_pg_schema import events

    conn.execute(events.insert().values(
        uid=uid, at=at, kind=kind, status=_sql(status),
        detail=json.dumps(dict(detail), default=str) if detail else None,
    ))  # fmt: skip
