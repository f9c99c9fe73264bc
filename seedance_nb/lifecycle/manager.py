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

import asyncio
import contextlib
import dataclasses
import json
import logging
import uuid
from collections.abc import Callable, Coroutine, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from ..config import SIMULATOR_HOST, Secret, Settings, is_loopback, resolve_settings
from ..retry import RetryPolicy
from ..status import Status
from . import reconcile as _resume
from . import runner
from .budget import Budget
from .clock import Clock, SystemClock
from .downloads import Downloader, DownloadPolicy
from .history_db import History
from .limiter import Limiter
from .loop import LoopHost
from .polling import Poller, PollPolicy
from .progress import Durations
from .stored import request_to_json
from .task import Task

if TYPE_CHECKING:
    from ..client import AsyncSeedance
    from .batch import TaskGroup
    from .doorbell import Doorbell

log = logging.getLogger("seedance_nb.lifecycle")

ClientFactory = Callable[[Settings], "AsyncSeedance"]
T = TypeVar("T")


class TaskManager:
    """Owns the tasks of one process (kernel), their history, polling, limits and downloads.

    Everything is injectable for tests and benchmarks: ``clock`` (a
    :class:`~seedance_nb.lifecycle.clock.VirtualClock` simulates hours in seconds), ``poll``
    (intervals), ``client_factory`` (transports), ``home`` (history folder).
    """

    def __init__(
        self,
        home: Any = None,
        *,
        history: History | None = None,
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
        self._client_factory = client_factory
        self.auto_resume = auto_resume
        # When to look for a lost create in the provider's list (it may lag behind the create).
        self.reconcile_delays: tuple[float, ...] = _resume.RECONCILE_DELAYS
        self.limiter = Limiter(self.clock)
        self.downloads = Downloader(self, downloads)
        self.session = uuid.uuid4().hex[:12]
        self.owner = _resume.owner_token()
        _resume.LIVE_OWNERS.add(self.owner)
        self.doorbell: Doorbell | None = None
        self._host: LoopHost | None = None
        self._tasks: dict[int, Task] = {}
        self._settings: dict[tuple[str | None, str | None], Settings] = {}
        self._clients: dict[tuple[str, str, bool], AsyncSeedance] = {}
        self._pollers: dict[tuple[str, str, bool], Poller] = {}
        self._durations: Durations | None = None
        self._polling: dict[int, asyncio.Future[None]] = {}

    def __repr__(self) -> str:
        return f"<TaskManager {len(self._tasks)} tasks, history {self.history.db_path}>"

    # -- lazily made parts ----------------------------------------------------------------------
    @property
    def history(self) -> History:
        if self._history is None:
            self._history = History(self._home)
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
        # Clients, pollers and downloads belong to the old loop; start them afresh.
        self._clients.clear()
        self._pollers.clear()
        self._polling.clear()
        self.downloads = Downloader(self, self.downloads.policy)
        if host is not None:
            self._host.call(self._restart_own)
        elif self.auto_resume:
            self._host.call(self._resume_quietly)
        return self._host

    def start(self) -> TaskManager:
        """Bind to the current loop now (and resume, if ``auto_resume``); returns the manager."""
        _ = self.host
        return self

    def _restart_own(self) -> None:
        """Our tasks whose coroutines died with an earlier loop continue on this one."""
        for task in list(self._tasks.values()):
            if not task.done and (task._runner is None or task._runner.done()):
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

    # -- clients ----------------------------------------------------------------------------------
    def _resolve(self, provider: str | None, base_url: str | None) -> Settings:
        key = (provider, base_url)
        if key not in self._settings:
            if base_url is not None and base_url.startswith(SIMULATOR_HOST):
                # A simulator task's lineage stays on the simulator, even once a key is set.
                self._settings[key] = _simulator_settings(provider or "ark", base_url)
            else:
                self._settings[key] = resolve_settings(provider, base_url=base_url)
        return self._settings[key]

    def client_for(self, task: Task) -> AsyncSeedance:
        key = (task.provider, task.base_url, task.simulated)
        client = self._clients.get(key)
        if client is None:
            if task.simulated or task.base_url.startswith(SIMULATOR_HOST):
                settings = _simulator_settings(task.provider, task.base_url)
            else:
                settings = self._resolve(task.provider, task.base_url)
            client = _hand_back_rate_limits(self._make_client(settings))
            self._clients[key] = client
        return client

    def _make_client(self, settings: Settings) -> AsyncSeedance:
        if self._client_factory is not None:
            return self._client_factory(settings)
        from ..client import AsyncSeedance

        return AsyncSeedance(settings=settings, retry=RetryPolicy(sleep=self.clock.sleep))

    def cancellable_states(self, task: Task) -> frozenset[Status]:
        from ..providers import adapter_for

        return adapter_for(task.provider).can_cancel

    def callback_url(self, client: AsyncSeedance) -> str | None:
        """The doorbell's URL for creates, when the provider can reach it."""
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
        from ..cost import estimate as estimate_cost
        from ..validation import validate

        settings = self._resolve(provider, base_url)
        validate(
            request,
            settings.provider,
            volcengine=settings.volcengine,
            will_upload=settings.simulated,
        )
        try:
            estimate = estimate_cost(request, settings.provider)
        except Exception:
            log.exception("estimating the cost failed")
            estimate = None
        now = self.clock.time()
        all_tags = list(dict.fromkeys([*request.tags, *tags]))
        record = request.to_record()
        row: dict[str, Any] = {
            "provider": settings.provider,
            "base_url": settings.base_url,
            "simulated": int(settings.simulated),
            "kind": request.kind,
            "model": request.model,
            "mode": getattr(request.mode, "value", str(request.mode)),
            "prompt": request.prompt,
            "params": json.dumps(record, ensure_ascii=False, default=str),
            "request": request_to_json(request),
            "parent_id": parent_id or request.parent_id,
            "tags": json.dumps(all_tags, ensure_ascii=False),
            "status": None,
            "phase": "submitting",
            "create_state": "pending",
            "submitted_at": now,
            "updated_at": now,
            "estimated_tokens": getattr(estimate, "tokens", None),
            "estimated_cost": getattr(estimate, "amount", None),
            "currency": getattr(estimate, "currency", None),
            "notebook": _notebook_path(),
            "session": self.session,
            "owner": self.owner,
        }
        guard = self.budget.guard(estimate, session=self.session, now=now)
        row["uid"] = self.history.insert(row, at=now, guard=guard)
        task = Task(self, row, request=request, estimate=estimate)
        self._tasks[task.uid] = task
        self._start(task)
        return task

    def _start(self, task: Task) -> None:
        self.host.call(self._start_on_loop, task)

    def _start_on_loop(self, task: Task) -> None:
        if task._runner is not None and not task._runner.done():
            return  # already running (resume and submit may both ask)
        task._runner = self.host.start(runner.run(self, task), name=f"seedance-task-{task.uid}")

    def _load(self, row: dict[str, Any]) -> Task:
        """The handle for a history row (the same object if this session has one already)."""
        files = self.history.assets(row["uid"])
        task = self._tasks.get(row["uid"])
        if task is None:
            task = Task(self, row, files=files)
            self._tasks[task.uid] = task
        else:
            task._row, task._files, task.owned_elsewhere = dict(row), files, None
        return task

    def _snapshot(self, row: dict[str, Any]) -> Task:
        """A handle on a row this process does not run: finished, or owned by a live process."""
        task = self._load(row)
        if task.done:
            task._settle()
        else:
            task.owned_elsewhere = row.get("owner")
        return task

    def attach(self, provider: str, task_id: str, *, base_url: str | None = None) -> Task:
        """A handle on an existing provider task: from the history if known, else a new row."""
        return self._call_on_loop(self._attach, provider, task_id, base_url)

    def _attach(self, provider: str, task_id: str, base_url: str | None) -> Task:
        settings = self._resolve(provider, base_url)
        for task in list(self._tasks.values()):
            if task.id == task_id and task.provider == settings.provider:
                return task
        for row in self.history.find(task_id, settings.provider):
            if row["base_url"] == settings.base_url:
                if row["phase"] != "done":
                    taken = _resume.take_over(self, row)
                    if taken is not None:
                        return taken
                return self._snapshot(row)
        now = self.clock.time()
        row = {
            "id": task_id,
            "provider": settings.provider,
            "base_url": settings.base_url,
            "simulated": int(settings.simulated),
            "phase": "polling",
            "create_state": "attached",
            "submitted_at": now,
            "updated_at": now,
            "tags": "[]",
            "notebook": _notebook_path(),
            "session": self.session,
            "owner": self.owner,
        }
        row["uid"] = self.history.insert(row, at=now)
        task = Task(self, row)
        self._tasks[task.uid] = task
        self._start(task)
        return task

    def task(self, ref: Task | int | str) -> Task:
        """A task by handle, local uid or provider task id (from this session or the history).

        An unfinished task from the history is continued here unless a live process owns it.
        """
        return self._call_on_loop(self._task, ref)

    def _task(self, ref: Task | int | str) -> Task:
        if isinstance(ref, Task):
            return ref
        if isinstance(ref, int) or (isinstance(ref, str) and ref.lstrip("#").isdigit()):
            uid = int(str(ref).lstrip("#"))
            if uid in self._tasks:
                return self._tasks[uid]
            row = self.history.row(uid)
        else:
            found = [t for t in list(self._tasks.values()) if t.id == ref]
            if found:
                return found[0]
            rows = self.history.find(ref)
            row = rows[0] if rows else None
        if row is None:
            raise KeyError(f"no task {ref!r} in this session or in {self.history.db_path}")
        if row["phase"] != "done":
            # Unfinished: continue it here unless a live process is already on it.
            taken = _resume.take_over(self, row)
            if taken is not None:
                return taken
        return self._snapshot(row)

    # -- batches ----------------------------------------------------------------------------------
    def submit_many(self, requests: Iterable[Any], **kwargs: Any) -> TaskGroup:
        from .batch import submit_many

        return submit_many(self, requests, **kwargs)

    def grid(self, prompts: Iterable[str], seeds: Iterable[int | None] = (None,), **options: Any):
        from .batch import grid

        return grid(self, prompts, seeds, **options)

    def rerun(self, task: Task | int | str, **changes: Any) -> Task:
        from .batch import rerun

        return rerun(self, task, **changes)

    # -- resume, adopt, download, cancel ----------------------------------------------------------
    def resume(self, *, force: bool = False) -> list[Task]:
        """Continue unfinished tasks from the history (see :mod:`.reconcile`)."""
        return self._call_on_loop(_resume.resume, self, force=force)

    def adopt(self, task: Task | int, task_id: str) -> Task:
        """Decide an ambiguous create yourself: this provider task id is the one it made."""
        return self._call_on_loop(self._adopt_by_hand, task, task_id)

    def _adopt_by_hand(self, task: Task | int, task_id: str) -> Task:
        handle = self._task(task)
        if handle.id is not None:
            raise ValueError(f"task #{handle.uid} already has the id {handle.id}")
        if not self._adopt(handle, task_id, via="user"):
            raise ValueError(f"{task_id} is already recorded for another row of the history")
        if handle.done:
            handle._set(phase="polling")
            handle._settled = False
            self._start(handle)
        return handle

    def _adopt(self, task: Task, task_id: str, *, via: str) -> bool:
        now = self.clock.time()
        if not self.history.adopt_id(task.uid, task_id, at=now, detail={"via": via}):
            return False
        task._row.update(id=task_id, create_state="reconciled", updated_at=now)
        task.candidates = ()
        task._error = None
        task._set(error_code=None, error_message=None)
        return True

    def download(self, ref: Task | int | str) -> Task:
        """Save (again) a task's results; failed downloads are retried. Await or wait() it."""
        return self._call_on_loop(self._download, ref)

    def _download(self, ref: Task | int | str) -> Task:
        task = self._task(ref)
        if task.status is Status.SUCCEEDED and any(f.get("state") != "saved" for f in task._files):
            task._settled = False
            task._set(phase="downloading")

            async def again() -> None:
                await self.downloads.fetch(task, again=True)
                runner.finish(self, task)

            self.host.spawn(again(), name=f"download-{task.uid}")
        return task

    async def _cancel(self, task: Task) -> None:
        if task.id is None:
            task._cancel_requested = True
            self.limiter._notify()  # a task waiting in the local queue withdraws at once
            task._set(event="cancel_requested")
            return
        task._set(event="cancel_requested")
        await self.client_for(task).cancel(task.id)
        self._ring(task)

    def quiet_for(self, task: Task) -> float:
        """Seconds until polls to this task's endpoint are allowed again (after a 429)."""
        poller = self._pollers.get((task.provider, task.base_url, task.simulated))
        return poller.quiet_for() if poller is not None else 0.0

    def _ring(self, task: Task) -> None:
        if task.id is not None:
            poller = self._pollers.get((task.provider, task.base_url, task.simulated))
            if poller is not None:
                poller.ring(task.id)

    def _call_on_loop(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a state-changing call on the loop's thread (from a script's main thread too)."""
        host = self.host
        if host.in_loop_thread():
            return fn(*args, **kwargs)

        async def call() -> T:
            return fn(*args, **kwargs)

        return host.run(call())

    async def _on_loop(self, coro: Coroutine[Any, Any, Any]) -> Any:
        if self.host.in_loop_thread():
            return await coro
        future = asyncio.run_coroutine_threadsafe(coro, self.host.loop)
        return await asyncio.wrap_future(future)

    # -- polling ----------------------------------------------------------------------------------
    def poller_for(self, task: Task) -> Poller:
        key = (task.provider, task.base_url, task.simulated)
        poller = self._pollers.get(key)
        if poller is None:
            poller = Poller(
                self.client_for(task),
                self.poll_policy,
                self.clock,
                self.host,
                apply=lambda t, snap: runner.apply_snapshot(self, t, snap),
                trouble=self._trouble,
                gone=self._gone,
                batch=self._history_batch,
            )
            self._pollers[key] = poller
        return poller

    async def _poll(self, task: Task) -> None:
        future = self.host.loop.create_future()
        self._polling[task.uid] = future
        self.poller_for(task).watch(task)
        await future

    @contextlib.contextmanager
    def _history_batch(self) -> Iterator[None]:
        try:
            batch = self.history.batch()
            batch.__enter__()
        except Exception:  # the history cannot start a transaction: write one by one
            log.exception("batching history writes failed")
            yield
            return
        try:
            yield
        finally:
            try:
                batch.__exit__(None, None, None)
            except Exception:
                log.exception("writing to the history at %s failed", self.history.db_path)

    def _polled_out(self, task: Task) -> None:
        future = self._polling.pop(task.uid, None)
        if future is not None and not future.done():
            future.set_result(None)

    def _trouble(self, task: Task, exc: BaseException, first: bool) -> None:
        task.poll_error = str(exc) or type(exc).__name__
        if first:
            log.warning("polling task %s: %s (will retry)", task.id, task.poll_error)
            self._safe(self.history.event, task.uid, "poll_error", at=self.clock.time(),
                       detail={"error": task.poll_error})  # fmt: skip
        task._notify()

    def _gone(self, task: Task, exc: BaseException) -> None:
        task._set(
            create_state="gone",
            error_code="not_found",
            error_message=f"{task.provider} no longer knows this task (deleted, or past its "
            f"retention): {exc}",
            event="gone",
        )
        self._polled_out(task)

    # -- persistence ------------------------------------------------------------------------------
    def _safe(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except Exception:
            log.exception("writing to the history at %s failed", self.history.db_path)

    def _persist(self, task: Task, changes: dict[str, Any], event: str | None, detail: Any):
        self._safe(self.history.update, task.uid, changes, at=self.clock.time(), event=event,
                   detail=detail)  # fmt: skip

    def _persist_assets(self, task: Task) -> None:
        rows = [
            {**f, "url": f["url"] if not f["url"].startswith("data:") else "data:…"}
            for f in task._files
        ]
        self._safe(self.history.set_assets, task.uid, rows)

    def _persist_asset(self, task: Task, idx: int, changes: dict[str, Any], event: Any, detail):
        self._safe(self.history.update_asset, task.uid, idx, changes, at=self.clock.time(),
                   event=event, detail=detail)  # fmt: skip

    def _actual_cost(self, task: Task, tokens: int) -> float | None:
        estimate = task.estimate
        amount = getattr(estimate, "amount", None) or task._row.get("estimated_cost")
        expected = getattr(estimate, "tokens", None) or task._row.get("estimated_tokens")
        if amount is None:
            return None
        if not _billed_per_token(task):
            return float(amount)
        return float(amount) * tokens / expected if expected else None

    # -- shutting down ----------------------------------------------------------------------------
    async def aclose(self) -> None:
        """Stop background work (the history keeps everything for ``resume``) and close clients."""
        _resume.LIVE_OWNERS.discard(self.owner)
        host = self._host
        if self.doorbell is not None:
            await self.doorbell.close()
        for poller in self._pollers.values():
            await poller.close()
        await self.downloads.close()
        if host is not None:
            await host.close()
        for client in self._clients.values():
            try:
                await client.aclose()
            except Exception:
                log.debug("closing a client failed", exc_info=True)
        self._clients.clear()
        self._pollers.clear()
        if self._history is not None:
            self._history.close()

    def close(self) -> None:
        """Blocking :meth:`aclose` for scripts (on a private loop)."""
        host = self._host
        if host is None:
            _resume.LIVE_OWNERS.discard(self.owner)
            if self._history is not None:
                self._history.close()
            return
        if host.in_loop_thread():
            host.spawn(self.aclose(), name="seedance-close")
            return
        if host.loop.is_running():
            host.run(self.aclose(), timeout=30)
        host.stop_private()

    # -- doorbell ---------------------------------------------------------------------------------
    async def open_doorbell(self, **kwargs: Any) -> Doorbell:
        """Start the callback receiver (see :mod:`.doorbell`); creates carry its URL from now on."""
        from .doorbell import Doorbell

        if self.doorbell is None or not self.doorbell.running:
            self.doorbell = Doorbell(self._on_callback, **kwargs)
            await self.doorbell.start()
        return self.doorbell

    def _on_callback(self, task_id: str) -> bool:
        return any(poller.ring(task_id) for poller in self._pollers.values())


def _hand_back_rate_limits(client: AsyncSeedance) -> AsyncSeedance:
    """A 429 with a Retry-After is about the whole endpoint, not one request: the poller and the
    limiter silence the endpoint for that long, so the client must hand such answers back at
    once instead of waiting them out for one request while other requests go on."""
    policy = dataclasses.replace(client.retry, max_retry_after=0.0)
    client.retry = policy
    exchange = getattr(client, "_exchange", None)  # the client gives its exchange its own copy
    if exchange is not None and hasattr(exchange, "retry"):
        exchange.retry = policy
    return client


def _simulator_settings(provider: str, base_url: str) -> Settings:
    return Settings(provider, base_url, Secret("simulator"), simulated=True, key_source="simulator")


def _billed_per_token(task: Task) -> bool:
    try:
        from .. import catalog
        from ..cost import default_prices

        spec = catalog.resolve(task.model or "", task.provider)
        price = default_prices().get(task.provider, spec.short)
    except Exception:
        return True
    return price is None or (price.per_generation is None and price.per_image is None)


def _notebook_path() -> str | None:
    """The notebook's path when a Jupyter front end told the kernel (never imports IPython)."""
    import os
    import sys

    path = os.environ.get("JPY_SESSION_NAME")
    if path:
        return path
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None) if ipython else None
    shell = get() if get else None
    ns = getattr(shell, "user_ns", None) or {}
    value = ns.get("__session__") or ns.get("__vsc_ipynb_file__")
    return str(value) if value else None


_manager: TaskManager | None = None


def get_manager() -> TaskManager:
    """The process's task manager, made on first use (history in ``./.seedance/`` or
    ``$SEEDANCE_HOME``); it resumes unfinished tasks when it first starts."""
    global _manager
    if _manager is None:
        _manager = TaskManager(auto_resume=True)
    return _manager


def set_manager(manager: TaskManager | None) -> None:
    """Replace the process's manager (tests, or a custom history folder); None resets it."""
    global _manager
    _manager = manager
