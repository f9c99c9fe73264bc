"""The history's one interface, and the choice of where it lives.

Two implementations keep the same tables (``history_schema``) and answer the same calls:
:class:`~seedance_nb.lifecycle.history_db.History`, one SQLite file (the default, for one person),
and :class:`~seedance_nb.lifecycle.history_pg.PostgresHistory`, a PostgreSQL database a team
shares (``pip install "seedance_nb[team]"``). :func:`.history_open.open_history` picks one
from a location:

| location                              | history                                   |
|---------------------------------------|-------------------------------------------|
| ``postgresql://user@host/db``          | PostgreSQL (also ``postgres://``)          |
| a folder, a ``.sqlite3`` file, ``sqlite:///path`` | SQLite                          |
| nothing                                | ``configure(history=...)``, else ``$SEEDANCE_HISTORY``, else SQLite in :func:`default_home` |
"""

from __future__ import annotations

import abc
import contextlib
import getpass
import os
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

# A budget check run inside the transaction that inserts a row: it gets a ``query(sql, params)``
# (named ``:params``, rows as tuples) and raises BudgetExceeded to refuse.
Query = Callable[[str, Mapping[str, Any]], list[tuple[Any, ...]]]
Guard = Callable[[Query], None]

_PG_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")
_KEY_ENVS = ("ARK_API_KEY", "MAXAPI_KEY", "MAXAPI_API_KEY")


class DuplicateId(sqlite3.IntegrityError):
    """Another row already holds this provider task id.

    A subclass of ``sqlite3.IntegrityError`` so that code written against the SQLite history
    catches it the same way on every backend.
    """


def default_home() -> Path:
    """``$SEEDANCE_HOME`` if set, else ``.seedance/`` in the working directory (beside the
    notebook in Jupyter). Read when called, never at import."""
    env = os.environ.get("SEEDANCE_HOME")
    return Path(env).expanduser() if env else Path.cwd() / ".seedance"


def member_name(env: Mapping[str, str] | None = None) -> str:
    """Who this process submits as, recorded in every row it writes: ``$SEEDANCE_MEMBER``, else
    the operating system's user name. Refused if it is one of the configured API keys."""
    env = os.environ if env is None else env
    name = (env.get("SEEDANCE_MEMBER") or "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # no user database entry (some containers)
            name = "unknown"
    if any(env.get(k) and env.get(k, "").strip() == name for k in _KEY_ENVS):
        raise ConfigError(
            "SEEDANCE_MEMBER holds an API key; it is written into every history row others "
            "read, so it was not used. Fix: set SEEDANCE_MEMBER to your name"
        )
    return name


def is_postgres(location: Any) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) URL."""
    return isinstance(location, str) and location.startswith(_PG_SCHEMES)


_configured: Any = None


def set_default(location: Any) -> None:
    """The location :func:`open_history` uses when given none (``configure(history=...)``)."""
    global _configured
    _configured = location


def chosen_location(location: Any = None) -> Any:
    """The argument, else ``configure(history=...)``, else ``$SEEDANCE_HISTORY``, else None
    (SQLite in :func:`default_home`)."""
    for value in (location, _configured, os.environ.get("SEEDANCE_HISTORY")):
        if value is not None and str(value).strip():
            return value.strip() if isinstance(value, str) else value
    return None


class HistoryStore(abc.ABC):
    """What the task lifecycle asks of a history; both backends keep the same rows.

    Writes are short transactions; a row's ``submitted`` event is written with it. ``member``
    is recorded in every row this store inserts.
    """

    home: Path  # the history's own folder (``.seedance/``)
    media_dir: Path
    member: str

    @property
    @abc.abstractmethod
    def location(self) -> str:
        """Where the history is, for messages (a path, or a URL without its password)."""

    # -- writes -----------------------------------------------------------------------------------
    @abc.abstractmethod
    def insert(self, row: Mapping[str, Any], *, at: float, guard: Guard | None = None) -> int:
        """Insert a task row and its ``submitted`` event; returns its ``uid``. ``guard`` (the
        budget check) runs first in the same transaction, with no other insert in between on any
        process sharing this history, and may raise to refuse."""

    @abc.abstractmethod
    def check(self, guard: Guard) -> None:
        """Run ``guard`` as :meth:`insert` would, inserting nothing (a batch's total)."""

    @abc.abstractmethod
    def update(
        self,
        uid: int,
        changes: Mapping[str, Any],
        *,
        at: float,
        event: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Change columns of one row and append an event, in one transaction. Giving a row a
        provider task id another row holds raises :class:`DuplicateId` (a ``sqlite3.IntegrityError``)."""

    @abc.abstractmethod
    def event(
        self, uid: int, kind: str, *, at: float, detail: Mapping[str, Any] | None = None
    ) -> None:
        """Append an event to a task's log."""

    @abc.abstractmethod
    def set_assets(self, uid: int, assets: list[Mapping[str, Any]]) -> None:
        """Record a task's result files (rows already there are kept)."""

    @abc.abstractmethod
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
        """Change one result file's columns and append an event."""

    @abc.abstractmethod
    def adopt_id(self, uid: int, task_id: str, *, at: float, detail: Mapping[str, Any]) -> bool:
        """Give an ambiguous row the task id found upstream; False if another row has it."""

    @abc.abstractmethod
    def claim(self, uid: int, owner: str, expected: str | None) -> bool:
        """Take over a row from a process that has ended (compare-and-set on ``owner``)."""

    # -- polling leases and the account's queue (see :mod:`.leases`) -------------------------------
    shared: bool = False  # a team's ledger: leases, not process liveness, say who runs a task

    @abc.abstractmethod
    def take_lease(
        self,
        uid: int,
        owner: str,
        *,
        expected: tuple[str | None, float | None],
        ttl: float,
        now: float | None = None,
    ) -> bool:
        """Make ``owner`` the row's owner and lease holder until ``now + ttl``, if its
        ``(lease_owner, lease_until)`` are still ``expected`` and it is unfinished."""

    @abc.abstractmethod
    def take_leases(
        self, owner: str, *, ttl: float, limit: int, now: float | None = None
    ) -> list[dict[str, Any]]:
        """Lease to ``owner`` up to ``limit`` unfinished rows whose lease is free or lapsed
        (rows another member is taking at the same moment are skipped); returns them as they
        were before (their previous ``owner``), oldest first."""

    @abc.abstractmethod
    def renew_leases(self, owner: str, *, ttl: float, now: float | None = None) -> set[int]:
        """Extend every lease ``owner`` holds to ``now + ttl`` in one statement, releasing those
        of finished rows; returns the uids of the unfinished rows it still holds."""

    @abc.abstractmethod
    def release_leases(self, owner: str, uids: list[int] | None = None) -> int:
        """Give up ``owner``'s leases (all, or those of ``uids``); how many."""

    @abc.abstractmethod
    def lease_holders(self, now: float | None = None) -> int:
        """How many members hold a lease that has not lapsed."""

    @abc.abstractmethod
    def reserve_queue_slot(
        self, uid: int, provider: str, base_url: str, cap: int | None, *, hold: float,
        per_minute: tuple[str, float] | None = None, now: float | None = None,
    ) -> bool:  # fmt: skip
        """Whether row ``uid`` may be sent without the account passing ``cap`` tasks queued
        upstream, nor ``per_minute = (model, n)`` creates of that model in the last 60 s, counted
        over every member's rows; if so the row holds a slot (``sent_at``) for ``hold`` seconds
        until its create is recorded. Check and hold are one transaction."""

    @abc.abstractmethod
    def batch(self) -> contextlib.AbstractContextManager[None]:
        """Writes made inside share one transaction (use it only around code that does not await)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections; the store opens again on next use."""

    # -- reads ------------------------------------------------------------------------------------
    @abc.abstractmethod
    def row(self, uid: int) -> dict[str, Any] | None:
        """One task row by ``uid``."""

    @abc.abstractmethod
    def find(self, task_id: str, provider: str | None = None) -> list[dict[str, Any]]:
        """Rows with this provider task id (newest first)."""

    @abc.abstractmethod
    def unfinished(self) -> list[dict[str, Any]]:
        """Rows not yet done, oldest first."""

    @abc.abstractmethod
    def known_ids(self, provider: str, base_url: str) -> set[str]:
        """Every provider task id recorded for one endpoint."""

    @abc.abstractmethod
    def holder(self, provider: str, base_url: str, task_id: str) -> int | None:
        """The row that holds this provider task id, if any."""

    @abc.abstractmethod
    def candidates(self, uid: int) -> list[str]:
        """The upstream ids last listed as candidates of an ambiguous create."""

    @abc.abstractmethod
    def claimants(self, task_id: str) -> list[int]:
        """Rows without a task id whose latest candidates include ``task_id``."""

    @abc.abstractmethod
    def assets(self, uid: int) -> list[dict[str, Any]]:
        """A task's result files, in order."""

    @abc.abstractmethod
    def events(self, uid: int | None = None) -> list[dict[str, Any]]:
        """The append-only log of state changes (all rows, or one task's)."""

    @abc.abstractmethod
    def durations(self, limit: int = 2000) -> list[dict[str, Any]]:
        """Recent successful runs: model, params and how long they took (for progress)."""

    @abc.abstractmethod
    def frame(
        self,
        status: str | list[str] | None = None,
        model: str | list[str] | None = None,
        since: Any = None,
        text: str | None = None,
        tag: str | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Tasks as a DataFrame with the documented columns and dtypes, newest first."""
