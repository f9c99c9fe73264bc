"""Finding a task: by handle, local uid or provider id, in this session or in the history.

A row from the history that is unfinished is continued here (claimed from its ended owner); if a
live process runs it, the handle is a snapshot (``task.owned_elsewhere``) that will not change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import TaskNotFound
from . import reconcile, stored
from .task import Task

if TYPE_CHECKING:
    from .manager import TaskManager


def load(manager: TaskManager, row: dict[str, Any]) -> Task:
    """The handle for a history row (the same object if this session has one already)."""
    files = manager.history.assets(row["uid"])
    task = manager._tasks.get(row["uid"])
    if task is None:
        task = Task(manager, row, files=files)
        manager._tasks[task.uid] = task
    else:
        task._row, task._files, task.owned_elsewhere = dict(row), files, None
    if row.get("id") is None and row.get("create_state") in ("sent", "ambiguous"):
        task.candidates = tuple(manager.history.candidates(task.uid))
    return task


def continue_or_show(manager: TaskManager, row: dict[str, Any]) -> Task:
    """Continue an unfinished row here, unless a live process runs it: then a snapshot."""
    if row["phase"] != "done":
        taken = reconcile.take_over(manager, row)
        if taken is not None:
            return taken
    task = load(manager, row)
    if task.done:
        task._settle()
    else:
        task.owned_elsewhere = row.get("owner")
    return task


def attach(manager: TaskManager, provider: str, task_id: str, base_url: str | None) -> Task:
    """A handle on an existing provider task: from the history if known, else a new row."""
    settings = manager.endpoints.resolve(provider, base_url)
    for task in list(manager._tasks.values()):
        if task.id == task_id and task.provider == settings.provider:
            return task
    for row in manager.history.find(task_id, settings.provider):
        if row["base_url"] == settings.base_url:
            return continue_or_show(manager, row)
    now = manager.clock.time()
    row = stored.attached_row(task_id, settings, now=now, session=manager.session,
                              owner=manager.owner)  # fmt: skip
    row["uid"] = manager.history.insert(row, at=now)
    task = Task(manager, row)
    manager._tasks[task.uid] = task
    manager._start(task)
    return task


def find(manager: TaskManager, ref: Task | int | str) -> Task:
    """A task by handle, local uid (``12`` or ``"#12"``) or provider task id."""
    if isinstance(ref, Task):
        return ref
    if isinstance(ref, int) or (isinstance(ref, str) and ref.lstrip("#").isdigit()):
        uid = int(str(ref).lstrip("#"))
        if uid in manager._tasks:
            return manager._tasks[uid]
        row = manager.history.row(uid)
    else:
        found = [t for t in list(manager._tasks.values()) if t.id == ref]
        if found:
            return found[0]
        rows = manager.history.find(ref)
        row = rows[0] if rows else None
    if row is None:
        raise TaskNotFound(ref, manager.history.location)
    return continue_or_show(manager, row)
