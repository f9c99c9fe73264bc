"""One task's way through the lifecycle: wait its turn, create, poll, save the results.

Durability rules kept here: the row says ``sent`` before the create goes out and holds the task id
right after the answer; a create whose answer was lost is never resent (it is reconciled); a 429
is waited out in full before the create goes again (a 429 means nothing was created).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from typing import TYPE_CHECKING

from ..errors import (
    AmbiguousCreateError,
    ApiError,
    RateLimitError,
    SeedanceError,
    TransportError,
)
from ..status import Status
from .reconcile import reconcile
from .snapshots import apply_event, apply_snapshot
from .transitions import Event, Transition

if TYPE_CHECKING:
    from .services import Services
    from .task import Task

log = logging.getLogger("seedance_nb.lifecycle")

__all__ = ["apply_snapshot", "cancel", "create", "fetch_again", "finish", "run"]

UNSENT_ATTEMPTS = 5  # creates that could not even reach the server, before giving up
RATE_LIMITED_ATTEMPTS = 6  # creates refused with 429, before the row says "rate limited"


async def run(services: Services, task: Task) -> None:
    """The background coroutine of one task. Cancellation leaves the row for ``resume``."""
    try:
        await _drive(services, task)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.exception("task #%s: the lifecycle failed unexpectedly", task.uid)
        error = exc if isinstance(exc, SeedanceError) else SeedanceError(repr(exc))
        # The row stays unfinished so resume() can pick the task up again.
        task.apply(Transition(event="internal_error", detail={"error": repr(exc)}), error=error)
        task.settle()
        return
    finish(services, task)


def finish(services: Services, task: Task) -> None:
    services.limiter.release(task)
    apply_event(services, task, Event("phase", phase="done"))
    task.settle()


async def _drive(services: Services, task: Task) -> None:
    if task.create_state == "pending":
        await create(services, task)
    if task.id is None and task.create_state in ("sent", "ambiguous"):
        await reconcile(services, task)
        await _cancel_if_asked(services, task)
    if task.id is not None and not _terminal(task) and task.create_state != "gone":
        apply_event(services, task, Event("phase", phase="polling"))
        await services.pollers.until_done(task)
    if task.status is Status.SUCCEEDED and any(
        f.get("state", "pending") == "pending" for f in task.downloads
    ):
        apply_event(services, task, Event("phase", phase="downloading"))
        await services.downloads.fetch(task)


def _terminal(task: Task) -> bool:
    return task.status is not None and task.status.terminal


async def create(services: Services, task: Task) -> None:
    """Send the create once, when the limiter admits it."""
    request = task.request
    if request is None:
        why = "the request could not be rebuilt, so it was not sent"
        apply_event(services, task, Event("not_sent", message=why))
        return
    client = services.client_for(task)
    attempts = 0
    limited = 0
    while True:
        await services.limiter.acquire(task, front=attempts > 0)
        if task.cancel_requested:
            services.limiter.release(task)
            why = "cancelled before it was sent; nothing was created or billed"
            apply_event(services, task, Event("cancelled", message=why))
            return
        try:
            # Durable before the POST: if this write fails, nothing is sent.
            sending = {"create_state": "sent", "sent_at": services.clock.time()}
            task.apply(Transition(sending, "sending"), durable=True)
        except Exception as exc:
            log.error("task #%s: cannot record the send, so not sending: %s", task.uid, exc)
            services.limiter.release(task)
            attempts += 1
            await services.clock.sleep(min(60.0, 2.0**attempts))
            continue
        try:
            result = await client.create(
                request, callback_url=services.callback_url(client, task), validate=False
            )
        except AmbiguousCreateError as exc:
            # It may exist upstream: keep its place in the limiter, never send it again.
            task.answered_at = services.clock.time()
            apply_event(services, task, Event("ambiguous", message=str(exc)), error=exc)
            return
        except RateLimitError as exc:
            limited += 1
            # Never sooner than asked, and a growing pause (the client's backoff) even when
            # asked for none (0, a past date): the server said "too many", not "at once".
            wait = max(exc.retry_after or 0.0, client.retry.backoff(limited))
            services.limiter.release(task)
            if limited >= RATE_LIMITED_ATTEMPTS:
                why = (
                    f"rate limited, not sent: {task.provider} refused the create with 429 "
                    f"{limited} times ({exc.message}); nothing was created or billed. Send "
                    f"it again later with rerun({task.uid})"
                )
                apply_event(services, task, Event("not_sent", code="rate_limited", message=why),
                            error=exc)  # fmt: skip
                return
            services.limiter.pause(task, wait)  # no create to this endpoint before it is over
            retry = Event("retry", kind="rate_limited", detail={"retry_after": wait})
            apply_event(services, task, retry)
            attempts += 1
            continue
        except TransportError as exc:  # never reached the server: safe to try again later
            services.limiter.release(task)
            attempts += 1
            if attempts >= UNSENT_ATTEMPTS or not exc.repeatable:
                why = (
                    f"not sent: could not reach {task.provider}: {exc}"
                    if exc.repeatable
                    else f"not sent: {exc}"
                )
                apply_event(services, task, Event("not_sent", message=why), error=exc)
                return
            retry = Event("retry", kind="unreachable", detail={"error": str(exc)})
            apply_event(services, task, retry)
            await services.clock.sleep(min(60.0, 2.0**attempts))
            continue
        except (ApiError, SeedanceError) as exc:  # refused: nothing was created
            services.limiter.release(task)
            code = getattr(exc, "code", None)
            status_code = getattr(exc, "status_code", None)
            refused = Event(
                "refused",
                code=code or (f"HTTP {status_code}" if status_code else type(exc).__name__),
                message=getattr(exc, "message", str(exc)),
            )
            apply_event(services, task, refused, error=exc)
            return
        break
    status = Status.QUEUED if result.snapshot is None else Status.UNKNOWN
    if not await _record_created(services, task, result.task_id, status):
        return
    if result.snapshot is not None:
        apply_snapshot(services, task, result.snapshot)
    await _cancel_if_asked(services, task)


async def _record_created(services: Services, task: Task, task_id: str, status: Status) -> bool:
    """The acknowledged task id goes to the history at once; a failed write is tried again.
    False when another row already holds that id (the task is then flagged, not followed)."""
    created = Event("created", task_id=task_id, status=status)
    for attempt in range(3):
        holder = _holder(services, task, task_id)
        if holder is not None:
            _duplicate(services, task, task_id, holder)
            return False
        try:
            apply_event(services, task, created, durable=True)
            return True
        except sqlite3.IntegrityError:
            continue  # another row took the id meanwhile: the next round flags this one
        except Exception as exc:
            log.error("task #%s: recording its id %s failed (%s)", task.uid, task_id, exc)
            await services.clock.sleep(1.0 + attempt)
    # Keep going in memory; if the process dies now, resume() finds it through the list.
    apply_event(services, task, created)
    return True


def _holder(services: Services, task: Task, task_id: str) -> int | None:
    for other in list(services.handles.values()):
        if (
            other is not task
            and other.id == task_id
            and other.provider == task.provider
            and (other.base_url == task.base_url)
        ):
            return other.uid
    try:
        return services.history.holder(task.provider, task.base_url, task_id)
    except Exception:
        return None  # the write below says whether the id is free


def _duplicate(services: Services, task: Task, task_id: str, holder: int) -> None:
    """A create answered with an id another row holds: keep both rows, follow only the first,
    so one result is never shown (or downloaded, or billed in the history) twice."""
    why = (
        f"the provider answered this create with task id {task_id}, which task #{holder} "
        "already has; this row is kept but not followed, so one result is not shown twice. "
        "The provider may have merged the two creates or billed both: check its console"
    )
    detail = {"task_id": task_id, "holder": holder}
    apply_event(services, task, Event("duplicate", message=why, detail=detail))


async def _cancel_if_asked(services: Services, task: Task) -> None:
    """A cancel asked for while the create was in flight goes out once the id is known."""
    if task.cancel_requested and task.id is not None and not _terminal(task):
        try:
            await cancel(services, task)
        except SeedanceError as exc:
            task.cancel_error = str(exc)
            task.note("cancel_failed", {"error": str(exc)})


async def cancel(services: Services, task: Task) -> None:
    """Withdraw a task still in the local queue, else send the provider's cancel and poll."""
    if task.id is None:
        task.request_cancel()
        services.limiter.wake()  # a task waiting in the local queue withdraws at once
        task.note("cancel_requested")
        return
    task.note("cancel_requested")
    await services.client_for(task).cancel(task.id)
    services.pollers.ring(task)


def fetch_again(services: Services, task: Task) -> Task:
    """Save a succeeded task's unsaved results again (failed ones too), in the background."""
    if task.status is Status.SUCCEEDED and any(f.get("state") != "saved" for f in task.downloads):
        task.rearm()
        apply_event(services, task, Event("phase", phase="downloading"))

        async def again() -> None:
            await services.downloads.fetch(task, again=True)
            finish(services, task)

        services.host.spawn(again(), name=f"download-{task.uid}")
    return task
