"""A blocking face over :class:`~seedance_nb.client.AsyncSeedance` for scripts and cells.

The async client runs on a private event loop in a daemon thread, so these methods work the
same in a plain script and inside a notebook cell whose loop is already running.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .client import AsyncSeedance

if TYPE_CHECKING:
    from .download import DownloadResult
    from .providers import CreateResult
    from .requests import ImageRequest, VideoRequest
    from .status import TaskSnapshot

T = TypeVar("T")


class PrivateLoop:
    """An event loop on its own daemon thread; ``run`` blocks the caller until a coroutine ends."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="seedance-loop", daemon=True
        )
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive() and not self.loop.is_closed():
            self.loop.close()  # its selector and self-pipe sockets go with it


class Seedance:
    """Blocking client: the same arguments and methods as :class:`AsyncSeedance`.

    >>> client = Seedance("ark")
    >>> created = client.create(VideoRequest(model="seedance-2.0", prompt="a fox"))
    """

    def __init__(self, provider: str | None = None, **kwargs: Any) -> None:
        self._loop = PrivateLoop()
        self._async = self._loop.run(_make(provider, kwargs))

    def __repr__(self) -> str:
        return f"Seedance({self._async.settings.describe()})"

    @property
    def aio(self) -> AsyncSeedance:
        return self._async

    @property
    def simulated(self) -> bool:
        return self._async.simulated

    def create(self, request: VideoRequest | ImageRequest, **kwargs: Any) -> CreateResult:
        return self._loop.run(self._async.create(request, **kwargs))

    def get(self, task_id: str) -> TaskSnapshot:
        return self._loop.run(self._async.get(task_id))

    def list(self, **kwargs: Any) -> list[TaskSnapshot] | None:
        return self._loop.run(self._async.list(**kwargs))

    def cancel(self, task_id: str) -> None:
        self._loop.run(self._async.cancel(task_id))

    def download(self, url: str, dest: Path, **kwargs: Any) -> DownloadResult:
        return self._loop.run(self._async.download(url, dest, **kwargs))

    def wait(
        self, task_id: str, *, interval: float = 2.0, timeout: float | None = None
    ) -> TaskSnapshot:
        """Poll until the task is in a terminal state (for scripts; notebooks use ``submit``)."""
        return self._loop.run(_wait(self._async, task_id, interval), timeout)

    def close(self) -> None:
        self._loop.run(self._async.aclose())
        self._loop.close()

    def __enter__(self) -> Seedance:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def _make(provider: str | None, kwargs: dict[str, Any]) -> AsyncSeedance:
    return AsyncSeedance(provider, **kwargs)


async def _wait(client: AsyncSeedance, task_id: str, interval: float) -> TaskSnapshot:
    snapshot = await client.get(task_id)
    while not snapshot.status.terminal:
        await asyncio.sleep(interval)
        snapshot = await client.get(task_id)
    return snapshot
