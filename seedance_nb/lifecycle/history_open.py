"""Opening the history a location names: SQLite or PostgreSQL (see :mod:`.history_store`).

Kept apart from the interface so that the two implementations, which build on
:mod:`.history_store`, are imported only here (lazily: the PostgreSQL driver is optional).
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError
from .history_store import HistoryStore, chosen_location, is_postgres


def open_history(location: Any = None, *, home: Any = None) -> HistoryStore:
    """The history at ``location`` (see the module docstring), unopened until first used.

    ``home`` is the folder for downloaded media when the history is a database server
    (default :func:`default_home`).

    >>> open_history("postgresql://me@db.internal/seedance")   # a team's shared ledger
    """
    location = chosen_location(location)
    if is_postgres(location):
        from .history_pg import PostgresHistory

        return PostgresHistory(location, home=home)
    from .history_db import History

    if isinstance(location, str) and location.startswith("sqlite:///"):
        location = location[len("sqlite:///") - 1 :]
    elif isinstance(location, str) and "://" in location:
        raise ConfigError(
            f"the history location {location.split('://')[0]}://… is neither a folder, a "
            "SQLite file nor a postgresql:// URL. Fix: e.g. SEEDANCE_HISTORY="
            "postgresql://user@host/dbname, or a folder path"
        )
    return History(location)
