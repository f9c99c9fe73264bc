"""Picking up where a process left off, and settling creates whose answer was lost.

``resume()`` takes every unfinished row of the history that no live process owns and continues it:
tasks with an id are polled, finished ones get their files saved, requests that were never sent
are sent (only if they were submitted within the last hour; older ones are marked ``not_sent``).

A create that may or may not have reached the provider (its answer was lost, or the process died
while it was in flight) is never sent again. Where the dialect has a list endpoint (ModelArk) the
recent tasks of the same model are compared with the request (:mod:`.matching`): exactly one
unclaimed task made after the send that matches every echoed field is adopted; none or several
leave the row ``unknown``, listing its candidates, for the user to decide (``manager.adopt``).
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
from ..status import Status
from . import leases
from .matching import Found, echo_matches, sent_body, sort_by_time

if TYPE_CHECKING:
    from ..client import AsyncSeedance
    from .manager import TaskManager
    from .task import Task

log = logging.getLogger("seedance_nb.lifecycle")

RESEND_WINDOW = 3600.0  # a never-sent request older than this is not sent on resume
RECONCILE_DELAYS = (0.0, 2.0, 10.0, 30.0)  # the list may lag behind a create
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
    owner = row.get("owner")
    if not leases.take_row(manager, row, force=force):
        return None  # a live process runs it (its lease on a team's ledger), or took it first
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
    """Settle a create whose outcome is unknown; never resends it (see :mod:`.matching`)."""
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
    found = Found()
    quiet = 0.0
    for delay in manager.reconcile_delays:
        # Never ask again before a 429's Retry-After (ours or the poller's) is over.
        wait = max(delay, quiet, manager.pollers.quiet_for(task))
        if wait:
            await manager.clock.sleep(wait)
        quiet = 0.0
        try:
            found = await look_upstream(manager, client, task)
        except SeedanceError as exc:
            log.warning("reconciling task #%s: listing failed: %s", task.uid, exc)
            if isinstance(exc, RateLimitError) and exc.retry_after:
                quiet = exc.retry_after
            continue
        if found.adoptable is not None:
            if adopt(manager, task, found.adoptable.id, via="list"):
                return
            continue  # another process adopted it meanwhile: look again
        if found.why_not:
            break
        # Several matches: look again later, as siblings (a grid) record their own ids.
    shown = found.matches or found.near
    task.candidates = tuple(c.id for c in shown)
    if found.why_not:
        why = found.why_not
    elif len(found.matches) > 1:
        why = (
            f"{len(found.matches)} tasks made after the send match it: {', '.join(task.candidates)}"
        )
    elif shown:
        why = (
            "no task made after the send matches it, so it was probably not created; tasks like "
            f"it made around then (not adopted): {', '.join(task.candidates)}"
        )
    else:
        why = "no matching task was found upstream, so it was probably not created"
    _unresolved(task, why)


def _unresolved(task: Task, why: str) -> None:
    how = (
        f"get_manager().adopt({task.candidates[0]!r}) (or `seedance adopt ID`) if one is yours"
        if task.candidates
        else f"get_manager().adopt({task.uid}, '<task id>') if you find it upstream"
    )
    task._set(
        error_code="create_ambiguous",
        error_message=(
            f"the create's answer was lost and it was not resent; {why}. Decide: {how}, or "
            f"rerun({task.uid}) to send it again"
        ),
        event="unresolved",
        detail={"candidates": list(task.candidates)},
    )


async def look_upstream(manager: TaskManager, client: AsyncSeedance, task: Task) -> Found:
    """Recent upstream tasks that could be this create and are not in the history already."""
    request = task.request
    body = sent_body(client, request)
    wire_model = str(body["model"]) if body and body.get("model") else None
    before = manager.clock.time()
    snapshots, date = await client.list_dated(model=wire_model, page_size=LIST_PAGE)
    after = manager.clock.time()
    sent = task._row.get("sent_at") or task.submitted_ts
    answered = task._answered_at or sent + client.timeouts.overall
    known = manager.history.known_ids(task.provider, task.base_url)
    fits = [snap for snap in snapshots or () if snap.id not in known and echo_matches(body, snap)]
    return sort_by_time(fits, sent=sent, answered=answered, date=date, before=before, after=after)


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


def adopt_candidate(manager: TaskManager, task_id: str) -> Task:
    """``task_id`` was listed as a candidate of one unknown row: adopt it there."""
    from . import lookup

    uids = manager.history.claimants(task_id)
    if not uids:
        raise ValueError(
            f"{task_id} is not a candidate of any unknown task in this history. Fix: name the "
            f"row: adopt(uid, {task_id!r})"
        )
    if len(uids) > 1:
        rows = ", ".join(f"#{uid}" for uid in uids)
        raise ValueError(
            f"{task_id} is a candidate of tasks {rows}; say which: adopt(uid, {task_id!r})"
        )
    return adopt_by_hand(manager, lookup.find(manager, uids[0]), task_id)
