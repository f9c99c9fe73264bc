"""The history's queries about provider task ids: who holds one, which rows may have made one
(the candidates of a lost create), and adopting one, for :class:`.history_db.History`."""

from __future__ import annotations

import abc
import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from .history_store import HistoryStore


class TaskIds(HistoryStore):
    """The task-id part of :class:`.history_db.History`, on its SQLite ``_query``."""

    @abc.abstractmethod
    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Rows of a read as dicts (``?`` parameters)."""

    def adopt_id(self, uid: int, task_id: str, *, at: float, detail: Mapping[str, Any]) -> bool:
        """Give an ambiguous row the task id found upstream; False if another row has it."""
        try:
            self.update(
                uid,
                {"id": task_id, "create_state": "reconciled"},
                at=at,
                event="reconciled",
                detail=detail,
            )
        except sqlite3.IntegrityError:
            return False
        return True

    def known_ids(self, provider: str, base_url: str) -> set[str]:
        rows = self._query(
            "SELECT id FROM tasks WHERE provider = ? AND base_url = ? AND id IS NOT NULL",
            (provider, base_url),
        )
        return {r["id"] for r in rows}

    def holder(self, provider: str, base_url: str, task_id: str) -> int | None:
        """The row that holds this provider task id, if any."""
        rows = self._query(
            "SELECT uid FROM tasks WHERE provider = ? AND base_url = ? AND id = ?",
            (provider, base_url, task_id),
        )
        return int(rows[0]["uid"]) if rows else None

    def candidates(self, uid: int) -> list[str]:
        """The upstream ids last listed as candidates of an ambiguous create (``unresolved``)."""
        rows = self._query(
            "SELECT detail FROM events WHERE uid = ? AND kind = 'unresolved' "
            "ORDER BY seq DESC LIMIT 1",
            (uid,),
        )
        if not rows or not rows[0]["detail"]:
            return []
        found = json.loads(rows[0]["detail"]).get("candidates") or []
        return [str(c) for c in found]

    def claimants(self, task_id: str) -> list[int]:
        """Rows without a task id whose latest candidates include ``task_id``."""
        rows = self._query(
            "SELECT DISTINCT e.uid FROM events e JOIN tasks t ON t.uid = e.uid "
            "WHERE e.kind = 'unresolved' AND t.id IS NULL AND e.detail LIKE ? ORDER BY e.uid",
            ("%" + json.dumps(task_id) + "%",),
        )
        return [r["uid"] for r in rows if task_id in self.candidates(r["uid"])]
