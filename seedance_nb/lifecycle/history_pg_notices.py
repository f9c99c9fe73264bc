"""Change notices on a PostgreSQL ledger: the ``NOTIFY`` sent with every write of task state.

Every write of a task row (insert, update, claim, result files) calls :func:`send` inside its own
transaction, so PostgreSQL delivers the notice when that transaction commits, and never for one
that rolled back. The payload is small JSON, no key and no secret:

    {"uid": 12, "hint": "update", "by": "host:4242:9f1c0d2e"}

``uid`` is the row, ``hint`` the kind of write, ``by`` the writing manager's owner token (the
``owner`` column's form), so a member can skip notices of its own writes. One channel per ledger
(:data:`CHANNEL`; channels are per database in PostgreSQL). The listening side is
:mod:`seedance_nb.lifecycle.notices`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection

CHANNEL = "seedance_tasks"
HINTS = ("insert", "update", "event", "claim", "assets", "asset")


def payload(uid: int, hint: str, by: str | None) -> str:
    """The notice text for one write of row ``uid``."""
    return json.dumps({"uid": int(uid), "hint": hint, "by": by}, separators=(",", ":"))


def parse(text: str) -> dict[str, Any] | None:
    """A notice's payload as a dict with an int ``uid``; None for text that is not one."""
    try:
        data = json.loads(text)
        data["uid"] = int(data["uid"])
    except (ValueError, TypeError, KeyError):
        return None
    return data if isinstance(data, dict) else None


def send(conn: Connection, uid: int, hint: str, by: str | None, channel: str = CHANNEL) -> None:
    """Queue a notice for row ``uid`` in the transaction of ``conn`` (sent when it commits;
    identical notices of one transaction arrive once)."""
    from sqlalchemy import text

    conn.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": channel, "payload": payload(uid, hint, by)},
    )


def read_rows(history: Any, uids: list[int]) -> dict[int, tuple[dict[str, Any], list[Any]]]:
    """Rows ``uids`` of a PostgreSQL history with their result files, in two queries (a burst of
    notices costs the loop two round trips, not two per row)."""
    from sqlalchemy import select

    from .history_pg_schema import assets, tasks

    rows = history._rows(select(tasks).where(tasks.c.uid.in_(uids)))
    files: dict[int, list[Any]] = {}
    query = select(assets).where(assets.c.uid.in_(uids)).order_by(assets.c.uid, assets.c.idx)
    for asset in history._rows(query):
        files.setdefault(asset["uid"], []).append(asset)
    return {row["uid"]: (row, files.get(row["uid"], [])) for row in rows}
