"""The task handle: what a generation is doing, and the ways to wait for it or stop it.

>>> task = seedance_nb.submit(VideoRequest(model="seedance-2.0", prompt="a red fox in snow"))
>>> task.status, task.progress          # None / 0.0 at first; the cell has already returned
>>> await task                          # in a cell: waits without blocking the kernel
>>> task.files                          # local copies of the results
>>> Task.from_id("ark", "cgt-20260528-abc12")   # a task made elsewhere, polled from now on

Every change is written to the history first and then reported to observers (``task.observe``),
on the event loop's thread.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DownloadError, SeedanceError, TaskFailed, UnsupportedOperation
from ..status import Asset, Status
from . import progress as _progress
from .endpoints import cancellable_states
from .observable import Observable

if TYPE_CHECKING:
    from .manager import TaskManager

log = logging.getLogger("seedance_nb.lifecycle")

PHASES = ("submitting", "polling", "downloading", "done")
PROVIDER_LABELS = {"ark": "ModelArk", "maxapi": "The task API", "maxapi-openai": "The video route"}


def _utc(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=timezone.utc)


class Task(Observable):
    """One generation, from the request row in the history to the saved files.

    Made by :meth:`TaskManager.submit` (or :meth:`Task.from_id`), not directly.
    """

    def __init__(
        self,
        manager: TaskManager,
        row: dict[str, Any],
        *,
        request: Any = None,
        estimate: Any = None,
        files: list[dict[str, Any]] | None = None,
    ) -> None:
        self._manager = manager
        self._row = dict(row)
        self._request = request
        self._estimate = estimate
        self._files: list[dict[str, Any]] = [dict(f) for f in files or ()]
        super().__init__()
        self._error: SeedanceError | None = None
        self._params: dict[str, Any] | None = None
        self._runner: asyncio.Task[Any] | None = None
        self._cancel_requested = False
        self.poll_error: str | None = None  # last transient polling trouble, for display
        self.cancel_error: str | None = None  # why a cancel sent from a cell failed
        self.candidates: tuple[str, ...] = ()  # upstream ids that might be this ambiguous create
        self._answered_at: float | None = None
        self._no_result_polls = 0  # "succeeded" answers without a result URL seen so far  # when an ambiguous create's answer came (or not)
        self.request_problem: str | None = None  # why the request cannot be rebuilt, if so
        # Set when another live process runs this task: this handle is a snapshot of the history.
        self.owned_elsewhere: str | None = None

    def __repr__(self) -> str:
        status = self.status.value if self.status else self.phase
        return f"<Task #{self.uid} {self.provider} {self.id or '(no id yet)'} {status}>"

    # -- identity ---------------------------------------------------------------------------
    @property
    def uid(self) -> int:
        """Local id: the history row. Always set."""
        return int(self._row["uid"])

    @property
    def id(self) -> str | None:
        """The provider's task id; None until the create answered."""
        return self._row.get("id")

    provider = property(lambda self: str(self._row["provider"]), doc="Dialect name.")
    base_url = property(lambda self: str(self._row["base_url"]), doc="Where it was sent.")
    model = property(lambda self: self._row.get("model"), doc="Model name as requested.")
    mode = property(lambda self: self._row.get("mode"), doc="Generation mode.")
    kind = property(lambda self: self._row.get("kind"), doc="'video' or 'image'.")
    prompt = property(lambda self: self._row.get("prompt") or "", doc="The prompt.")
    parent_id = property(lambda self: self._row.get("parent_id"), doc="Lineage.")
    simulated = property(lambda self: bool(self._row.get("simulated")), doc="Simulator task.")

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(json.loads(self._row.get("tags") or "[]"))

    @property
    def request(self) -> Any:
        """The request (rebuilt from the history for tasks from an earlier session, if it can be)."""
        if self._request is None and self._row.get("request") and self.request_problem is None:
            from .stored import request_from_json

            try:
                self._request = request_from_json(self._row["request"])
            except Exception as exc:
                self.request_problem = str(exc)
        return self._request

    @property
    def params(self) -> dict[str, Any]:
        if self._params is None:
            try:
                self._params = json.loads(self._row.get("params") or "{}")
            except ValueError:
                self._params = {}
        return self._params or {}

    # -- state ------------------------------------------------------------------------------
    @property
    def status(self) -> Status | None:
        """Where the task is upstream; None while it is being submitted."""
        raw = self._row.get("status")
        return Status(raw) if raw else None

    raw_status = property(lambda self: self._row.get("raw_status"), doc="Provider's own word.")
    phase = property(lambda self: str(self._row.get("phase") or "submitting"), doc=str(PHASES))
    create_state = property(lambda self: self._row.get("create_state"), doc="Create's fate.")
    error_code = property(lambda self: self._row.get("error_code"))
    error_message = property(lambda self: self._row.get("error_message"))
    tokens = property(lambda self: self._row.get("tokens"), doc="Tokens actually used.")
    cost = property(lambda self: self._row.get("cost"), doc="Money actually spent, if known.")
    currency = property(lambda self: self._row.get("currency"))
    submitted_ts = property(lambda self: float(self._row.get("submitted_at") or 0.0))

    @property
    def done(self) -> bool:
        """True once nothing more will happen on its own (finished and downloaded, or given up)."""
        return self.phase == "done"

    @property
    def submitted_at(self) -> datetime | None:
        return _utc(self._row.get("submitted_at"))

    @property
    def started_at(self) -> datetime | None:
        return _utc(self._row.get("started_at"))

    @property
    def finished_at(self) -> datetime | None:
        return _utc(self._row.get("finished_at"))

    @property
    def elapsed(self) -> float:
        """Seconds since submission (until it finished)."""
        end = self._row.get("finished_at") or self._manager.clock.time()
        return max(0.0, end - self.submitted_ts)

    @property
    def estimate(self) -> Any:
        """The cost estimate made before sending (``cost.Estimate``), if any."""
        row = self._row
        if self._estimate is None and row.get("estimated_tokens") is not None:
            from ..cost import Estimate  # a task from an earlier session: rebuilt from its row

            self._estimate = Estimate(row.get("estimated_tokens"), row.get("estimated_cost"),
                                      row.get("currency"), ("from the history",))  # fmt: skip
        return self._estimate

    @property
    def error(self) -> SeedanceError | None:
        """What went wrong: the API's refusal, a lost create, or TaskFailed for a task that
        ended failed / expired / cancelled upstream."""
        if self._error is not None:
            return self._error
        status = self.status
        if status in (Status.FAILED, Status.EXPIRED, Status.CANCELLED):
            assert status is not None
            message = self.error_message or f"the task ended {status.value}"
            return TaskFailed(
                f"{message} (provider={self.provider}, task_id={self.id}, status={status.value}"
                + (f", code={self.error_code})" if self.error_code else ")"),
                task_id=self.id or f"#{self.uid}",
                status=status.value,
                code=self.error_code,
            )
        return None

    @property
    def queue_position(self) -> int | None:
        """Tasks ahead of this one in the local queue (0 = next), or None if not waiting."""
        return self._manager.limiter.position(self)

    # -- progress ---------------------------------------------------------------------------
    def _typical(self) -> tuple[float, str]:
        return self._manager.durations.typical(self.model, self.kind, self.params)

    @property
    def progress(self) -> float:
        """0..1, an estimate from elapsed time against the typical duration (see ``progress_note``)."""
        if self.status is not None and self.status.terminal:
            return 1.0
        sent = self._row.get("sent_at")
        if sent is None or self.id is None:
            return 0.0
        typical, _ = self._typical()
        return _progress.estimate(self._manager.clock.time() - sent, typical, finished=False)

    @property
    def progress_note(self) -> str:
        typical, source = self._typical()
        return f"usually takes about {typical:.0f} s: {source}"

    @property
    def eta(self) -> float | None:
        """Seconds left if the task takes the typical time; None when unknown or overdue."""
        sent = self._row.get("sent_at")
        if sent is None or (self.status is not None and self.status.terminal):
            return None
        return _progress.remaining(self._manager.clock.time() - sent, self._typical()[0])

    # -- results ----------------------------------------------------------------------------
    @property
    def assets(self) -> tuple[Asset, ...]:
        """Result files as the provider hands them out (URLs that expire)."""
        return tuple(Asset(f["kind"], f["url"], _utc(f.get("expires_at"))) for f in self._files)

    @property
    def downloads(self) -> tuple[dict[str, Any], ...]:
        """Per result: ``kind, url, expires_at, state`` (pending | saved | failed | expired),
        ``path, sha256, size, content_type, error``."""
        return tuple(dict(f) for f in self._files)

    @property
    def files(self) -> list[Path]:
        """Local copies of the results that were saved."""
        return [Path(f["path"]) for f in self._files if f.get("state") == "saved" and f.get("path")]

    def result(self) -> list[Path]:
        """The saved files; raises TaskFailed if the task did not succeed, DownloadError if it
        succeeded but nothing could be saved."""
        if self.status is not Status.SUCCEEDED:
            if self.error is not None:
                raise self.error
            raise RuntimeError(f"task #{self.uid} has not finished (status {self.status})")
        if not self.files and self._files:
            expired = any(f.get("state") == "expired" for f in self._files)
            raise DownloadError(
                f"task {self.id} succeeded but its results were not saved"
                + (": the URLs have expired" if expired else ""),
                expired=expired,
            )
        return self.files

    # -- cancel -----------------------------------------------------------------------------
    @property
    def cancel_reason(self) -> str | None:
        """Why :meth:`cancel` cannot work now, or None if it can."""
        if self.done or (self.status is not None and self.status.terminal):
            return "the task has already finished"
        label = PROVIDER_LABELS.get(self.provider, self.provider)
        if self.id is None and self.create_state == "pending":
            return None  # still in the local queue: cancelled without sending anything
        allowed = cancellable_states(self.provider)
        if not allowed:
            return f"{label} has no way to cancel a task; it keeps running (and billing) upstream"
        if self.id is None:
            return None  # the create is in flight: the cancel goes out once the id is known
        if self.status not in allowed:
            states = " or ".join(sorted(s.value for s in allowed))
            return f"{label} cannot cancel a {self.status} task (only {states} ones)"
        return None

    @property
    def can_cancel(self) -> bool:
        return self.cancel_reason is None

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
            self._set(event="cancel_failed", detail={"error": str(exc)})

    async def cancel_async(self) -> None:
        reason = self.cancel_reason
        if reason:
            raise UnsupportedOperation(reason)
        from .runner import cancel

        await self._manager.host.on_loop(cancel(self._manager, self))

    def refresh(self) -> None:
        """Ask the provider about this task now instead of at the next scheduled poll."""
        self._manager.host.call(self._manager.pollers.ring, self)

    # -- changes (on the loop's thread) -----------------------------------------------------
    def _set(self, event: str | None = None, detail: dict[str, Any] | None = None, **changes: Any):
        """Apply column changes: history first (with ``event``), then the observers."""
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
        self._manager.recorder.task(self, changes, event, detail)
        self._notify()

    def _commit(self, event: str, **changes: Any) -> None:
        """Like :meth:`_set`, but the history write must succeed first (it raises otherwise):
        for the writes durability rests on (``sent`` before the POST, the id after it)."""
        changes = {k: v.value if isinstance(v, enum.Enum) else v for k, v in changes.items()}
        now = self._manager.clock.time()
        changes["updated_at"] = now
        self._manager.history.update(self.uid, changes, at=now, event=event)
        self._row.update(changes)
        self._notify()

    @classmethod
    def from_id(cls, provider: str, task_id: str, base_url: str | None = None) -> Task:
        """A handle on an existing provider task (found in the history, or attached and polled)."""
        from .manager import get_manager

        return get_manager().attach(provider, task_id, base_url=base_url)

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

        return task_dict(self)
