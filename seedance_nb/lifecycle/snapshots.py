"""Taking a provider's answer about a task: states never move backwards, a terminal state is
final, an unknown word is shown but never taken for progress, and "succeeded" with nothing to
download is polled a bounded number of times, then shown as failed with the provider's answer.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..status import Status, TaskSnapshot
from .budget import actual_cost

if TYPE_CHECKING:
    from .manager import TaskManager
    from .task import Task

NO_RESULT_POLLS = 5  # "succeeded" answers without a result URL, before it is shown as failed


def apply_snapshot(manager: TaskManager, task: Task, snap: TaskSnapshot) -> bool:
    """Take a provider's answer about ``task``; True once the task is in a terminal state.

    The state never moves backwards, a terminal state is final, and a status word we do not know
    (UNKNOWN) is shown as ``raw_status`` but never taken for progress, let alone success.
    """
    current, new = task.status, snap.status
    if current is not None and current.terminal:
        return True
    if snap.no_result:
        task._no_result_polls += 1
        if task._no_result_polls >= NO_RESULT_POLLS:
            _succeeded_without_result(manager, task, snap)
            return True
    if current is not None and new.rank < current.rank:
        if new is Status.UNKNOWN and snap.raw_status != task.raw_status:
            task._set(raw_status=snap.raw_status, event="unknown_status",
                      detail={"raw_status": snap.raw_status})  # fmt: skip
        return False
    now = manager.clock.time()
    changes: dict[str, Any] = {"status": new, "raw_status": snap.raw_status}
    if task.create_state == "attached":
        changes.update(_attached_details(task, snap))
    if new is Status.RUNNING and task._row.get("started_at") is None:
        changes["started_at"] = now
    if new.terminal:
        start = task._row.get("started_at") or task._row.get("sent_at") or task.submitted_ts
        changes["finished_at"] = _server_time(snap.updated_at, now, start)
        if snap.tokens is not None:
            changes["tokens"] = snap.tokens
            if new is Status.SUCCEEDED:
                changes["cost"] = actual_cost(task, snap.tokens)
        if snap.error_code or snap.error_message:
            changes["error_code"] = snap.error_code
            changes["error_message"] = snap.error_message
    if new is Status.SUCCEEDED and snap.assets and not task._files:
        task._files = [
            {
                "idx": i,
                "kind": a.kind,
                "url": a.url,
                "expires_at": a.expires_at.timestamp() if a.expires_at else None,
                "state": "pending",
            }
            for i, a in enumerate(snap.assets)
        ]
        manager.recorder.assets(task)
    moved = new is not current
    task._set(event="status" if moved else None, detail={"raw_status": snap.raw_status}, **changes)
    manager.limiter.on_status(task)
    if new.terminal:
        manager.pollers.finished(task)
    return new.terminal


def _succeeded_without_result(manager: TaskManager, task: Task, snap: TaskSnapshot) -> None:
    """The provider keeps saying "succeeded" with nothing to download: stop polling, say so."""
    answer = json.dumps(snap.raw, default=str, ensure_ascii=False)
    answer = answer if len(answer) <= 400 else answer[:400] + "…"
    task._set(
        status=Status.FAILED,
        raw_status=snap.raw_status,
        finished_at=manager.clock.time(),
        error_code="no_result",
        error_message=(
            f"{task.provider} answered {snap.raw_status!r} {task._no_result_polls} times but gave "
            f"no result URL, so there is nothing to save; shown as failed. Its answer: {answer}"
        ),
        event="status",
        detail={"raw_status": snap.raw_status, "no_result": True},
    )
    manager.limiter.on_status(task)
    manager.pollers.finished(task)


def _server_time(when: datetime | None, now: float, start: float) -> float:
    """The provider's finish time if it is plausible, else when we saw it (whole-second server
    stamps can fall before our own start time)."""
    if when is None:
        return now
    ts = when.timestamp()
    return ts if start <= ts <= now + 300 else now


def _attached_details(task: Task, snap: TaskSnapshot) -> dict[str, Any]:
    details: dict[str, Any] = {"create_state": "acknowledged"}
    if snap.created_at is not None:
        details["submitted_at"] = snap.created_at.timestamp()
        details["sent_at"] = snap.created_at.timestamp()
    if not task.model and snap.model:
        details["model"] = snap.model
    return details
