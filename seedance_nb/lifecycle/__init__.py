"""The task lifecycle in the kernel: background polling, durable history, resume, downloads,
limits, budget and batches. See docs/lifecycle.md.

>>> from seedance_nb.lifecycle import get_manager, history
>>> task = get_manager().submit(request)      # returns at once; runs on the kernel's loop
>>> await task                                # in a cell; task.wait() in a script
>>> history(status="succeeded", since="1d")   # pandas DataFrame with documented columns
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from .batch import TaskGroup
from .budget import Budget
from .clock import Clock, SystemClock, VirtualClock
from .downloads import DownloadPolicy
from .history_db import History
from .history_open import open_history
from .history_store import HistoryStore, default_home
from .limiter import Limits
from .manager import TaskManager, get_manager, set_manager
from .polling import PollPolicy
from .task import Task

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Budget",
    "Clock",
    "DownloadPolicy",
    "History",
    "HistoryStore",
    "Limits",
    "PollPolicy",
    "SystemClock",
    "Task",
    "TaskGroup",
    "TaskManager",
    "VirtualClock",
    "adopt",
    "configure",
    "default_home",
    "download",
    "get_manager",
    "grid",
    "history",
    "open_history",
    "rerun",
    "resume",
    "set_manager",
    "submit",
    "submit_many",
]


def configure(
    *, history: Any = None, callback_url: str | None = None, team_media: Any = ...
) -> None:
    """Choose where this process keeps its history: a folder or SQLite file (one person), or a
    team's shared ``postgresql://user@host/db`` (``pip install "seedance_nb[team]"``).

    ``None`` goes back to ``$SEEDANCE_HISTORY``, else ``.seedance/``. A database server is
    reached (and its tables made) now, so a wrong URL is refused here. The process's task manager
    is made again on the new history; refused while it still runs tasks.

    ``callback_url`` (else ``$SEEDANCE_CALLBACK_URL``) is the public HTTPS address of the team's
    ``seedance callbacks serve`` (behind its reverse proxy): each create then carries its own
    secret URL under it and polling backs off to a safety net. Given alone, only it changes
    (``""`` turns it off again).

    ``team_media`` is a folder on a mount the team shares, where each result is saved once
    (``None``: back to ``$SEEDANCE_TEAM_MEDIA``; see ``docs/sharing.md``).

    >>> sd.configure(history="postgresql://me@db.internal/seedance")
    """
    from . import current as _current
    from . import history_store

    if team_media is not ...:
        from . import team_media as _team_media

        _team_media.configure(team_media)
    if callback_url is not None:
        from ..callbacks import set_public_url

        set_public_url(callback_url)
    if history is None and (team_media is not ... or callback_url is not None):
        return  # given alone, only they change
    if history is not None:
        store = open_history(history)
        try:
            store.frame(limit=0)  # reaches it now; makes or migrates the tables
        finally:
            store.close()
    current = _current.peek()
    if current is not None:
        running = [t for t in current.tasks if not t.done and not t.owned_elsewhere]
        if running:
            raise ConfigError(
                f"{len(running)} task(s) still run on the history at "
                f"{current.history.location}; nothing was changed. Fix: wait for them "
                "(or cancel them), then configure again; or restart the kernel"
            )
        current.close()
        set_manager(None)
    history_store.set_default(history)


def submit(request: Any, **kwargs: Any) -> Task:
    """``get_manager().submit(request, provider=None, base_url=None, tags=(), parent_id=None)``."""
    return get_manager().submit(request, **kwargs)


def submit_many(requests: Iterable[Any], **kwargs: Any) -> TaskGroup:
    """Submit several requests as one :class:`TaskGroup` (all validated before any is sent)."""
    return get_manager().submit_many(requests, **kwargs)


def grid(prompts: Iterable[str], seeds: Iterable[int | None] = (None,), **options: Any):
    """prompts × seeds × ``vary`` combinations as one :class:`TaskGroup`."""
    return get_manager().grid(prompts, seeds, **options)


def rerun(task: Task | int | str, **changes: Any) -> Task:
    """Send a task's request again with ``changes``; its parent id is recorded."""
    return get_manager().rerun(task, **changes)


def resume(*, force: bool = False, wait: bool = False) -> list[Task]:
    """Continue every unfinished task of the history that no live process owns.

    With ``wait`` it blocks until they are all done (for the CLI and scripts).
    """
    manager = get_manager()
    tasks = manager.resume(force=force)
    if wait and tasks:
        TaskGroup(manager, tasks, "resume").wait()
    return tasks


def adopt(task: Task | int | str, task_id: str | None = None) -> Task:
    """Decide a lost create yourself: ``adopt("cgt-…")`` takes the one unknown task listing that
    id among its candidates; ``adopt(uid, "cgt-…")`` names the row. Polling takes over.
    """
    return get_manager().adopt(task, task_id)


def download(task: Task | int | str, *, wait: bool = True) -> list[Path]:
    """Save a task's results (again) and return the local files.

    With ``wait=False`` it returns the files saved so far and keeps going in the background.
    """
    handle = get_manager().download(task)
    if wait:
        handle.wait()
    return handle.files


def history(
    status: str | list[str] | None = None,
    model: str | list[str] | None = None,
    since: Any = None,
    text: str | None = None,
    tag: str | None = None,
    limit: int | None = None,
    *,
    path: Any = None,
) -> pd.DataFrame:
    """The history as a DataFrame (columns and dtypes documented in docs/lifecycle.md).

    Reads the current manager's history, or the one at ``path`` (a folder, a SQLite file or a
    ``postgresql://`` URL); starts no background work.
    """
    from . import current as _current

    if path is not None:
        store = open_history(path)
        try:
            return store.frame(status, model, since, text, tag, limit)
        finally:
            store.close()
    current = _current.peek()
    store = current.history if current is not None else open_history()
    try:
        return store.frame(status, model, since, text, tag, limit)
    finally:
        if current is None:
            store.close()
