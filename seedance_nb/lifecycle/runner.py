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
from .snapshots import apply_snapshot

if TYPE_CHECKING:
    from .manager import TaskManager
    from .task import Task

log = logging.getLogger("seedance_nb.lifecycle")

__all__ = ["apply_snapshot", "cancel", "create", "finish", "run"]

UNSENT_ATTEMPTS = 5  # creates that could not even reach the server, before giving up
RATE_LIMITED_ATTEMPTS = 6  # creates refused with 429, before the row says "rate limited"


async def run(manager: TaskManager, task: Task) -> None:
    """The background coroutine of one task. Cancellation leaves the row for ``resume``."""
    try:
        await _drive(manager, task)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.exception("task #%s: the lifecycle failed unexpectedly", task.uid)
        task._error = exc if isinstance(exc, SeedanceError) else SeedanceError(repr(exc))
        # The row stays unfinished so resume() can pick the task up again.
        task._set(event="internal_error", detail={"error": repr(exc)})
        task._settle()
        return
    finish(manager, task)


def finish(manager: TaskManager, task: Task) -> None:
    manager.limiter.release(task)
    task._set(phase="done", event="done")
    task._settle()


async def _drive(manager: TaskManager, task: Task) -> None:
    if task.create_state == "pending":
        await create(manager, task)
    if task.id is None and task.create_state in ("sent", "ambiguous"):
        from .reconcile import reconcile

        await reconcile(manager, task)
        await _cancel_if_asked(manager, task)
    if task.id is not None and not _terminal(task) and task.create_state != "gone":
        task._set(phase="polling")
        await manager.pollers.until_done(task)
    if task.status is Status.SUCCEEDED and any(
        f.get("state", "pending") == "pending" for f in task._files
    ):
        task._set(phase="downloading")
        await manager.downloads.fetch(task)


def _terminal(task: Task) -> bool:
    return task.status is not None and task.status.terminal


async def create(manager: TaskManager, task: Task) -> None:
    """Send the create once, when the limiter admits it."""
    request = task.request
    if request is None:
        task._set(
            create_state="not_sent",
            status=Status.FAILED,
            error_code="not_sent",
            error_message="the request could not be rebuilt, so it was not sent",
            event="not_sent",
        )
        return
    client = manager.client_for(task)
    attempts = 0
    limited = 0
    while True:
        await manager.limiter.acquire(task, front=attempts > 0)
        if task._cancel_requested:
            manager.limiter.release(task)
            task._set(
                create_state="not_sent",
                status=Status.CANCELLED,
                raw_status="cancelled locally",
                error_code="cancelled",
                error_message="cancelled before it was sent; nothing was created or billed",
                finished_at=manager.clock.time(),
                event="cancelled",
            )
            return
        try:
            # Durable before the POST: if this write fails, nothing is sent.
            task._commit("sending", create_state="sent", sent_at=manager.clock.time())
        except Exception as exc:
            log.error("task #%s: cannot record the send, so not sending: %s", task.uid, exc)
            manager.limiter.release(task)
            attempts += 1
            await manager.clock.sleep(min(60.0, 2.0**attempts))
            continue
        try:
            result = await client.create(
                request, callback_url=manager.callback_url(client, task), validate=False
            )
        except AmbiguousCreateError as exc:
            # It may exist upstream: keep its place in the limiter, never send it again.
            task._answered_at = manager.clock.time()
            task._error = exc
            task._set(
                create_state="ambiguous",
                status=Status.UNKNOWN,
                error_code="create_ambiguous",
                error_message=str(exc),
                event="ambiguous",
            )
            return
        except RateLimitError as exc:
            limited += 1
            # Never sooner than asked, and a growing pause (the client's backoff) even when
            # asked for none (0, a past date): the server said "too many", not "at once".
            wait = max(exc.retry_after or 0.0, client.retry.backoff(limited))
            manager.limiter.release(task)
            if limited >= RATE_LIMITED_ATTEMPTS:
                task._error = exc
                task._set(
                    create_state="not_sent",
                    status=Status.FAILED,
                    error_code="rate_limited",
                    error_message=(
                        f"rate limited, not sent: {task.provider} refused the create with 429 "
                        f"{limited} times ({exc.message}); nothing was created or billed. Send "
                        f"it again later with rerun({task.uid})"
                    ),
                    finished_at=manager.clock.time(),
                    event="not_sent",
                )
                return
            manager.limiter.pause(task, wait)  # no create to this endpoint before it is over
            task._set(create_state="pending", event="rate_limited", detail={"retry_after": wait})
            attempts += 1
            continue
        except TransportError as exc:  # never reached the server: safe to try again later
            manager.limiter.release(task)
            attempts += 1
            if attempts >= UNSENT_ATTEMPTS or not exc.repeatable:
                task._error = exc
                task._set(
                    create_state="not_sent",
                    status=Status.FAILED,
                    error_code="not_sent",
                    error_message=f"not sent: could not reach {task.provider}: {exc}"
                    if exc.repeatable
                    else f"not sent: {exc}",
                    finished_at=manager.clock.time(),
                    event="not_sent",
                )
                return
            task._set(create_state="pending", event="unreachable", detail={"error": str(exc)})
            await manager.clock.sleep(min(60.0, 2.0**attempts))
            continue
        except (ApiError, SeedanceError) as exc:  # refused: nothing was created
            manager.limiter.release(task)
            task._error = exc
            code = getattr(exc, "code", None)
            status_code = getattr(exc, "status_code", None)
            task._set(
                create_state="refused",
                status=Status.FAILED,
                error_code=code or (f"HTTP {status_code}" if status_code else type(exc).__name__),
                error_message=getattr(exc, "message", str(exc)),
                finished_at=manager.clock.time(),
                event="refused",
            )
            return
        break
    status = Status.QUEUED if result.snapshot is None else Status.UNKNOWN
    if not await _record_created(manager, task, result.task_id, status):
        return
    if result.snapshot is not None:
        apply_snapshot(manager, task, result.snapshot)
    await _cancel_if_asked(manager, task)


async def _record_created(manager: TaskManager, task: Task, task_id: str, status: Status) -> bool:
    """The acknowledged task id goes to the history at once; a failed write is tried again.
    False when another row already holds that id (the task is then flagged, not followed)."""
    for attempt in range(3):
        holder = _holder(manager, task, task_id)
        if holder is not None:
            _duplicate(task, task_id, holder)
            return False
        try:
            task._commit("created", id=task_id, create_state="acknowledged", status=status)
            return True
        except sqlite3.IntegrityError:
            continue  # another row took the id meanwhile: the next round flags this one
        except Exception as exc:
            log.error("task #%s: recording its id %s failed (%s)", task.uid, task_id, exc)
            await manager.clock.sleep(1.0 + attempt)
    # Keep going in memory; if the process dies now, resume() finds it through the list.
    task._set(id=task_id, create_state="acknowledged", status=status, event="created")
    return True


def _holder(manager: TaskManager, task: Task, task_id: str) -> int | None:
    for other in list(manager._tasks.values()):
        if (
            other is not task
            and other.id == task_id
            and other.provider == task.provider
            and (other.base_url == task.base_url)
        ):
            return other.uid
    try:
        return manager.history.holder(task.provider, task.base_url, task_id)
    except Exception:
        return None  # the write below says whether the id is free


def _duplicate(task: Task, task_id: str, holder: int) -> None:
    """A create answered with an id another row holds: keep both rows, follow only the first,
    so one result is never shown (or downloaded, or billed in the history) twice."""
    task._set(
        create_state="duplicate",
        status=Status.UNKNOWN,
        error_code="duplicate_id",
        error_message=(
            f"the provider answered this create with task id {task_id}, which task #{holder} "
            "already has; this row is kept but not followed, so one result is not shown twice. "
            "The provider may have merged the two creates or billed both: check its console"
        ),
        event="duplicate",
        detail={"task_id": task_id, "holder": holder},
    )


async def _cancel_if_asked(manager: TaskManager, task: Task) -> None:
    """A cancel asked for while the create was in flight goes out once the id is known."""
    if task._cancel_requested and task.id is not None and not _terminal(task):
        try:
            await cancel(manager, task)
        except SeedanceError as exc:
            task.cancel_error = str(exc)
            task._set(event="cancel_failed", detail={"error": str(exc)})


async def cancel(manager: TaskManager, task: Task) -> None:
    """Withdraw a task still in the local queue, else send the provider's cancel and poll."""
    if task.id is None:
        task._cancel_requested = True
        manager.limiter._notify()  # a task waiting in the local queue withdraws at once
        task._set(event="cancel_requested")
        return
    task._set(event="cancel_requested")
    await manager.client_for(task).cancel(task.id)
    manager.pollers.ring(task)
