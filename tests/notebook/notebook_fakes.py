"""A small task double for the notebook tests, and a manager that makes them.

``FakeTask`` follows the task handle's public contract (``seedance_nb.lifecycle.Task``) closely
enough for the widgets and displays, and lets a test move it through its states with
``advance(...)``, which notifies observers as the real task does.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from seedance_nb.cost import Estimate
from seedance_nb.errors import UnsupportedOperation
from seedance_nb.status import Asset, Status
from seedance_nb.validation import validate

_uids = itertools.count(1)


class FakeTask:
    def __init__(self, request: Any, provider: str = "ark") -> None:
        self.uid = next(_uids)
        self.id: str | None = None
        self.provider = provider
        self.request = request
        self.model = request.model
        self.mode = request.mode.value
        self.kind = request.kind
        self.prompt = request.prompt
        self.tags = tuple(request.tags)
        self.parent_id = request.parent_id
        self.status: Status | None = None
        self.phase = "submitting"
        self.raw_status: str | None = None
        self.progress = 0.0
        self.elapsed = 0.0
        self.files: list[Path] = []
        self.assets: tuple[Asset, ...] = ()
        self.error_code: str | None = None
        self.error_message: str | None = None
        self.estimate = Estimate(108_900, 0.76, "USD", ())
        self.tokens: int | None = None
        self.cost: float | None = None
        self.currency = "USD"
        self.cancellable = True
        self.cancelled_calls = 0
        self._observers: list[Callable[[Any], Any]] = []

    @property
    def cancel_reason(self) -> str | None:
        if self.status is not None and self.status.terminal:
            return "the task has already finished"
        return None if self.cancellable else "ModelArk cannot cancel a running task"

    @property
    def can_cancel(self) -> bool:
        return self.cancel_reason is None

    def cancel(self) -> None:
        if self.cancel_reason:
            raise UnsupportedOperation(self.cancel_reason)
        self.cancelled_calls += 1
        self.advance(status=Status.CANCELLED, phase="done")

    def observe(self, callback: Callable[[Any], Any]) -> Callable[[], None]:
        self._observers.append(callback)
        return lambda: self._observers.remove(callback)

    def advance(self, **changes: Any) -> FakeTask:
        for name, value in changes.items():
            setattr(self, name, value)
        for callback in list(self._observers):
            callback(self)
        return self

    def succeed(self, *files: Path) -> FakeTask:
        return self.advance(
            id=self.id or f"cgt-{self.uid:04d}",
            status=Status.SUCCEEDED,
            phase="done",
            progress=1.0,
            elapsed=42.0,
            files=list(files),
            tokens=108_900,
            cost=0.76,
        )


class FakeManager:
    """Submits by making FakeTasks; remembers them for lookups."""

    provider = "ark"

    def __init__(self) -> None:
        self.tasks: list[FakeTask] = []
        self.submitted: list[tuple[Any, str | None]] = []

    def submit(self, request: Any, provider: str | None = None, **_: Any) -> FakeTask:
        validate(request, provider or self.provider)  # as the real manager does, nothing sent
        self.submitted.append((request, provider))
        task = FakeTask(request, provider or self.provider)
        task.advance(id=f"cgt-{task.uid:04d}", status=Status.QUEUED, phase="polling")
        self.tasks.append(task)
        return task

    def task(self, ident: Any) -> FakeTask:
        found = next((t for t in self.tasks if str(ident) in (t.id, str(t.uid))), None)
        if found is None:
            raise KeyError(ident)
        return found

    def rerun(self, ident: Any, **changes: Any) -> FakeTask:
        original = self.task(ident)
        request = original.request.with_changes(parent_id=original.id, **changes)
        return self.submit(request, original.provider)
