"""The callback URL a create carries, minted per task when a public callback URL is configured."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from . import tokens

if TYPE_CHECKING:
    from ..client import AsyncSeedance
    from ..lifecycle.manager import TaskManager
    from ..lifecycle.task import Task

log = logging.getLogger("seedance_nb.callbacks")


def per_task_url(manager: TaskManager, client: AsyncSeedance, task: Task) -> str | None:
    """A new secret callback URL for ``task``'s create, its hash stored first; None when no
    public callback URL is configured, the dialect takes none, or the hash cannot be stored."""
    base = tokens.public_url()
    if base is None or client.provider not in tokens.CALLBACK_DIALECTS:
        return None
    secret = tokens.new_secret()
    hashed = tokens.digest(secret)
    try:
        manager.history.update(task.uid, {"callback_token": hashed}, at=manager.clock.time())
    except Exception as exc:  # no stored hash, no callback: this task is polled as usual
        log.warning("task #%s: storing its callback token failed (%s); it is polled", task.uid,
                    type(exc).__name__)  # fmt: skip
        return None
    task._row["callback_token"] = hashed
    return tokens.task_url(base, task.uid, secret)
