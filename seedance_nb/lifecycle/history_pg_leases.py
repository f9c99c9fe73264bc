"""Polling leases and the account's queue count on the PostgreSQL history (a team's ledger).

A member takes leases with ``SELECT … FOR UPDATE SKIP LOCKED`` on unfinished rows whose lease is
free or lapsed, so members sweeping at the same moment take disjoint rows without waiting on one
another; it renews all of its leases in one ``UPDATE`` per heartbeat and releases them when a
task settles or its manager closes. Lease times are the members' wall clocks (``time.time()``),
which must agree to within a few seconds (NTP), far below the lease's length. The queue count
runs under a transaction-scoped advisory lock, so two members never both take the last slot.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .history_db_leases import _FREE, has_room
from .leases import lease_ttl

if TYPE_CHECKING:
    from sqlalchemy import Connection

QUEUE_LOCK = 0x5EED_0003  # serialises queue-slot checks across members


def stamped(row: Mapping[str, Any], now: float | None = None) -> dict[str, Any]:
    """A new row leased to the member inserting it (its ``owner``) for one lease length, so no
    other member's sweep takes it before the first heartbeat."""
    out = dict(row)
    if out.get("owner") and out.get("phase") != "done" and not out.get("lease_owner"):
        out["lease_owner"] = out["owner"]
        out["lease_until"] = (time.time() if now is None else now) + lease_ttl()
    return out


class PostgresLeases:
    """Lease methods of :class:`~seedance_nb.lifecycle.history_pg.PostgresHistory`."""

    shared = True

    if TYPE_CHECKING:  # provided by PostgresHistory

        def _tx(self) -> contextlib.AbstractContextManager[Connection]: ...

    def take_lease(
        self,
        uid: int,
        owner: str,
        *,
        expected: tuple[str | None, float | None],
        ttl: float,
        now: float | None = None,
    ) -> bool:
        from sqlalchemy import text

        now = time.time() if now is None else now
        with self._tx() as conn:
            done = conn.execute(
                text(
                    "UPDATE tasks SET owner = :owner, lease_owner = :owner, lease_until = :until "
                    "WHERE uid = :uid AND phase != 'done' "
                    "AND lease_owner IS NOT DISTINCT FROM CAST(:held AS TEXT) "
                    "AND lease_until IS NOT DISTINCT FROM CAST(:until_was AS DOUBLE PRECISION)"
                ),
                {"owner": owner, "until": now + ttl, "uid": uid, "held": expected[0],
                 "until_was": expected[1]},
            )  # fmt: skip
            return done.rowcount == 1

    def take_leases(
        self, owner: str, *, ttl: float, limit: int, now: float | None = None
    ) -> list[dict[str, Any]]:
        from sqlalchemy import text

        now = time.time() if now is None else now
        with self._tx() as conn:
            rows = [dict(r._mapping) for r in conn.execute(
                text(f"SELECT * FROM tasks WHERE {_FREE} ORDER BY uid LIMIT :limit "
                     "FOR UPDATE SKIP LOCKED"),
                {"now": now, "owner": owner, "limit": limit},
            )]  # fmt: skip
            if rows:
                conn.execute(
                    text("UPDATE tasks SET lease_owner = :owner, lease_until = :until "
                         "WHERE uid = ANY(:uids)"),
                    {"owner": owner, "until": now + ttl, "uids": [r["uid"] for r in rows]},
                )  # fmt: skip
        return rows

    def renew_leases(self, owner: str, *, ttl: float, now: float | None = None) -> set[int]:
        from sqlalchemy import text

        now = time.time() if now is None else now
        with self._tx() as conn:
            rows = conn.execute(
                text(
                    "UPDATE tasks SET "
                    "lease_owner = CASE WHEN phase = 'done' THEN NULL ELSE lease_owner END, "
                    "lease_until = CASE WHEN phase = 'done' THEN NULL ELSE :until END "
                    "WHERE lease_owner = :owner RETURNING uid, phase"
                ),
                {"owner": owner, "until": now + ttl},
            ).all()
        return {int(r[0]) for r in rows if r[1] != "done"}

    def release_leases(self, owner: str, uids: list[int] | None = None) -> int:
        from sqlalchemy import text

        sql = "UPDATE tasks SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = :owner"
        params: dict[str, Any] = {"owner": owner}
        if uids is not None:
            sql += " AND uid = ANY(:uids)"
            params["uids"] = list(uids)
        with self._tx() as conn:
            return int(conn.execute(text(sql), params).rowcount)

    def lease_holders(self, now: float | None = None) -> int:
        from sqlalchemy import text

        now = time.time() if now is None else now
        with self._tx() as conn:
            return int(conn.execute(
                text("SELECT count(DISTINCT lease_owner) FROM tasks WHERE lease_until >= :now"),
                {"now": now},
            ).scalar_one())  # fmt: skip

    def reserve_queue_slot(
        self, uid: int, provider: str, base_url: str, cap: int | None, *, hold: float,
        per_minute: tuple[str, float] | None = None, now: float | None = None,
    ) -> bool:  # fmt: skip
        from sqlalchemy import text

        now = time.time() if now is None else now
        with self._tx() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": QUEUE_LOCK})

            def count(sql: str, params: dict[str, Any]) -> int:
                return int(conn.execute(text(sql), params).scalar_one())

            if not has_room(count, uid, provider, base_url, cap, per_minute, hold, now):
                return False
            conn.execute(
                text("UPDATE tasks SET sent_at = :now WHERE uid = :uid "
                     "AND create_state = 'pending'"),
                {"now": now, "uid": uid},
            )  # fmt: skip
            return True
