"""Saving results to the local cache, earliest-expiring URL first.

Result URLs expire (ModelArk: 24 h), so every succeeded task's files are fetched promptly: video,
last frame, images. Each file is streamed to a temp file and renamed into place by the client, with
a size cap, content type and file signature checked and its sha256 recorded. A failed download is
retried on its own with a growing delay and never changes the task's status; a URL that has
expired is marked ``expired``, never shown as fine.
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import itertools
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..download import Pace
from ..errors import DownloadError
from . import team_media
from .alarm import Alarm, cancel_all

if TYPE_CHECKING:
    from .services import Services
    from .task import Task

log = logging.getLogger("seedance_nb.lifecycle")


@dataclass(frozen=True)
class DownloadPolicy:
    """Limits and retries for saving results."""

    max_bytes: int = 1024 * 1024 * 1024
    concurrency: int = 2
    attempts: int = 5
    retry_delay: float = 5.0  # doubled after each failure
    max_retry_delay: float = 300.0
    # One file: this long in all, and at least ``min_rate`` bytes/s once ``grace`` has passed.
    deadline: float = 900.0
    min_rate: float = 16 * 1024
    grace: float = 30.0


@dataclass(order=True)
class _Job:
    expires: float
    seq: int
    task: Task = field(compare=False)
    idx: int = field(compare=False)
    not_before: float = field(default=0.0, compare=False)
    attempt: int = field(default=0, compare=False)


class Downloader:
    """One queue for every task of a manager; a few files at a time."""

    def __init__(self, manager: Services, policy: DownloadPolicy | None = None) -> None:
        self.manager = manager
        self.policy = policy or DownloadPolicy()
        self._heap: list[_Job] = []
        self._seq = itertools.count()
        self._active: set[asyncio.Task[None]] = set()
        self._open: dict[int, int] = {}  # uid -> unsettled files
        self._waiters: dict[int, list[asyncio.Future[None]]] = {}
        self._alarm = Alarm(lambda seconds: self.manager.clock.sleep(seconds))
        self._pump_task: asyncio.Task[None] | None = None

    async def fetch(self, task: Task, *, again: bool = False) -> None:
        """Save the task's pending results (with ``again``, also failed ones); returns once each
        is saved, failed for good, or expired."""
        states = ("pending", "failed") if again else ("pending",)
        files = task.downloads
        jobs = [i for i, f in enumerate(files) if f.get("state", "pending") in states]
        if not jobs and not self._open.get(task.uid):
            return
        for idx in jobs:
            if again and files[idx].get("state") == "failed":
                self._mark(task, idx, {"state": "pending", "error": None, "attempts": 0})
            expires = files[idx].get("expires_at")
            job = _Job(expires if expires is not None else float("inf"), next(self._seq), task, idx)
            heapq.heappush(self._heap, job)
            self._open[task.uid] = self._open.get(task.uid, 0) + 1
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(task.uid, []).append(waiter)
        self._kick()
        await waiter

    def _kick(self) -> None:
        self._alarm.ring()
        if self._pump_task is None or self._pump_task.done():
            self._pump_task = self.manager.host.start(self._pump(), name="downloads")

    async def close(self) -> None:
        await cancel_all([self._pump_task, *self._active])

    async def _pump(self) -> None:
        clock = self.manager.clock
        while self._heap or self._active:
            now = clock.monotonic()
            wait = float("inf")
            if len(self._active) < self.policy.concurrency and self._heap:
                waiting = [j for j in self._heap if j.not_before > now]
                ready = [j for j in self._heap if j.not_before <= now]
                if ready:
                    job = min(ready)  # the URL that expires first
                    self._heap.remove(job)
                    heapq.heapify(self._heap)
                    running = self.manager.host.start(self._run(job), name="download")
                    self._active.add(running)
                    running.add_done_callback(self._done)
                    continue
                wait = min(j.not_before for j in waiting) - now
            await self._alarm.sleep(wait)

    def _done(self, running: asyncio.Task[None]) -> None:
        self._active.discard(running)
        self._kick()

    async def _run(self, job: _Job) -> None:
        task, idx = job.task, job.idx
        manager = self.manager
        info = task.downloads[idx]
        now = manager.clock.time()
        # Expiry stamps come from the provider's clock and answers that may be old: a URL is
        # always tried once before it is called expired.
        past = info.get("expires_at") is not None and info["expires_at"] <= now
        if past and job.attempt > 0:
            self._settle(job, {"state": "expired", "error": "the URL expired before it was saved"})
            return
        if info["url"].startswith("data:…"):
            self._settle(job, {"state": "failed", "error": "inline result lost with its process"})
            return
        dest = manager.history.media_dir / _file_stem(task, idx, info["kind"])
        try:
            client = manager.client_for(task)
            policy = self.policy
            pace = Pace(policy.deadline, policy.min_rate, policy.grace)
            fetch = functools.partial(
                client.download, info["url"], max_bytes=policy.max_bytes, pace=pace
            )
            # Saved once for the team when a team media folder is set (see team_media).
            saved = await team_media.save(dest.name, dest.parent, fetch, sleep=manager.clock.sleep)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # every failure is recorded; none changes the task's status
            expired = (isinstance(exc, DownloadError) and exc.expired) or past
            final = expired or job.attempt + 1 >= self.policy.attempts or _too_large(exc)
            message = str(exc) or type(exc).__name__
            if not isinstance(exc, DownloadError):
                log.warning("saving a result of task %s failed: %s", task.id, message)
            if final:
                self._settle(job, {"state": "expired" if expired else "failed", "error": message})
                return
            job.attempt += 1
            delay = min(
                self.policy.max_retry_delay, self.policy.retry_delay * 2 ** (job.attempt - 1)
            )
            job.not_before = manager.clock.monotonic() + delay
            self._mark(task, idx, {"attempts": job.attempt, "error": message}, event=None)
            heapq.heappush(self._heap, job)
            return
        self._settle(
            job,
            {
                "state": "saved",
                "path": str(saved.path),
                "sha256": saved.sha256,
                "size": saved.size,
                "content_type": saved.content_type,
                "error": None,
            },
        )

    def _settle(self, job: _Job, changes: dict[str, Any]) -> None:
        task = job.task
        changes = {**changes, "attempts": job.attempt + 1}
        self._mark(task, job.idx, changes, event=f"download_{changes['state']}")
        left = self._open.get(task.uid, 1) - 1
        if left > 0:
            self._open[task.uid] = left
            return
        self._open.pop(task.uid, None)
        for waiter in self._waiters.pop(task.uid, []):
            if not waiter.done():
                waiter.set_result(None)

    def _mark(
        self, task: Task, idx: int, changes: dict[str, Any], *, event: str | None = None
    ) -> None:
        task.update_file(idx, changes)
        detail = {k: v for k, v in changes.items() if k in ("state", "error", "sha256", "size")}
        self.manager.recorder.asset(task, idx, changes, event, detail)
        task.notify()


def _file_stem(task: Task, idx: int, kind: str) -> str:
    label = re.sub(r"[^A-Za-z0-9_-]+", "_", task.id or "local")[:60]
    return f"{task.uid:06d}-{label}-{kind}-{idx}"


def _too_large(exc: BaseException) -> bool:
    # Retrying a file over the size cap would only fetch it again.
    return isinstance(exc, DownloadError) and exc.oversized
