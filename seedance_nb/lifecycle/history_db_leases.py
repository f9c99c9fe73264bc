"""Polling leases and the account's queue count on the SQLite history.

The same calls as on PostgreSQL (:mod:`.history_pg_leases`). One SQLite file has one writer at a
time (``BEGIN IMMEDIATE``), so a check and the write it allows never interleave with another
process's. A single user's kernels keep deciding by process liveness (``History.shared`` is
False); these calls are here so both backends answer the same contract.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

# Rows of one account waiting upstream, counted for the account's queue cap: sent or acknowledged
# and not yet running, plus rows holding a slot for a create about to go out.
QUEUED_SQL = (
    "SELECT count(*) FROM tasks WHERE provider = :provider AND base_url = :base_url "
    "AND uid != :uid AND phase != 'done' AND ("
    "(create_state IN ('sent', 'ambiguous', 'acknowledged', 'reconciled') "
    "AND (status IS NULL OR status IN ('queued', 'unknown'))) "
    "OR (create_state = 'pending' AND sent_at > :since))"
)
# Creates of one model sent in the last minute (rows holding a slot included).
SENT_SQL = (
    "SELECT count(*) FROM tasks WHERE provider = :provider AND base_url = :base_url "
    "AND model = :model AND uid != :uid AND sent_at > :minute_ago"
)
_FREE = (
    "phase != 'done' AND (lease_owner IS NULL OR lease_until IS NULL OR lease_until < :now) "
    "AND (lease_owner IS NULL OR lease_owner != :owner)"
)


class SqliteLeases:
    """Lease methods of :class:`~seedance_nb.lifecycle.history_db.History`."""

    shared = False

    if TYPE_CHECKING:  # provided by History

        def _tx(
            self, conn: sqlite3.Connection | None = None
        ) -> contextlib.AbstractContextManager[sqlite3.Connection]: ...

    def take_lease(
        self,
        uid: int,
        owner: str,
        *,
        expected: tuple[str | None, float | None],
        ttl: float,
        now: float | None = None,
    ) -> bool:
        now = time.time() if now is None else now
        with self._tx() as conn:
            cursor = conn.execute(
                "UPDATE tasks SET owner = :owner, lease_owner = :owner, lease_until = :until "
                "WHERE uid = :uid AND phase != 'done' AND lease_owner IS :held "
                "AND lease_until IS :until_was",
                {"owner": owner, "until": now + ttl, "uid": uid, "held": expected[0],
                 "until_was": expected[1]},
            )  # fmt: skip
            return cursor.rowcount == 1

    def take_leases(
        self, owner: str, *, ttl: float, limit: int, now: float | None = None
    ) -> list[dict[str, Any]]:
        now = time.time() if now is None else now
        with self._tx() as conn:
            rows = [dict(r) for r in conn.execute(
                f"SELECT * FROM tasks WHERE {_FREE} ORDER BY uid LIMIT :limit",
                {"now": now, "owner": owner, "limit": limit},
            ).fetchall()]  # fmt: skip
            for chunk in _chunks([r["uid"] for r in rows]):
                conn.execute(
                    f"UPDATE tasks SET lease_owner = ?, lease_until = ? "
                    f"WHERE uid IN ({', '.join('?' * len(chunk))})",
                    [owner, now + ttl, *chunk],
                )
        return rows

    def renew_leases(self, owner: str, *, ttl: float, now: float | None = None) -> set[int]:
        now = time.time() if now is None else now
        with self._tx() as conn:
            rows = conn.execute(
                "UPDATE tasks SET "
                "lease_owner = CASE WHEN phase = 'done' THEN NULL ELSE lease_owner END, "
                "lease_until = CASE WHEN phase = 'done' THEN NULL ELSE :until END "
                "WHERE lease_owner = :owner RETURNING uid, phase",
                {"owner": owner, "until": now + ttl},
            ).fetchall()
        return {int(r[0]) for r in rows if r[1] != "done"}

    def release_leases(self, owner: str, uids: list[int] | None = None) -> int:
        with self._tx() as conn:
            if uids is None:
                return conn.execute(
                    "UPDATE tasks SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?",
                    (owner,),
                ).rowcount
            count = 0
            for chunk in _chunks(uids):
                count += conn.execute(
                    "UPDATE tasks SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? "
                    f"AND uid IN ({', '.join('?' * len(chunk))})",
                    [owner, *chunk],
                ).rowcount
            return count

    def lease_holders(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        with self._tx() as conn:
            row = conn.execute(
                "SELECT count(DISTINCT lease_owner) FROM tasks WHERE lease_until >= ?", (now,)
            ).fetchone()
        return int(row[0])

    def reserve_queue_slot(
        self, uid: int, provider: str, base_url: str, cap: int | None, *, hold: float,
        per_minute: tuple[str, float] | None = None, now: float | None = None,
    ) -> bool:  # fmt: skip
        now = time.time() if now is None else now
        with self._tx() as conn:

            def count(sql: str, params: dict[str, Any]) -> int:
                return int(conn.execute(sql, params).fetchone()[0])

            if not has_room(count, uid, provider, base_url, cap, per_minute, hold, now):
                return False
            conn.execute(
                "UPDATE tasks SET sent_at = ? WHERE uid = ? AND create_state = 'pending'",
                (now, uid),
            )
            return True


def has_room(
    count: Callable[[str, dict[str, Any]], int],
    uid: int,
    provider: str,
    base_url: str,
    cap: int | None,
    per_minute: tuple[str, float] | None,
    hold: float,
    now: float,
) -> bool:
    """The account's queue and the model's creates per minute, counted with ``count``."""
    params: dict[str, Any] = {"provider": provider, "base_url": base_url, "uid": uid}
    if cap is not None and count(QUEUED_SQL, {**params, "since": now - hold}) >= cap:
        return False
    if per_minute is not None:
        model, limit = per_minute
        sent = count(SENT_SQL, {**params, "model": model, "minute_ago": now - 60.0})
        if sent >= limit:
            return False
    return True


def _chunks(uids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(uids), size):
        yield uids[start : start + size]
