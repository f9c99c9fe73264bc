"""What lets others follow a task: observers, done hooks, ``await task`` and ``task.wait()``.

Observers are called after every change, on the event loop's thread (the kernel's, in a
notebook), so widgets can update their traits from them. Waiting works from any thread: on the
loop's own thread ``wait()`` re-enters the loop (see :meth:`LoopHost.run`); ``await`` never blocks.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import SeedanceError

if TYPE_CHECKING:
    from .context import TaskContext

log = logging.getLogger("seedance_nb.lifecycle")

T = TypeVar("T", bound="Observable")


class Observable(ABC):
    """Base of :class:`~seedance_nb.lifecycle.task.Task`: its observers and waiters."""

    _manager: TaskContext
    owned_elsewhere: str | None

    def __init__(self) -> None:
        self._observers: list[Callable[[Any], Any]] = []
        self._done_hooks: list[Callable[[Any], Any]] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._settled = False

    @property
    @abstractmethod
    def uid(self) -> int: ...

    @property
    @abstractmethod
    def id(self) -> str | None: ...

    @property
    @abstractmethod
    def done(self) -> bool: ...

    def observe(self, callback: Callable[[Any], Any]) -> Callable[[], None]:
        """Call ``callback(task)`` after every change; returns a function that unsubscribes."""
        self._observers.append(callback)

        def unsubscribe() -> None:
            if callback in self._observers:
                self._observers.remove(callback)

        return unsubscribe

    def add_done_hook(self, fn: Callable[[Any], Any]) -> None:
        """Call ``fn(task)`` once, when the task is done (now, if it already is)."""
        if self._settled:
            self._manager.host.call(fn, self)
        else:
            self._done_hooks.append(fn)

    def __await__(self: T) -> Generator[Any, None, T]:
        return self._wait_async(None).__await__()

    async def _wait_async(self: T, timeout: float | None) -> T:
        # A teammate's task on a PostgreSQL ledger follows their change notices (.notices).
        following = getattr(getattr(self._manager, "notices", None), "following", False)
        if self.owned_elsewhere and not self._settled and not following:
            raise SeedanceError(
                f"task #{self.uid} is being run by another process ({self.owned_elsewhere}); "
                "this handle is a snapshot of the history and will not change. Wait in that "
                "process, or resume(force=True) here once it has ended"
            )
        host = self._manager.host
        if not host.in_loop_thread():
            future = asyncio.run_coroutine_threadsafe(self._wait_async(timeout), host.loop)
            return await asyncio.wrap_future(future)
        if not self._settled:
            waiter = host.loop.create_future()
            self._waiters.append(waiter)
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
        return self

    async def _until(self, predicate: Callable[[], bool], timeout: float | None) -> None:
        host = self._manager.host
        if not host.in_loop_thread():
            future = asyncio.run_coroutine_threadsafe(self._until(predicate, timeout), host.loop)
            await asyncio.wrap_future(future)
            return
        if predicate():
            return
        reached = host.loop.create_future()

        def check(_task: Any) -> None:
            if predicate() and not reached.done():
                reached.set_result(None)

        stop = self.observe(check)
        try:
            await asyncio.wait_for(reached, timeout)
        finally:
            stop()

    def wait_created(self, timeout: float | None = None) -> str | None:
        """Block until the create has answered (or the task is done); returns the task id."""
        self._manager.host.run(self._until(lambda: self.id is not None or self.done, timeout))
        return self.id

    def wait(self: T, timeout: float | None = None) -> T:
        """Block until the task is done (finished and downloaded); returns the task.

        In a notebook cell prefer ``await task``, which keeps the kernel responsive.
        """
        return self._manager.host.run(self._wait_async(timeout))

    # -- on the loop's thread -------------------------------------------------------------------
    def _notify(self) -> None:
        for callback in list(self._observers):
            try:
                callback(self)
            except Exception:
                log.exception("an observer of task #%s failed", self.uid)

    def notify(self) -> None:
        """Tell the observers the task changed (after a change the history already holds)."""
        self._notify()

    def rearm(self) -> None:
        """The task runs again (a resume, an adopt, a new download): waiters wait for this run."""
        self._settled = False

    def settle(self) -> None:
        """The run is over: wake the waiters and run the done hooks, once."""
        self._settle()

    def _settle(self) -> None:
        """Done: wake the waiters and run the done hooks, once."""
        if self._settled:
            return
        self._settled = True
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
        hooks, self._done_hooks = self._done_hooks, []
        for hook in hooks:
            try:
                hook(self)
            except Exception:
                log.exception("a done hook of task #%s failed", self.uid)
