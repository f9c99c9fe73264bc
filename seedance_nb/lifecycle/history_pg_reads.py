"""The PostgreSQL history's reads, as SQLAlchemy Core queries (the SQLite history's, one for one)."""

from __future__ import annotations

import abc
import contextlib
import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, select

from .history_pg_schema import assets, events, tasks
from .history_store import HistoryStore

if TYPE_CHECKING:
    from sqlalchemy import Connection


class PostgresReads(HistoryStore):
    """Read methods of :class:`~seedance_nb.lifecycle.history_pg.PostgresHistory`."""

    @abc.abstractmethod
    def _reading(self) -> contextlib.AbstractContextManager[Connection]:
        """A pooled connection for reads."""

    def _rows(self, statement: Any) -> list[dict[str, Any]]:
        with self._reading() as conn:
            return [dict(r._mapping) for r in conn.execute(statement)]

    def row(self, uid: int) -> dict[str, Any] | None:
        rows = self._rows(select(tasks).where(tasks.c.uid == uid))
        return rows[0] if rows else None

    def find(self, task_id: str, provider: str | None = None) -> list[dict[str, Any]]:
        query = select(tasks).where(tasks.c.id == task_id)
        if provider is not None:
            query = query.where(tasks.c.provider == provider)
        return self._rows(query.order_by(tasks.c.uid.desc()))

    def unfinished(self) -> list[dict[str, Any]]:
        return self._rows(select(tasks).where(tasks.c.phase != "done").order_by(tasks.c.uid))

    def known_ids(self, provider: str, base_url: str) -> set[str]:
        rows = self._rows(
            select(tasks.c.id).where(
                tasks.c.provider == provider, tasks.c.base_url == base_url, tasks.c.id.is_not(None)
            )
        )
        return {r["id"] for r in rows}

    def holder(self, provider: str, base_url: str, task_id: str) -> int | None:
        rows = self._rows(
            select(tasks.c.uid).where(
                tasks.c.provider == provider, tasks.c.base_url == base_url, tasks.c.id == task_id
            )
        )
        return int(rows[0]["uid"]) if rows else None

    def candidates(self, uid: int) -> list[str]:
        rows = self._rows(
            select(events.c.detail)
            .where(events.c.uid == uid, events.c.kind == "unresolved")
            .order_by(events.c.seq.desc())
            .limit(1)
        )
        if not rows or not rows[0]["detail"]:
            return []
        found = json.loads(rows[0]["detail"]).get("candidates") or []
        return [str(c) for c in found]

    def claimants(self, task_id: str) -> list[int]:
        rows = self._rows(
            select(events.c.uid)
            .distinct()
            .join(tasks, tasks.c.uid == events.c.uid)
            .where(
                events.c.kind == "unresolved",
                tasks.c.id.is_(None),
                events.c.detail.contains(json.dumps(task_id), autoescape=True),
            )
            .order_by(events.c.uid)
        )
        return [r["uid"] for r in rows if task_id in self.candidates(r["uid"])]

    def assets(self, uid: int) -> list[dict[str, Any]]:
        return self._rows(select(assets).where(assets.c.uid == uid).order_by(assets.c.idx))

    def events(self, uid: int | None = None) -> list[dict[str, Any]]:
        query = select(events)
        if uid is not None:
            query = query.where(events.c.uid == uid)
        return self._rows(query.order_by(events.c.seq))

    def durations(self, limit: int = 2000) -> list[dict[str, Any]]:
        c = tasks.c
        return self._rows(
            select(c.model, c.kind, c.params, c.submitted_at, c.sent_at, c.finished_at)
            .where(
                and_(c.status == "succeeded", c.finished_at.is_not(None), c.sent_at.is_not(None))
            )
            .order_by(c.uid.desc())
            .limit(limit)
        )
