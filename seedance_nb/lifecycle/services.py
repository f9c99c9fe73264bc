"""What the lifecycle's workers get from the manager, as small interfaces (no manager import).

The runner, snapshots, pollers, downloads, reconcile and lookup take a :class:`Services`;
:class:`~seedance_nb.lifecycle.manager.TaskManager` is the one implementation. The pollers and the
downloader are seen through :class:`PollersPort` / :class:`DownloadsPort` so that they, too, can
take a ``Services`` without this module importing them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from .context import TaskContext

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from ..client import AsyncSeedance
    from .budget import Budget
    from .clock import Clock
    from .endpoints import Endpoints
    from .history_store import HistoryStore
    from .limiter import Limiter
    from .loop import LoopHost
    from .poller import Poller
    from .polling import PollPolicy
    from .recording import Recorder
    from .task import Task


class PollersPort(Protocol):
    """The poll schedulers, as the runner and snapshots use them."""

    async def until_done(self, task: Task) -> None:
        """Poll ``task`` until it is terminal (or gone upstream)."""

    def finished(self, task: Task) -> None:
        """``task`` is terminal: stop waiting on it."""

    def ring(self, task: Task) -> None:
        """Poll ``task`` now."""

    def __iter__(self) -> Iterator[Poller]:
        """The schedulers, one per endpoint."""
        ...

    def quiet_for(self, task: Task) -> float:
        """Seconds until its endpoint may be asked again (after a 429)."""
        return 0.0


class DownloadsPort(Protocol):
    """The download queue, as the runner uses it."""

    async def fetch(self, task: Task, *, again: bool = False) -> None:
        """Save the task's pending results; returns once each is settled."""


class Services(TaskContext, Protocol):
    """Everything a worker may use: what a task handle uses (time, loop, history), and limits,
    clients and the other workers."""

    @property
    def poll_policy(self) -> PollPolicy: ...

    @property
    def reconcile_delays(self) -> tuple[float, ...]: ...

    @property
    def owner(self) -> str: ...

    @property
    def session(self) -> str: ...

    @property
    def endpoints(self) -> Endpoints: ...

    @property
    def budget(self) -> Budget: ...

    @property
    def limiter(self) -> Limiter: ...

    @property
    def recorder(self) -> Recorder: ...

    @property
    def pollers(self) -> PollersPort: ...

    @property
    def downloads(self) -> DownloadsPort: ...

    @property
    def handles(self) -> dict[int, Task]:
        """This session's task handles by uid (the registry lookups add to)."""
        ...

    def client_for(self, task: Task) -> AsyncSeedance: ...

    def callback_url(self, client: AsyncSeedance, task: Task | None = None) -> str | None: ...

    def start_task(self, task: Task) -> Any:
        """Run ``task``'s lifecycle in the background (again, if its run ended)."""

    def running(self, task: Task) -> bool:
        """Whether ``task``'s background run is alive."""
        return False

    def stop_run(self, task: Task) -> None:
        """Stop ``task``'s background run here (another member took it over)."""

    @property
    def bound_host(self) -> LoopHost | None:
        """The loop already bound, if any (never binds one: safe from other threads)."""
        ...

    def load(self, row: dict[str, Any]) -> Task:
        """The handle for a history row (the same object if this session has one)."""
        ...


class Submitter(Protocol):
    """What batches, grids and reruns need of the manager: submitting and finding tasks."""

    @property
    def clock(self) -> Clock: ...

    @property
    def host(self) -> LoopHost: ...

    @property
    def history(self) -> HistoryStore: ...

    @property
    def budget(self) -> Budget: ...

    @property
    def session(self) -> str: ...

    @property
    def endpoints(self) -> Endpoints: ...

    def submit(
        self,
        request: Any,
        provider: str | None = None,
        base_url: str | None = None,
        tags: Iterable[str] = (),
        parent_id: str | None = None,
    ) -> Task: ...

    def task(self, ref: Task | int | str) -> Task: ...
