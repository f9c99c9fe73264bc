"""Where background work runs: the kernel's running event loop, or a private one.

In a notebook a cell runs on the kernel's event loop, so background polling is scheduled there
with ``loop.create_task`` and keeps running after the cell returns; widget updates made from it
reach the browser. In a script there is no running loop, so the same coroutines run on a private
loop in a daemon thread (:class:`seedance_nb.sync.PrivateLoop`) and observers are called from that
thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger("seedance_nb.lifecycle")

T = TypeVar("T")


class LoopHost:
    """One event loop and the background tasks started on it (referenced, so never collected)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, *, private: Any = None) -> None:
        self.loop = loop
        self._private = private
        self._tasks: set[asyncio.Task[Any]] = set()

    @classmethod
    def for_caller(cls) -> LoopHost:
        """The caller's running loop if there is one (a notebook cell), else a private loop."""
        try:
            return cls(asyncio.get_running_loop())
        except RuntimeError:
            from ..sync import PrivateLoop

            private = PrivateLoop()
            return cls(private.loop, private=private)

    @property
    def is_private(self) -> bool:
        return self._private is not None

    @property
    def usable(self) -> bool:
        """False once the loop is closed (e.g. an ``asyncio.run`` that has returned)."""
        return not self.loop.is_closed()

    def in_loop_thread(self) -> bool:
        try:
            return asyncio.get_running_loop() is self.loop
        except RuntimeError:
            return False

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str) -> None:
        """Run ``coro`` in the background on this loop; its failure is logged, never lost."""
        if self.in_loop_thread():
            self._start(coro, name)
        else:
            self.loop.call_soon_threadsafe(self._start, coro, name)

    def _start(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = self.loop.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def start(self, coro: Coroutine[Any, Any, T], *, name: str) -> asyncio.Task[T]:
        """Like :meth:`spawn` but returns the task; only from the loop's own thread."""
        return self._start(coro, name)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("background task %s failed", task.get_name(), exc_info=exc)

    def call(self, fn: Callable[..., Any], *args: Any) -> None:
        """Call ``fn`` on the loop's thread (now if we are on it)."""
        if self.in_loop_thread():
            fn(*args)
        else:
            self.loop.call_soon_threadsafe(fn, *args)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Block the caller until ``coro`` has run on this loop.

        From another thread (scripts: the loop is private) this is an ordinary blocking wait. On
        the loop's own thread (a notebook cell calling ``task.wait()``) the loop must be re-entered:
        that is what nest_asyncio is for, and it is applied here only, on first need. Prefer
        ``await task`` in cells.
        """
        if not self.in_loop_thread():
            if not self.loop.is_running():
                coro.close()
                raise RuntimeError(
                    "the event loop this task runs on has stopped; call resume() to poll it again"
                )
            future = asyncio.run_coroutine_threadsafe(coro, self.loop)
            try:
                return future.result(timeout)
            except concurrent.futures.TimeoutError:
                future.cancel()
                raise TimeoutError(f"not finished within {timeout} s") from None
        import nest_asyncio

        nest_asyncio.apply(self.loop)
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    def call_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` on the loop's thread, returning its result (blocks a script's
        main thread briefly; state-changing calls must not race the loop)."""
        if self.in_loop_thread():
            return fn(*args, **kwargs)

        async def call() -> T:
            return fn(*args, **kwargs)

        return self.run(call())

    async def on_loop(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await ``coro`` on this loop from whichever loop the caller is on."""
        if self.in_loop_thread():
            return await coro
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    async def close(self) -> None:
        """Cancel the background tasks (state stays in history, so ``resume`` can continue)."""
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks and self.in_loop_thread():
            await asyncio.gather(*tasks, return_exceptions=True)

    def stop_private(self) -> None:
        if self._private is not None and threading.current_thread() is not getattr(
            self._private, "_thread", None
        ):
            self._private.close()
