"""Taking a provider's answer about a task: :func:`.transitions.decide` says what changes, the
task applies it, and the limiter and pollers hear when the task moved or finished.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import SeedanceError
from ..status import TaskSnapshot
from .transitions import NO_RESULT_POLLS, Event, decide

if TYPE_CHECKING:
    from .services import Services
    from .task import Task

__all__ = ["NO_RESULT_POLLS", "apply_event", "apply_snapshot"]


def apply_snapshot(services: Services, task: Task, snap: TaskSnapshot) -> bool:
    """Take a provider's answer about ``task``; True once the task is in a terminal state.

    The state never moves backwards, a terminal state is final, and a status word we do not know
    (UNKNOWN) is shown as ``raw_status`` but never taken for progress, let alone success.
    """
    if task.status is not None and task.status.terminal:
        return True
    change = decide(task.row, snap, services.clock.time(),
                    no_result_polls=task.no_result_polls, has_files=bool(task.downloads))  # fmt: skip
    task.apply(change)
    if "status" not in change.changes:
        return False  # an answer that moves nothing (backwards, or the same state)
    services.limiter.on_status(task)
    if change.terminal:
        services.pollers.finished(task)
    return change.terminal


def apply_event(
    services: Services,
    task: Task,
    event: Event,
    *,
    durable: bool = False,
    error: SeedanceError | None = None,
) -> None:
    """Take a named lifecycle event (see :data:`.transitions.EVENTS`) for ``task``; ``error``
    (if given) is the exception that explains it, kept as ``task.error``."""
    change = decide(task.row, event, services.clock.time(), no_result_polls=task.no_result_polls)
    if error is None:
        task.apply(change, durable=durable)
    else:
        task.apply(change, durable=durable, error=error)
