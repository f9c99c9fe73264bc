"""History writes from background work: a failure is logged, never raised into a task's run.

The task's in-memory state has already changed when these are called; a full disk or a locked
database must not stop its polling (the next change writes the row again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .clock import Clock
    from .history_store import HistoryStore
    from .task import Task

log = logging.getLogger("seedance_nb.lifecycle")


class Recorder:
    """Writes for the lifecycle, to the history ``history()`` returns at the time of the write."""

    def __init__(self, history: Callable[[], HistoryStore], clock: Clock) -> None:
        self._history = history
        self.clock = clock

    def _safe(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except Exception:
            log.exception("writing to the history at %s failed", self._history().location)

    def task(self, task: Task, changes: Mapping[str, Any], event: str | None, detail: Any) -> None:
        """Column changes of a task row, with the event that explains them."""
        history = self._history()
        self._safe(history.update, task.uid, dict(changes), at=self.clock.time(), event=event,
                   detail=detail)  # fmt: skip

    def event(self, task: Task, kind: str, detail: dict[str, Any]) -> None:
        history = self._history()
        self._safe(history.event, task.uid, kind, at=self.clock.time(), detail=detail)

    def assets(self, task: Task) -> None:
        """A finished task's result files (inline base64 results are recorded as ``data:…``)."""
        rows = [{**f, "url": "data:…" if f["url"].startswith("data:") else f["url"]}
                for f in task.downloads]  # fmt: skip
        self._safe(self._history().set_assets, task.uid, rows)

    def asset(
        self, task: Task, idx: int, changes: dict[str, Any], event: str | None, detail: Any
    ) -> None:
        history = self._history()
        self._safe(history.update_asset, task.uid, idx, changes, at=self.clock.time(),
                   event=event, detail=detail)  # fmt: skip
