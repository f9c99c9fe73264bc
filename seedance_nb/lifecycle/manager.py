"""The task manager: submits requests, runs every task in the background, keeps the history.

>>> manager = get_manager()               # one per kernel; history in ./.seedance/ by default
>>> task = manager.submit(VideoRequest(prompt="a red fox in snow"))   # returns at once
>>> manager.tasks                         # this session's tasks
>>> manager.resume()                      # continue what an earlier process left unfinished

``submit`` validates and checks the budget synchronously (raising ``ValidationError`` /
``BudgetExceeded`` with nothing sent), writes the request row, and returns; the create, polling
and downloads run as asyncio tasks on the running loop (a notebook's kernel) or on a private loop
(scripts).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..config import is_loopback
from . import current, leases, lookup, owners, reconcile, runner, submitting
from .budget import Budget
from .clock import Clock, SystemClock
from .downloads import Downloader, DownloadPolicy
from .endpoints import ClientFactory, Endpoints
from .history_open import open_history
from .history_store import HistoryStore
from .limiter import Limiter
from .loop import LoopHost
from .notices import Notices
from .pollers import Pollers
from .polling import PollPolicy
from .progress import Durations
from .recording import Recorder
from .runs import Runs
from .task import Task

if TYPE_CHECKING:
    from ..client import AsyncSeedance
    from .batch import TaskGroup
    from .doorbell import Doorbell

log = logging.getLogger("seedance_nb.lifecycle")


class TaskManager:
    """Owns the tasks of one process (kernel), their history, polling, limits and downloads.

    Everything is injectable for tests and benchmarks: ``clock`` (a
    :class:`~seedance_nb.lifecycle.clock.VirtualClock` simulates hours in seconds), ``poll``
    (intervals), ``client_factory`` (transports), ``home`` (history folder, SQLite file or
    ``postgresql://`` URL; default: ``configure(history=...)``, ``$SEEDANCE_HISTORY``, ``.seedance/``).
    """

    def __init__(
        self,
        home: Any = None,
        *,
        history: HistoryStore | None = None,
        clock: Clock | None = None,
        poll: PollPolicy | None = None,
        downloads: DownloadPolicy | None = None,
        budget: Budget | None = None,
        client_factory: ClientFactory | None = None,
        auto_resume: bool = False,
    ) -> None:
        self._home = home
        self._history = history
        self.clock: Clock = clock or SystemClock()
        self.poll_policy = poll or PollPolicy()
        self._budget = budget
        self.auto_resume = auto_resume
        # When to look for a lost create in the provider's list (it may lag behind the create).
        self.reconcile_delays: tuple[float, ...] = reconcile.RECONCILE_DELAYS
        self.endpoints = Endpoints(self.clock, client_factory)
        self.limiter = Limiter(self.clock)
        self.pollers = Pollers(self)
        self.recorder = Recorder(lambda: self.history, self.clock)
        self.downloads = Downloader(self, downloads)
        self.session = uuid.uuid4().hex[:12]
        self.owner = owners.owner_token()
        owners.LIVE_OWNERS.add(self.owner)
        self.doorbell: Doorbell | None = None
        self._host: LoopHost | None = None
        self._tasks: dict[int, Task] = {}
        self.runs = Runs(lambda: self.host, lambda task: runner.run(self, task))
        self._durations: Durations | None = None
        self.notices = Notices(self)  # change notices from teammates (PostgreSQL; see .notices)
        if history is not None:
            self.notices.attach(history)

    def __repr__(self) -> str:
        return f"<TaskManager {len(self._tasks)} tasks, history {self.history.location}>"

    # -- lazily made parts ----------------------------------------------------------------------
    @property
    def history(self) -> HistoryStore:
        if self._history is None:
            self._history = open_history(self._home)
            self.notices.attach(self._history)  # change notices: our writes are signed
        return self._history

    @property
    def budget(self) -> Budget:
        if self._budget is None:
            self._budget = Budget.from_env()
        return self._budget

    @budget.setter
    def budget(self, value: Budget) -> None:
        self._budget = value

    @property
    def durations(self) -> Durations:
        if self._durations is None:
            self._durations = Durations()
            try:
                self._durations.learn(self.history.durations())
            except Exception:  # progress is cosmetic; never break a task for it
                log.exception("reading typical durations from the history failed")
        return self._durations

    @property
    def host(self) -> LoopHost:
        """The loop background work runs on; bound on first use (again if that loop is gone)."""
        host = self._host
        if host is not None and host.usable and (host.loop.is_running() or host.is_private):
            return host
        self._host = LoopHost.for_caller()
        self.notices.bind(self._host)  # change notices: listen once a loop is bound
        # Clients, schedulers and downloads belong to the old loop; start them afresh.
        self.endpoints.forget_clients()
        self.pollers.forget_all()
        self.downloads = Downloader(self, self.downloads.policy)
        if host is not None:
            self._host.call(self._restart_own)
        elif self.auto_resume:
            self._host.call(self._resume_quietly)
        leases.start(self)  # a team's ledger: renew, release and take over polling leases
        return self._host

    def start(self) -> TaskManager:
        """Bind to the current loop now (and resume, if ``auto_resume``); returns the manager."""
        _ = self.host
        return self

    def _restart_own(self) -> None:
        """Our tasks whose coroutines died with an earlier loop continue on this one."""
        for task in list(self._tasks.values()):
            if not task.done and not task.owned_elsewhere:
                self._start(task)

    def _resume_quietly(self) -> None:
        try:
            self.resume()
        except Exception:
            log.exception("resuming unfinished tasks failed")

    @property
    def tasks(self) -> list[Task]:
        """This session's task handles, oldest first."""
        return [self._tasks[uid] for uid in sorted(self._tasks)]

    # -- endpoints ------------------------------------------------------------------------------
    def client_for(self, task: Task) -> AsyncSeedance:
        return self.endpoints.client_for(task)

    def callback_url(self, client: AsyncSeedance, task: Task | None = None) -> str | None:
        """The callback URL a create carries: with a public callback URL configured, a new
        secret URL for ``task`` (see :mod:`seedance_nb.callbacks`); else the doorbell's URL,
        when the provider can reach it."""
        if task is not None:
            from ..callbacks.creates import per_task_url

            url = per_task_url(self, client, task)
            if url is not None:
                return url
        bell = self.doorbell
        if bell is None or not bell.running:
            return None
        if bell.public_url or client.simulated or is_loopback(client.settings.base_url):
            return bell.url
        return None

    # -- submitting -------------------------------------------------------------------------------
    def submit(
        self,
        request: Any,
        provider: str | None = None,
        base_url: str | None = None,
        tags: Iterable[str] = (),
        parent_id: str | None = None,
    ) -> Task:
        """Validate, check the budget, record the request, start it in the background, return.

        Raises ``ValidationError`` or ``BudgetExceeded`` (nothing sent, no row written) or
        ``ConfigError`` (no key for a remote base URL).
        """
        return submitting.submit(self, request, provider, base_url, tags, parent_id)

    def start_task(self, task: Task) -> None:
        """Run ``task``'s lifecycle in the background (again, if its run ended)."""
        self.runs.start(task)

    _start = start_task

    def running(self, task: Task) -> bool:
        """Whether ``task``'s background run is alive."""
        return self.runs.running(task)

    def stop_run(self, task: Task) -> None:
        """Stop ``task``'s background run here (another member took it over)."""
        self.runs.stop(task)

    @property
    def bound_host(self) -> LoopHost | None:
        """The loop already bound, if any (never binds one: safe from other threads)."""
        return self._host

    # -- what tasks and workers ask of the manager (see context.py, services.py) ------------------
    @property
    def handles(self) -> dict[int, Task]:
        """This session's task handles by uid."""
        return self._tasks

    def queue_position(self, task: Task) -> int | None:
        return self.limiter.position(task)

    def poll_now(self, task: Task) -> None:
        self.pollers.ring(task)

    def record(
        self, task: Task, changes: Mapping[str, Any], event: str | None, detail: Any
    ) -> None:
        self.recorder.task(task, changes, event, detail)

    def record_files(self, task: Task) -> None:
        self.recorder.assets(task)

    async def cancel_task(self, task: Task) -> None:
        await runner.cancel(self, task)

    # -- finding tasks ----------------------------------------------------------------------------
    def load(self, row: dict[str, Any]) -> Task:
        """The handle for a history row (the same object if this session has one already)."""
        return lookup.load(self, row)

    _load = load

    def attach(self, provider: str, task_id: str, *, base_url: str | None = None) -> Task:
        """A handle on an existing provider task: from the history if known, else a new row."""
        return self.host.call_sync(lookup.attach, self, provider, task_id, base_url)

    def task(self, ref: Task | int | str) -> Task:
        """A task by handle, local uid or provider task id (from this session or the history).

        An unfinished task from the history is continued here unless a live process owns it.
        """
        return self.host.call_sync(lookup.find, self, ref)

    # -- batches, resume, adopt, download -------------------------------------------------------
    def submit_many(self, requests: Iterable[Any], **kwargs: Any) -> TaskGroup:
        from .batch import submit_many

        return submit_many(self, requests, **kwargs)

    def grid(self, prompts: Iterable[str], seeds: Iterable[int | None] = (None,), **options: Any):
        from .batch import grid

        return grid(self, prompts, seeds, **options)

    def rerun(self, task: Task | int | str, **changes: Any) -> Task:
        from .batch import rerun

        return rerun(self, task, **changes)

    def resume(self, *, force: bool = False) -> list[Task]:
        """Continue unfinished tasks from the history (see :mod:`.reconcile`)."""
        return self.host.call_sync(reconcile.resume, self, force=force)

    def adopt(self, task: Task | int | str, task_id: str | None = None) -> Task:
        """Decide an ambiguous create yourself: this provider task id is the one it made.

        ``adopt(uid, "cgt-…")`` names the row; ``adopt("cgt-…")`` alone takes the one unknown
        row that lists that id among its candidates. Polling takes over from there.
        """
        if task_id is None and not isinstance(task, str):
            raise TypeError("adopt(task_id) takes a provider task id; or adopt(uid, task_id)")
        return self.host.call_sync(lookup.adopt, self, task, task_id)

    def download(self, ref: Task | int | str) -> Task:
        """Save (again) a task's results; failed downloads are retried. Await or wait() it."""
        return self.host.call_sync(lambda: runner.fetch_again(self, lookup.find(self, ref)))

    # -- doorbell and shutting down -------------------------------------------------------------
    async def open_doorbell(self, **kwargs: Any) -> Doorbell:
        """Start the callback receiver (see :mod:`.doorbell`); creates carry its URL from now on."""
        from .doorbell import Doorbell

        if self.doorbell is None or not self.doorbell.running:
            self.doorbell = Doorbell(self.pollers.ring_id, **kwargs)
            await self.doorbell.start()
        return self.doorbell

    async def aclose(self) -> None:
        """Stop background work (the history keeps everything for ``resume``) and close clients."""
        host = self._host
        if (
            host is not None
            and host.usable
            and host.loop.is_running()
            and not host.in_loop_thread()
        ):
            # The background work belongs to that loop (a private one, in a script or a test's
            # synchronous code): it is stopped there, not awaited from this one.
            await host.on_loop(self._aclose_here())
        else:
            await self._aclose_here()

    async def _aclose_here(self) -> None:
        owners.LIVE_OWNERS.discard(self.owner)
        await self.notices.aclose()  # change notices: the listening thread ends
        if self.doorbell is not None:
            await self.doorbell.close()
        await leases.stop(self)  # gives up this member's polling leases
        await self.pollers.close()
        await self.downloads.close()
        if self._host is not None:
            await self._host.close()
        await self.endpoints.aclose()
        if self._history is not None:
            self._history.close()

    def close(self) -> None:
        """Blocking :meth:`aclose` for scripts (on a private loop)."""
        host = self._host
        if host is None:
            owners.LIVE_OWNERS.discard(self.owner)
            self.notices.stop()
            if self._history is not None:
                self._history.close()
            return
        if host.in_loop_thread():
            host.spawn(self.aclose(), name="seedance-close")
            return
        if host.loop.is_running():
            host.run(self.aclose(), timeout=30)
        host.stop_private()


def _default_manager() -> TaskManager:
    return TaskManager(auto_resume=True)


current.register(_default_manager)


def get_manager() -> TaskManager:
    """The process's task manager, made on first use (history in ``./.seedance/`` or
    ``$SEEDANCE_HOME``); it resumes unfinished tasks when it first starts."""
    manager = current.get()
    assert isinstance(manager, TaskManager)
    return manager


def set_manager(manager: TaskManager | None) -> None:
    """Replace the process's manager (tests, or a custom history folder); None resets it."""
    current.put(manager)
