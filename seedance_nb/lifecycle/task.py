"""The task handle: what a generation is doing, and the ways to wait for it or stop it.

>>> task = seedance_nb.submit(VideoRequest(model="seedance-2.0", prompt="a red fox in snow"))
>>> task.status, task.progress          # None / 0.0 at first; the cell has already returned
>>> await task                          # in a cell: waits without blocking the kernel
>>> task.files                          # local copies of the results
>>> Task.from_id("ark", "cgt-20260528-abc12")   # a task made elsewhere, polled from now on

Every change is written to the history first and then reported to observers (``task.observe``),
on the event loop's thread. The lifecycle changes a task only through the few methods under
"changes": :meth:`Task.apply` (a :class:`~.transitions.Transition`), :meth:`Task.note`,
:meth:`Task.update_file`, :meth:`Task.reload`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import SeedanceError, UnsupportedOperation
from . import current
from .record import PHASES, PROVIDER_LABELS, TaskRecord

if TYPE_CHECKING:
    from .context import TaskContext
    from .transitions import Transition

__all__ = ["PHASES", "PROVIDER_LABELS", "Task"]

_KEEP: Any = object()


class Task(TaskRecord):
    """One generation, from the request row in the history to the saved files.

    Made by :meth:`TaskManager.submit` (or :meth:`Task.from_id`), not directly.
    """

    def __init__(
        self,
        manager: TaskContext,
        row: Mapping[str, Any],
        *,
        request: Any = None,
        estimate: Any = None,
        files: list[dict[str, Any]] | None = None,
    ) -> None:
        self._manager = manager
        self._row = dict(row)
        self._request = request
        self._estimate = estimate
        self._files = [dict(f) for f in files or ()]
        super().__init__()
        self._error = None
        self._params = None
        self._cancel_requested = False
        self._no_result_polls = 0  # "succeeded" answers without a result URL seen so far
        self.poll_error = None  # last transient polling trouble, for display
        self.cancel_error = None  # why a cancel sent from a cell failed
        self.candidates = ()  # upstream ids that might be this ambiguous create
        self.answered_at: float | None = None  # when an ambiguous create's answer came (or not)
        self.request_problem = None  # why the request cannot be rebuilt, if so
        # Set when another live process runs this task: this handle is a snapshot of the history.
        self.owned_elsewhere: str | None = None

    def __repr__(self) -> str:
        status = self.status.value if self.status else self.phase
        return f"<Task #{self.uid} {self.provider} {self.id or '(no id yet)'} {status}>"

    # -- cancel -----------------------------------------------------------------------------
    def cancel(self) -> None:
        """Cancel: locally if not sent yet, else through the API where the dialect allows it.

        Raises UnsupportedOperation (with the reason) when it cannot. In a notebook cell the
        request is scheduled on the kernel's loop and this returns at once.
        """
        reason = self.cancel_reason
        if reason:
            raise UnsupportedOperation(reason)
        host = self._manager.host
        if host.in_loop_thread():
            host.spawn(self._cancel_in_background(), name=f"cancel-{self.uid}")
        else:
            host.run(self.cancel_async())

    async def _cancel_in_background(self) -> None:
        try:
            await self.cancel_async()
        except SeedanceError as exc:  # e.g. it started running meanwhile: shown, not lost
            self.cancel_error = str(exc)
            self.note("cancel_failed", {"error": str(exc)})

    async def cancel_async(self) -> None:
        reason = self.cancel_reason
        if reason:
            raise UnsupportedOperation(reason)
        await self._manager.host.on_loop(self._manager.cancel_task(self))

    @property
    def cancel_requested(self) -> bool:
        """A cancel was asked for before the task had an id (it goes out once it has one)."""
        return self._cancel_requested

    def request_cancel(self) -> None:
        """Remember that a cancel was asked for (the lifecycle acts on it)."""
        self._cancel_requested = True

    def refresh(self) -> None:
        """Ask the provider about this task now instead of at the next scheduled poll."""
        self._manager.host.call(self._manager.poll_now, self)

    # -- changes (on the loop's thread) -----------------------------------------------------
    @property
    def no_result_polls(self) -> int:
        """ "Succeeded" answers without a result URL seen so far (see :mod:`.transitions`)."""
        return self._no_result_polls

    def apply(
        self, change: Transition, *, durable: bool = False, error: SeedanceError | None = _KEEP
    ) -> None:
        """Take a :class:`~.transitions.Transition`: its column changes and event go to the
        history first, then to the observers; its result files are recorded.

        ``durable``: the history write must succeed (it raises otherwise) — for the writes
        durability rests on (``sent`` before the POST, the id after it). ``error``: the
        exception that explains it (None clears a previous one).
        """
        self._no_result_polls = max(self._no_result_polls, change.no_result_polls)
        if error is not _KEEP:
            self._error = error
        if change.files and not self._files:
            self._files = [dict(f) for f in change.files]
            self._manager.record_files(self)
        if durable:
            self._commit(change.event or "update", **change.changes)
        else:
            self._set(change.event, change.detail, **change.changes)

    def note(self, event: str, detail: dict[str, Any] | None = None) -> None:
        """Record an event that changes no column (a resume, a cancel asked for, a failure)."""
        self._set(event=event, detail=detail)

    def update_file(self, idx: int, changes: Mapping[str, Any]) -> None:
        """Change result file ``idx`` in memory (the caller records it, then notifies)."""
        self._files[idx].update(changes)

    def reload(self, row: Mapping[str, Any], files: list[dict[str, Any]]) -> None:
        """Take the history's row and files as they are now (a resume or a lookup)."""
        self._row, self._files, self._params = dict(row), [dict(f) for f in files], None
        self.owned_elsewhere = None

    def adopted(self, task_id: str, at: float) -> None:
        """The history has given this ambiguous create the upstream id ``task_id``."""
        self._row.update(id=task_id, create_state="reconciled", updated_at=at)
        self.candidates = ()
        self._error = None
        self._set(error_code=None, error_message=None)

    def _set(self, event: str | None = None, detail: dict[str, Any] | None = None, **changes: Any):
        changes = {k: v.value if isinstance(v, enum.Enum) else v for k, v in changes.items()}
        changes = {k: v for k, v in changes.items() if self._row.get(k) != v}
        if not changes and event is None:
            return
        now = self._manager.clock.time()
        if changes:
            changes["updated_at"] = now
            self._row.update(changes)
            if "params" in changes:
                self._params = None
        self._manager.record(self, changes, event, detail)
        self._notify()

    def _commit(self, event: str, **changes: Any) -> None:
        changes = {k: v.value if isinstance(v, enum.Enum) else v for k, v in changes.items()}
        now = self._manager.clock.time()
        changes["updated_at"] = now
        self._manager.history.update(self.uid, changes, at=now, event=event)
        self._row.update(changes)
        self._notify()

    @classmethod
    def from_id(cls, provider: str, task_id: str, base_url: str | None = None) -> Task:
        """A handle on an existing provider task (found in the history, or attached and polled)."""
        task = current.get().attach(provider, task_id, base_url=base_url)
        assert isinstance(task, Task)
        return task

    # -- display (the notebook face draws it; imported only when a front end asks) ---------
    def _ipython_display_(self) -> None:
        from ..notebook.display import show

        show(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        from ..notebook.display import mimebundle

        return mimebundle(self)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able snapshot for widgets and logs (no key, no base64)."""
        from .serialize import task_dict

        return task_dict(self, self._manager.clock.time())
