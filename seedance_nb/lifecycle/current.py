"""The process's task manager slot: one manager per process (kernel), made on first use.

The manager module fills the slot (``get_manager``); modules below it that need the process's
manager (``Task.from_id``) read it through :func:`get` without importing the manager.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_manager: Any = None
_factory: Callable[[], Any] | None = None


def get() -> Any:
    """The process's manager, made by the registered factory on first use."""
    global _manager
    if _manager is None:
        if _factory is None:  # importing seedance_nb.lifecycle registers it
            raise RuntimeError("no task manager factory: import seedance_nb.lifecycle first")
        _manager = _factory()
    return _manager


def peek() -> Any:
    """The process's manager if one was made, else None (makes nothing)."""
    return _manager


def put(manager: Any) -> None:
    """Replace the process's manager; None resets it."""
    global _manager
    _manager = manager


def register(factory: Callable[[], Any]) -> None:
    """The manager module says how to make the process's manager."""
    global _factory
    _factory = factory
