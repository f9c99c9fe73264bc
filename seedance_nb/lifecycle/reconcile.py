"""Picking up where a process left off, and settling creates whose answer was lost.

``resume()`` takes every unfinished row of the history that no live process owns and continues it:
tasks with an id are polled, finished ones get their files saved, requests that were never sent
are sent (only if they were submitted within the last hour; older ones are marked ``not_sent``).

A create that may or may not have reached the provider (its answer was lost, or the process died
while it was in flight) is never sent again. Where the dialect has a list endpoint (ModelArk) the
recent tasks of the same model are compared with the request (:mod:`.matching`): exactly one
unclaimed task made after the send that matches every echoed field is adopted; none or several
leave the row ``unknown``, listing its candidates, for the user to decide (``services.adopt``).
"""

from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RateLimitError, SeedanceError
from ..status import Status
from .lease_claim import take_row
from .matching import Found, echo_matches, sent_body, sort_by_time
from .owners import same_process
from .snapshots import apply_event
from .transitions import Event

if TYPE_CHECKING:
    from ..client import AsyncSeedance
    from .services import Services
    from .task import Task

log = logging.getLogger("seedance_nb.lifecycle")

RESEND_WINDOW = 3600.0  # a never-sent request older than this is not sent on resume
RECONCILE_DELAYS = (0.0, 2.0, 10.0, 30.0)  # the list may lag behind a create
LIST_PAGE = 500


def resume(services: Services, *, force: bool = False) -> list[Task]:
    """Continue every unfinished task not owned by a live process; returns their handles."""
    sweep_partial_files(services.history.media_dir)
    resumed: list[Task] = []
    for row in services.history.unfinished():
        task = services.handles.get(row["uid"])
        if task is not None and not task.owned_elsewhere:
            # Ours already; restart it if its coroutine died with a loop.
            if not services.running(task):
                services.start_task(task)
            resumed.append(task)
            continue
        task = take_over(services, row, force=force)
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


def take_over(services: Services, row: dict[str, Any], *, force: bool = False) -> Task | None:
    """Claim one unfinished row and continue it here; None if a live process owns it."""
    owner = row.get("owner")
    if not take_row(services, row, force=force):
        return None  # a live process runs it (its lease on a team's ledger), or took it first
    row["owner"] = services.owner
    task = services.load(row)
    task.note("resumed", {"from": owner})
    if row.get("simulated") and not same_process(owner):
        why = (
            "this task ran on the in-process simulator of a process that has ended; there is "
            "nothing left to poll"
        )
        gone = Event("phase", phase="done", kind="simulator_gone", code="simulator_gone",
                     message=why)  # fmt: skip
        apply_event(services, task, gone)
        task.settle()
        return task
    if task.create_state == "pending":
        reason = None
        if services.clock.time() - task.submitted_ts > RESEND_WINDOW:
            reason = "it was queued over an hour ago and never sent; send it again with rerun()"
        elif task.request is None:
            reason = "its request cannot be rebuilt from the history"
        if reason:
            why = f"not sent: {reason}; nothing was created or billed"
            stale = Event("not_sent", status=Status.CANCELLED, phase="done", message=why)
            apply_event(services, task, stale)
            task.settle()
            return task
    else:
        services.limiter.adopt(task)
    services.start_task(task)
    return task


async def reconcile(services: Services, task: Task) -> None:
    """Settle a create whose outcome is unknown; never resends it (see :mod:`.matching`)."""
    client = services.client_for(task)
    if task.status is not Status.UNKNOWN or task.create_state != "ambiguous":
        why = "the process ended while the create was in flight; it may exist upstream"
        apply_event(services, task, Event("ambiguous", message=why))
    if not getattr(client.adapter, "has_list", False) or task.kind == "image":
        _unresolved(services, task, f"{task.provider} has no list endpoint to look for it")
        return
    found = Found()
    quiet = 0.0
    for delay in services.reconcile_delays:
        # Never ask again before a 429's Retry-After (ours or the poller's) is over.
        wait = max(delay, quiet, services.pollers.quiet_for(task))
        if wait:
            await services.clock.sleep(wait)
        quiet = 0.0
        try:
            found = await look_upstream(services, client, task)
        except SeedanceError as exc:
            log.warning("reconciling task #%s: listing failed: %s", task.uid, exc)
            if isinstance(exc, RateLimitError) and exc.retry_after:
                quiet = exc.retry_after
            continue
        if found.adoptable is not None:
            if adopt(services, task, found.adoptable.id, via="list"):
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
    _unresolved(services, task, why)


def _unresolved(services: Services, task: Task, why: str) -> None:
    how = (
        f"get_manager().adopt({task.candidates[0]!r}) (or `seedance adopt ID`) if one is yours"
        if task.candidates
        else f"get_manager().adopt({task.uid}, '<task id>') if you find it upstream"
    )
    message = (
        f"the create's answer was lost and it was not resent; {why}. Decide: {how}, or "
        f"rerun({task.uid}) to send it again"
    )
    detail = {"candidates": list(task.candidates)}
    apply_event(services, task, Event("unresolved", message=message, detail=detail))


async def look_upstream(services: Services, client: AsyncSeedance, task: Task) -> Found:
    """Recent upstream tasks that could be this create and are not in the history already."""
    request = task.request
    body = sent_body(client, request)
    wire_model = str(body["model"]) if body and body.get("model") else None
    before = services.clock.time()
    snapshots, date = await client.list_dated(model=wire_model, page_size=LIST_PAGE)
    after = services.clock.time()
    sent = task.row.get("sent_at") or task.submitted_ts
    answered = task.answered_at or sent + client.timeouts.overall
    known = services.history.known_ids(task.provider, task.base_url)
    fits = [snap for snap in snapshots or () if snap.id not in known and echo_matches(body, snap)]
    return sort_by_time(fits, sent=sent, answered=answered, date=date, before=before, after=after)


def adopt(services: Services, task: Task, task_id: str, *, via: str) -> bool:
    """Give an ambiguous task the upstream id it made; False if another row holds that id."""
    now = services.clock.time()
    if not services.history.adopt_id(task.uid, task_id, at=now, detail={"via": via}):
        return False
    task.adopted(task_id, now)
    return True


def adopt_by_hand(services: Services, task: Task, task_id: str) -> Task:
    """The user decides: ``task_id`` is what this ambiguous create made. Polling takes over."""
    if task.id is not None:
        raise ValueError(f"task #{task.uid} already has the id {task.id}")
    if not adopt(services, task, task_id, via="user"):
        raise ValueError(f"{task_id} is already recorded for another row of the history")
    if task.done:
        apply_event(services, task, Event("phase", phase="polling"))
        task.rearm()
        services.start_task(task)
    return task
