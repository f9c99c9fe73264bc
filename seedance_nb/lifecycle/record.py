"""What a task's history row says: identity, state, times, cost and result files, read-only.

Base of :class:`~seedance_nb.lifecycle.task.Task`. The row changes only through
:meth:`Task.apply` (see :mod:`.transitions`); the files through :meth:`Task.update_file`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..errors import DownloadError, SeedanceError, TaskFailed
from ..status import Asset, Status
from . import progress as _progress
from .observable import Observable

PHASES = ("submitting", "polling", "downloading", "done")
PROVIDER_LABELS = {"ark": "ModelArk", "maxapi": "The task API", "maxapi-openai": "The video route"}


def _utc(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=timezone.utc)


class TaskRecord(Observable):
    """The read-only face of a task's row and result files."""

    _row: dict[str, Any]
    _files: list[dict[str, Any]]
    _request: Any
    _estimate: Any
    _error: SeedanceError | None
    _params: dict[str, Any] | None
    request_problem: str | None
    poll_error: str | None
    cancel_error: str | None
    candidates: tuple[str, ...]

    # -- identity ---------------------------------------------------------------------------
    @property
    def row(self) -> Mapping[str, Any]:
        """The task's history row as this process knows it (read-only; for :mod:`.transitions`)."""
        return MappingProxyType(self._row)

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
    def elapsed(self) -> float:
        """Seconds since submission (until it finished)."""
        end = self._row.get("finished_at") or self._manager.clock.time()
        return max(0.0, end - self.submitted_ts)

    @property
    def queue_position(self) -> int | None:
        """Tasks ahead of this one in the local queue (0 = next), or None if not waiting."""
        return self._manager.queue_position(self)

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


def cancellable_states(provider: str) -> frozenset[Status]:
    """The states in which ``provider`` can cancel a task (empty: it cannot)."""
    from ..providers import adapter_for

    return adapter_for(provider).can_cancel
