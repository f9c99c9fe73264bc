"""History writes from background work: a failure is logged, never raised into a task's run.

The task's in-memory state has already changed when these are called; a full disk or a locked
database must not stop its polling (the next change writes the row again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .manager import TaskManager
    from .task import Task

log = logging.getLogger("seedance_nb.lifecycle")


class Recorder:
    def __init__(self, manager: TaskManager) -> None:
        self.manager = manager

    def _safe(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except Exception:
            log.exception("writing to the history at %s failed", self.manager.history.location)

    def task(self, task: Task, changes: dict[str, Any], event: str | None, detail: Any) -> None:
        """Column changes of a task row, with the event that explains them."""
        history = self.manager.history
        self._safe(history.update, task.uid, changes, at=self.manager.clock.time(), event=event,
                   detail=detail)  # fmt: skip

    def event(self, task: Task, kind: str, detail: dict[str, Any]) -> None:
        history = self.manager.history
        self._safe(history.event, task.uid, kind, at=self.manager.clock.time(), detail=detail)

    def assets(self, task: Task) -> None:
        """A finished task's result files (inline base64 results are recorded as ``data:…``)."""
        rows = [{**f, "url": "data:…" if f["url"].startswith("data:") else f["url"]}
                for f in task._files]  # fmt: skip
        self._safe(self.manager.history.set_assets, task.uid, rows)

    def asset(
        self, task: Task, idx: int, changes: dict[str, Any], event: str | None, detail: Any
    ) -> None:
        history = self.manager.history
        self._safe(history.update_asset, task.uid, idx, changes, at=self.manager.clock.time(),
                   event=event, detail=detail)  # fmt: skip
