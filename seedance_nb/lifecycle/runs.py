"""The background run of each task: one asyncio task per task, started again only once it ended.

A run is the runner's coroutine for one task (create, poll, save). Submit, resume and adopt may
all ask to start the same task; only one run goes at a time, and a new one re-arms the task's
waiters (``await task`` waits for the run that is going).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .loop import LoopHost
    from .task import Task


class Runs:
    """The runs of one manager's tasks, on the loop ``host()`` gives at the time."""

    def __init__(
        self, host: Callable[[], LoopHost], make: Callable[[Task], Coroutine[Any, Any, None]]
    ) -> None:
        self._host = host
        self._make = make
        self._runs: dict[int, asyncio.Task[None]] = {}  # uid -> its run

    def start(self, task: Task) -> None:
        """Run ``task``'s lifecycle in the background, unless its run is going already."""
        self._host().call(self._start_on_loop, task)

    def running(self, task: Task) -> bool:
        """Whether ``task``'s run is going."""
        run = self._runs.get(task.uid)
        return run is not None and not run.done()

    def stop(self, task: Task) -> None:
        """Stop ``task``'s run here (another member took the task over); on the loop's thread."""
        run = self._runs.pop(task.uid, None)
        if run is not None and not run.done():
            run.cancel()

    def _start_on_loop(self, task: Task) -> None:
        if self.running(task):
            return  # already running (resume and submit may both ask)
        if not task.done:
            task.rearm()  # running again: waiters wait for this run
        run = self._host().start(self._make(task), name=f"seedance-task-{task.uid}")
        self._runs[task.uid] = run
        run.add_done_callback(lambda done: self._forget(task.uid, done))

    def _forget(self, uid: int, done: asyncio.Task[None]) -> None:
        if self._runs.get(uid) is done:
            del self._runs[uid]
