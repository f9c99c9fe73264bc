"""Claiming an unfinished history row for one member: its owner while that process lives
(SQLite), or the holder of its polling lease (a team's ledger; see :mod:`.leases`)."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from .owners import owner_alive

if TYPE_CHECKING:
    from .services import Services

DEFAULT_TTL = 30.0


def lease_ttl() -> float:
    """How long a lease lasts without renewal: ``$SEEDANCE_LEASE_TTL`` seconds, default 30."""
    try:
        value = float(os.environ.get("SEEDANCE_LEASE_TTL") or DEFAULT_TTL)
    except ValueError:
        return DEFAULT_TTL
    return value if value > 0 else DEFAULT_TTL


def take_row(manager: Services, row: dict[str, Any], *, force: bool = False) -> bool:
    """Claim an unfinished row for ``manager`` (its owner, and lease holder on a team's ledger);
    False if a live member runs it or another claimed it first."""
    history = manager.history
    if not history.shared:  # SQLite: the owner while its process lives
        owner = row.get("owner")
        if not force and owner != manager.owner and owner_alive(owner):
            return False
        return history.claim(row["uid"], manager.owner, owner)
    holder, until = row.get("lease_owner"), row.get("lease_until")
    held = holder and holder != manager.owner and until is not None and until >= time.time()
    if not force and held and owner_alive(holder):
        return False
    return history.take_lease(row["uid"], manager.owner, expected=(holder, until), ttl=lease_ttl())
