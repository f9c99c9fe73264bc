"""Picking up where a process left off, and settling creates whose answer was lost.

``resume()`` takes every unfinished row of the history that no live process owns and continues it:
tasks with an id are polled, finished ones get their files saved, requests that were never sent
are sent (only if they were submitted within the last hour; older ones are marked ``not_sent``).

A create that may or may not have reached the provider (its answer was lost, or the process died
while it was in flight) is never sent again. Where the dialect has a list endpoint (ModelArk) the
recent tasks of the same model are compared with the request: exactly one unclaimed match is
adopted; none or several leave the row ``unknown`` for the user to decide (``manager.adopt``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RateLimitError, SeedanceError
from ..status import Status, TaskSnapshot

if TYPE_CHECKING:
    from ..client import AsyncSeedance
    from .manager import TaskManager
    from .task import Task

log = logging.getLogger("seedance_nb.lifecycle")

RESEND_WINDOW = 3600.0  # a never-sent request older than this is not sent on resume
RECONCILE_DELAYS = (0.0, 2.0, 10.0, 30.0)  # the list may lag behind a create
MATCH_WINDOW = 300.0  # seconds around the send time (clock skew, slow answers)
LIST_PAGE = 500
LIVE_OWNERS: set[str] = set()  # owner tokens of open managers in this process


def owner_token() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(4).hex()}"


def owner_alive(owner: str | None) -> bool:
    """Whether the process (manager) that owns a row is still running."""
    if not owner:
        return False
    host, _, rest = owner.partition(":")
    pid_text, _, _token = rest.partition(":")
    if host != socket.gethostname():
        return True  # cannot tell from here; resume(force=True) takes it over
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if pid == os.getpid():
        return owner in LIVE_OWNERS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def same_process(owner: str | None) -> bool:
    if not owner:
        return False
    host, _, rest = owner.partition(":")
    return host == socket.gethostname() and rest.partition(":")[0] == str(os.getpid())


def resume(manager: TaskManager, *, force: bool = False) -> list[Task]:
    """Continue every unfinished task not owned by a live process; returns their handles."""
    sweep_partial_files(manager.history.media_dir)
    resumed: list[Task] = []
    for row in manager.history.unfinished():
        task = manager._tasks.get(row["uid"])
        if task is not None and not task.owned_elsewhere:
            # Ours already; restart it if its coroutine died with a loop.
            if task._runner is None or task._runner.done():
                manager._start(task)
            resumed.append(task)
            continue
        task = take_over(manager, row, force=force)
        if task is not None:
            resumed.append(task)
    return resumed


# A download still being written by another kernel is younger than this; older ones are leftovers
# of a process that was killed mid-download (never under a final name, but taking up space).
PARTIAL_MAX_AGE = 6 * 3600.0


def sweep_partial_files(folder: Path, *, max_age: float = PARTIAL_MAX_AGE) -> int:
    """Delete the temporary ``.part-*`` files of downloads interrupted long ago; how many."""
    if not folder.is_dir():
        return 0
    cutoff = time.time() - max_age
    removed = 0
    for part in folder.glob(".part-*"):
        with contextlib.suppress(OSError):
            if part.stat().st_mtime < cutoff:
                part.unlink()
                removed += 1
    return removed


def take_over(manager: TaskManager, row: dict[str, Any], *, force: bool = False) -> Task | None:
    """Claim one unfinished row and continue it here; None if a live process owns it."""
    history = manager.history
    owner = row.get("owner")
    if not force and owner != manager.owner and owner_alive(owner):
        return None
    if not history.claim(row["uid"], manager.owner, owner):
        return None  # another process claimed it first
    row["owner"] = manager.owner
    task = manager._load(row)
    task._set(event="resumed", detail={"from": owner})
    if row.get("simulated") and not same_process(owner):
        task._set(
            phase="done",
            error_code="simulator_gone",
            error_message="this task ran on the in-process simulator of a process that has "
            "ended; there is nothing left to poll",
            event="simulator_gone",
        )
        task._settle()
        return task
    if task.create_state == "pending":
        reason = None
        if manager.clock.time() - task.submitted_ts > RESEND_WINDOW:
            reason = "it was queued over an hour ago and never sent; send it again with rerun()"
        elif task.request is None:
            reason = "its request cannot be rebuilt from the history"
        if reason:
            task._set(
                create_state="not_sent",
                status=Status.CANCELLED,
                phase="done",
                error_code="not_sent",
                error_message=f"not sent: {reason}; nothing was created or billed",
                event="not_sent",
            )
            task._settle()
            return task
    else:
        manager.limiter.adopt(task)
    manager._start(task)
    return task


async def reconcile(manager: TaskManager, task: Task) -> None:
    """Settle a create whose outcome is unknown; never resends it."""
    client = manager.client_for(task)
    if task.status is not Status.UNKNOWN or task.create_state != "ambiguous":
        task._set(
            status=Status.UNKNOWN,
            create_state="ambiguous",
            error_code="create_ambiguous",
            error_message="the process ended while the create was in flight; it may exist upstream",
            event="ambiguous",
        )
    if not getattr(client.adapter, "has_list", False) or task.kind == "image":
        _unresolved(task, f"{task.provider} has no list endpoint to look for it")
        return
    candidates: list[TaskSnapshot] = []
    quiet = 0.0
    for delay in manager.reconcile_delays:
        # Never ask again before a 429's Retry-After (ours or the poller's) is over.
        wait = max(delay, quiet, manager.pollers.quiet_for(task))
        if wait:
            await manager.clock.sleep(wait)
        quiet = 0.0
        try:
            candidates = await _candidates(manager, client, task)
        except SeedanceError as exc:
            log.warning("reconciling task #%s: listing failed: %s", task.uid, exc)
            if isinstance(exc, RateLimitError) and exc.retry_after:
                quiet = exc.retry_after
            continue
        if len(candidates) == 1:
            if adopt(manager, task, candidates[0].id, via="list"):
                return
            continue  # another process adopted it meanwhile: look again
        if len(candidates) > 1:
            break
    task.candidates = tuple(c.id for c in candidates)
    if candidates:
        _unresolved(task, f"{len(candidates)} recent tasks match it: {', '.join(task.candidates)}")
    else:
        _unresolved(task, "no matching task was found upstream, so it was probably not created")


def _unresolved(task: Task, why: str) -> None:
    task._set(
        error_code="create_ambiguous",
        error_message=(
            f"the create's answer was lost and it was not resent; {why}. Decide: "
            f"get_manager().adopt({task.uid}, '<task id>') if you find it upstream, or "
            f"rerun({task.uid}) to send it again"
        ),
        event="unresolved",
        detail={"candidates": list(task.candidates)},
    )


async def _candidates(
    manager: TaskManager, client: AsyncSeedance, task: Task
) -> list[TaskSnapshot]:
    """Recent upstream tasks that could be this create and are not in the history already."""
    request = task.request
    wire_model = _wire_model(client, request)
    snapshots = await client.list(model=wire_model, page_size=LIST_PAGE) or []
    sent = task._row.get("sent_at") or task.submitted_ts
    low = sent - MATCH_WINDOW
    high = sent + MATCH_WINDOW + client.timeouts.overall
    known = manager.history.known_ids(task.provider, task.base_url)
    matches = []
    for snap in snapshots:
        if snap.id in known:
            continue
        created = snap.created_at.timestamp() if snap.created_at else None
        if created is not None and not low <= created <= high:
            continue
        if not _same_request(request, snap, wire_model):
            continue
        matches.append(snap)
    return matches


def _wire_model(client: AsyncSeedance, request: Any) -> str | None:
    model_id = getattr(client.adapter, "model_id", None)
    if request is None or model_id is None:
        return None
    try:
        return str(model_id(request))
    except Exception:
        return None


def _same_request(request: Any, snap: TaskSnapshot, wire_model: str | None) -> bool:
    if wire_model and snap.model and snap.model != wire_model:
        return False
    if request is None:
        return True
    for name in ("resolution", "ratio"):
        wanted, got = getattr(request, name, None), getattr(snap, name)
        if wanted and got and wanted != "adaptive" and str(wanted).lower() != str(got).lower():
            return False
    duration = getattr(request, "duration", None)
    if duration and duration > 0 and snap.duration and float(snap.duration) != float(duration):
        return False
    seed = getattr(request, "seed", None)
    return not (seed is not None and seed >= 0 and snap.seed is not None and snap.seed != seed)


def adopt(manager: TaskManager, task: Task, task_id: str, *, via: str) -> bool:
    """Give an ambiguous task the upstream id it made; False if another row holds that id."""
    now = manager.clock.time()
    if not manager.history.adopt_id(task.uid, task_id, at=now, detail={"via": via}):
        return False
    task._row.update(id=task_id, create_state="reconciled", updated_at=now)
    task.candidates = ()
    task._error = None
    task._set(error_code=None, error_message=None)
    return True


def adopt_by_hand(manager: TaskManager, task: Task, task_id: str) -> Task:
    """The user decides: ``task_id`` is what this ambiguous create made. Polling takes over."""
    if task.id is not None:
        raise ValueError(f"task #{task.uid} already has the id {task.id}")
    if not adopt(manager, task, task_id, via="user"):
        raise ValueError(f"{task_id} is already recorded for another row of the history")
    if task.done:
        task._set(phase="polling")
        task._settled = False
        manager._start(task)
    return task
