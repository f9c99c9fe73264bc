"""The one way a task's state changes: ``decide(row, happened, now)``.

A pure function. It takes the task's current history row (a mapping of the ``tasks`` columns;
nothing else), what happened — a provider's answer (:class:`~seedance_nb.status.TaskSnapshot`) or
a named lifecycle :class:`Event` — and the time, and returns a :class:`Transition`: the column
changes, the event name and detail to record with them, whether the task is now terminal (no more
polling), and the result files to record. It reads no clock, touches no database and needs no
``Task`` object, so a process holding only a history row (the callback receiver: load the row, do
one GET, decide, write the changes to the ledger with :func:`record`) takes the same decision as
the poller. A task handle takes a transition with ``Task.apply``.

>>> change = decide(history.row(uid), snapshot, time.time(), has_files=bool(history.assets(uid)))
>>> record(history, row, change, time.time())    # files, then the columns that differ + event

The rules, for a provider's answer:

- a terminal state (succeeded, failed, expired, cancelled) is final: later answers change nothing;
- states never move backwards (queued < running < terminal); an unknown status word
  (``UNKNOWN``) is recorded as ``raw_status`` but never taken for progress, let alone success;
- "succeeded" with no result URL (``snap.no_result``) is counted (``no_result_polls``, kept by the
  caller); at :data:`NO_RESULT_POLLS` such answers the task is shown failed with the answer quoted;
- ``started_at`` is stamped when ``running`` is first seen; ``finished_at`` is the provider's
  finish time when plausible (not before the start, not past now + 5 min), else now;
- ``tokens`` are kept from a terminal answer, ``cost`` (the estimate scaled by the tokens used,
  or the flat price) only for a success; the provider's error code/message on a terminal answer;
- a task attached by id takes its creation time and model from the first answer.

Named events (:data:`EVENTS`) carry the changes the lifecycle makes without a provider's answer:
a create acknowledged, ambiguous, refused, not sent, cancelled before sending, gone upstream,
a duplicate id, a reconcile left unresolved, a phase change. See docs/lifecycle.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..status import Status, TaskSnapshot
from .budget import cost_from_row

if TYPE_CHECKING:
    from .history_store import HistoryStore

NO_RESULT_POLLS = 5  # "succeeded" answers without a result URL, before it is shown as failed

EVENTS = ("created", "ambiguous", "refused", "not_sent", "cancelled", "gone", "duplicate",
          "unresolved", "retry", "phase")  # fmt: skip


@dataclass(frozen=True)
class Event:
    """Something that happened to a task that is not a provider's answer.

    ``name`` is one of :data:`EVENTS`. ``created`` needs ``task_id`` and ``status``; ``refused``,
    ``not_sent`` and ``gone`` a ``code``/``message``; ``not_sent`` may name its ``status``
    (failed by default, cancelled for a stale queued request); ``retry`` (the create goes again
    later: ``kind`` is ``rate_limited`` or ``unreachable``) and ``unresolved`` carry ``detail``;
    ``phase`` names the new ``phase`` (polling, downloading, done).
    """

    name: str
    task_id: str | None = None
    status: Status | None = None
    code: str | None = None
    message: str | None = None
    phase: str | None = None
    kind: str | None = None
    detail: dict[str, Any] | None = None


@dataclass(frozen=True)
class Transition:
    """What :func:`decide` says to do: write ``changes`` (columns) with ``event``/``detail``."""

    changes: dict[str, Any] = field(default_factory=dict)
    event: str | None = None
    detail: dict[str, Any] | None = None
    terminal: bool = False  # the task is in a final state (or gone): stop polling it
    files: tuple[dict[str, Any], ...] = ()  # result files to record (state "pending")
    no_result_polls: int = 0  # the count of "succeeded, no URL" answers, for the next call

    @property
    def empty(self) -> bool:
        return not self.changes and self.event is None and not self.files


def status_of(row: Mapping[str, Any]) -> Status | None:
    raw = row.get("status")
    return Status(raw) if raw else None


def decide(
    row: Mapping[str, Any],
    happened: TaskSnapshot | Event,
    now: float,
    *,
    no_result_polls: int = 0,
    has_files: bool = False,
) -> Transition:
    """The transition ``happened`` brings to the task whose history row is ``row``, at ``now``.

    ``no_result_polls``: "succeeded without a result URL" answers seen before this one (0 for a
    caller that keeps no count). ``has_files``: the row's result files are recorded already.
    """
    if isinstance(happened, TaskSnapshot):
        return _answer(row, happened, now, no_result_polls, has_files)
    return _event(row, happened, now, no_result_polls)


def _answer(
    row: Mapping[str, Any], snap: TaskSnapshot, now: float, counted: int, has_files: bool
) -> Transition:
    current, new = status_of(row), snap.status
    if current is not None and current.terminal:
        return Transition(terminal=True, no_result_polls=counted)
    if snap.no_result:
        counted += 1
        if counted >= NO_RESULT_POLLS:
            return _succeeded_without_result(row, snap, now, counted)
    if current is not None and new.rank < current.rank:
        if new is Status.UNKNOWN and snap.raw_status != row.get("raw_status"):
            return Transition({"raw_status": snap.raw_status}, "unknown_status",
                              {"raw_status": snap.raw_status}, no_result_polls=counted)  # fmt: skip
        return Transition(no_result_polls=counted)
    changes: dict[str, Any] = {"status": new.value, "raw_status": snap.raw_status}
    if row.get("create_state") == "attached":
        changes.update(_attached_details(row, snap))
    if new is Status.RUNNING and row.get("started_at") is None:
        changes["started_at"] = now
    if new.terminal:
        start = row.get("started_at") or row.get("sent_at") or row.get("submitted_at") or 0.0
        changes["finished_at"] = _server_time(snap.updated_at, now, float(start))
        if snap.tokens is not None:
            changes["tokens"] = snap.tokens
            if new is Status.SUCCEEDED:
                changes["cost"] = cost_from_row(row, snap.tokens)
        if snap.error_code or snap.error_message:
            changes["error_code"] = snap.error_code
            changes["error_message"] = snap.error_message
    files: tuple[dict[str, Any], ...] = ()
    if new is Status.SUCCEEDED and snap.assets and not has_files:
        files = tuple(
            {
                "idx": i,
                "kind": a.kind,
                "url": a.url,
                "expires_at": a.expires_at.timestamp() if a.expires_at else None,
                "state": "pending",
            }
            for i, a in enumerate(snap.assets)
        )
    event = "status" if new is not current else None
    return Transition(changes, event, {"raw_status": snap.raw_status}, new.terminal, files, counted)


def record(history: HistoryStore, row: Mapping[str, Any], change: Transition, at: float) -> bool:
    """Write ``change`` for the task whose row is ``row`` (result files first, then the columns
    that differ, with the event), as a process without a ``Task`` does. True if anything changed.
    """
    if change.files:
        inline: list[Mapping[str, Any]] = [
            {**f, "url": "data:…"} if f["url"].startswith("data:") else dict(f)
            for f in change.files
        ]
        history.set_assets(int(row["uid"]), inline)
    changes = {k: v for k, v in change.changes.items() if row.get(k) != v}
    if not changes and change.event is None:
        return bool(change.files)
    if changes:
        changes["updated_at"] = at
    history.update(int(row["uid"]), changes, at=at, event=change.event, detail=change.detail)
    return True


def _succeeded_without_result(
    row: Mapping[str, Any], snap: TaskSnapshot, now: float, counted: int
) -> Transition:
    """The provider keeps saying "succeeded" with nothing to download: stop polling, say so."""
    answer = json.dumps(snap.raw, default=str, ensure_ascii=False)
    answer = answer if len(answer) <= 400 else answer[:400] + "…"
    changes = {
        "status": Status.FAILED.value,
        "raw_status": snap.raw_status,
        "finished_at": now,
        "error_code": "no_result",
        "error_message": (
            f"{row.get('provider')} answered {snap.raw_status!r} {counted} times but gave "
            f"no result URL, so there is nothing to save; shown as failed. Its answer: {answer}"
        ),
    }
    detail = {"raw_status": snap.raw_status, "no_result": True}
    return Transition(changes, "status", detail, terminal=True, no_result_polls=counted)


def _event(row: Mapping[str, Any], ev: Event, now: float, counted: int) -> Transition:
    name = ev.name
    changes: dict[str, Any]
    if name == "created":
        assert ev.task_id is not None and ev.status is not None, "created needs task_id, status"
        changes = {"id": ev.task_id, "create_state": "acknowledged", "status": ev.status.value}
        return Transition(changes, "created", ev.detail, no_result_polls=counted)
    if name in ("ambiguous", "duplicate"):
        changes = {
            "status": Status.UNKNOWN.value,
            "create_state": name,
            "error_code": ev.code
            or ("create_ambiguous" if name == "ambiguous" else "duplicate_id"),
            "error_message": ev.message,
        }
        return Transition(changes, name, ev.detail, no_result_polls=counted)
    if name in ("refused", "not_sent", "cancelled"):
        status = ev.status or (Status.CANCELLED if name == "cancelled" else Status.FAILED)
        changes = {
            "create_state": "refused" if name == "refused" else "not_sent",
            "status": status.value,
            "error_code": ev.code or ("cancelled" if name == "cancelled" else name),
            "error_message": ev.message,
            "finished_at": now,
        }
        if name == "cancelled":
            changes["raw_status"] = "cancelled locally"
        if ev.phase:
            changes["phase"] = ev.phase
        return Transition(changes, name, ev.detail, terminal=True, no_result_polls=counted)
    if name == "gone":
        changes = {"create_state": "gone", "error_code": ev.code or "not_found",
                   "error_message": ev.message}  # fmt: skip
        return Transition(changes, "gone", ev.detail, terminal=True, no_result_polls=counted)
    if name == "retry":
        return Transition({"create_state": "pending"}, ev.kind or "retry", ev.detail,
                          no_result_polls=counted)  # fmt: skip
    if name == "unresolved":
        changes = {"error_code": "create_ambiguous", "error_message": ev.message}
        return Transition(changes, "unresolved", ev.detail, no_result_polls=counted)
    if name == "phase":
        assert ev.phase is not None, "a phase event names its phase"
        changes = {"phase": ev.phase}
        if ev.code is not None or ev.message is not None:
            changes.update(error_code=ev.code, error_message=ev.message)
        event = ev.kind or ("done" if ev.phase == "done" else None)
        return Transition(changes, event, ev.detail, terminal=ev.phase == "done",
                          no_result_polls=counted)  # fmt: skip
    raise ValueError(f"unknown lifecycle event {name!r}; one of {', '.join(EVENTS)}")


def _server_time(when: datetime | None, now: float, start: float) -> float:
    """The provider's finish time if it is plausible, else when we saw it (whole-second server
    stamps can fall before our own start time)."""
    if when is None:
        return now
    ts = when.timestamp()
    return ts if start <= ts <= now + 300 else now


def _attached_details(row: Mapping[str, Any], snap: TaskSnapshot) -> dict[str, Any]:
    details: dict[str, Any] = {"create_state": "acknowledged"}
    if snap.created_at is not None:
        details["submitted_at"] = snap.created_at.timestamp()
        details["sent_at"] = snap.created_at.timestamp()
    if not row.get("model") and snap.model:
        details["model"] = snap.model
    return details
