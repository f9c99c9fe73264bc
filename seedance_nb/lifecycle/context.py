"""What a task handle needs from whoever runs it, as a small interface (no manager import).

:class:`~seedance_nb.lifecycle.task.Task` holds a :class:`TaskContext`;
:class:`~seedance_nb.lifecycle.manager.TaskManager` is the one implementation. Workers
(runner, pollers, downloads, reconcile, lookup) get the wider
:class:`~seedance_nb.lifecycle.services.Services` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .clock import Clock
    from .history_store import HistoryStore
    from .loop import LoopHost
    from .progress import Durations


class TaskContext(Protocol):
    """The clock, loop, history and the few services a ``Task`` asks for itself.

    Task arguments are typed ``Any`` here: this module sits below ``task.py``.
    """

    clock: Clock

    @property
    def host(self) -> LoopHost: ...

    @property
    def history(self) -> HistoryStore: ...

    @property
    def durations(self) -> Durations: ...

    def queue_position(self, task: Any) -> int | None:
        """Tasks ahead of ``task`` in the local queue, or None if it is not waiting."""

    def poll_now(self, task: Any) -> None:
        """Ask the provider about ``task`` now instead of at its next scheduled poll."""

    def record(self, task: Any, changes: Mapping[str, Any], event: str | None, detail: Any) -> None:
        """Write a task's column changes (and event) to the history; never raises."""

    def record_files(self, task: Any) -> None:
        """Write a task's result files to the history; never raises."""

    async def cancel_task(self, task: Any) -> None:
        """Withdraw a queued task, or send the provider's cancel (on the loop)."""
