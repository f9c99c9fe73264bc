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
    from .services import Services


def load(services: Services, row: dict[str, Any]) -> Task:
    """The handle for a history row (the same object if this session has one already)."""
    files = services.history.assets(row["uid"])
    task = services.handles.get(row["uid"])
    if task is None:
        task = services.handles[row["uid"]] = Task(services, row, files=files)
    else:
        task.reload(row, files)
    if row.get("id") is None and row.get("create_state") in ("sent", "ambiguous"):
        task.candidates = tuple(services.history.candidates(task.uid))
    return task


def continue_or_show(services: Services, row: dict[str, Any]) -> Task:
    """Continue an unfinished row here, unless a live process runs it: then a snapshot."""
    if row["phase"] != "done":
        taken = reconcile.take_over(services, row)
        if taken is not None:
            return taken
    task = load(services, row)
    if task.done:
        task.settle()
    else:
        task.owned_elsewhere = row.get("owner")
    return task


def attach(services: Services, provider: str, task_id: str, base_url: str | None) -> Task:
    """A handle on an existing provider task: from the history if known, else a new row."""
    settings = services.endpoints.resolve(provider, base_url)
    for task in list(services.handles.values()):
        if task.id == task_id and task.provider == settings.provider:
            return task
    for row in services.history.find(task_id, settings.provider):
        if row["base_url"] == settings.base_url:
            return continue_or_show(services, row)
    now = services.clock.time()
    row = stored.attached_row(task_id, settings, now=now, session=services.session,
                              owner=services.owner)  # fmt: skip
    row["uid"] = services.history.insert(row, at=now)
    task = services.handles[row["uid"]] = Task(services, row)
    services.start_task(task)
    return task


def find(services: Services, ref: Task | int | str) -> Task:
    """A task by handle, local uid (``12`` or ``"#12"``) or provider task id."""
    if isinstance(ref, Task):
        return ref
    if isinstance(ref, int) or (isinstance(ref, str) and ref.lstrip("#").isdigit()):
        uid = int(str(ref).lstrip("#"))
        if uid in services.handles:
            return services.handles[uid]
        row = services.history.row(uid)
    else:
        found = [t for t in list(services.handles.values()) if t.id == ref]
        if found:
            return found[0]
        rows = services.history.find(ref)
        row = rows[0] if rows else None
    if row is None:
        raise TaskNotFound(ref, services.history.location)
    return continue_or_show(services, row)


def adopt_candidate(services: Services, task_id: str) -> Task:
    """``task_id`` was listed as a candidate of one unknown row: adopt it there."""
    uids = services.history.claimants(task_id)
    if not uids:
        raise ValueError(
            f"{task_id} is not a candidate of any unknown task in this history. Fix: name the "
            f"row: adopt(uid, {task_id!r})"
        )
    if len(uids) > 1:
        rows = ", ".join(f"#{uid}" for uid in uids)
        raise ValueError(
            f"{task_id} is a candidate of tasks {rows}; say which: adopt(uid, {task_id!r})"
        )
    return reconcile.adopt_by_hand(services, find(services, uids[0]), task_id)


def adopt(services: Services, ref: Task | int | str, task_id: str | None) -> Task:
    """``adopt(uid, "cgt-…")`` names the row; ``adopt("cgt-…")`` alone takes the one unknown
    row that lists that id among its candidates."""
    if task_id is None:
        return adopt_candidate(services, str(ref))
    return reconcile.adopt_by_hand(services, find(services, ref), task_id)
