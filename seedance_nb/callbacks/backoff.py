"""Polling of tasks that have a callback URL: a slow safety net, the receiver does the work."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..lifecycle.task import Task


def safety_net(policy: Any, task: Task) -> float:
    """The least time between polls of ``task``: ``policy.callback_safety_net`` when its create
    carried a callback URL (the row has a callback token), else 0 (polling as before)."""
    if not task.row.get("callback_token"):
        return 0.0
    return float(getattr(policy, "callback_safety_net", 0.0) or 0.0)


def first_poll(policy: Any, task: Task) -> float:
    """Seconds until the first poll of ``task`` (0 without a callback URL)."""
    return safety_net(policy, task)


def follow_callbacks(manager: Any, task: Task) -> None:
    """A task whose create carried a callback URL is followed in the ledger from now on, where
    the receiver records what its callbacks bring (on the manager's loop)."""
    if task.row.get("callback_token"):
        from .follow import follower

        follower(manager).watch(task)
