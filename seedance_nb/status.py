"""One status vocabulary for every dialect, and the snapshot of a task that adapters produce.

Adapters parse provider bodies into :class:`TaskSnapshot`; everything above them (task handles,
history, widgets) speaks only this vocabulary. ``UNKNOWN`` is what an unrecognised provider status
becomes: it is never terminal and never taken for success.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal


class Status(str, enum.Enum):
    """Where a task is. ``str`` so it compares and serialises as its value."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    UNKNOWN = "unknown"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL

    @property
    def rank(self) -> int:
        """Order used to refuse backwards moves: queued < running < any terminal state."""
        return _RANK[self]

    def __str__(self) -> str:
        return self.value


TERMINAL = frozenset({Status.SUCCEEDED, Status.FAILED, Status.CANCELLED, Status.EXPIRED})
_RANK = {
    Status.UNKNOWN: 0,
    Status.QUEUED: 1,
    Status.RUNNING: 2,
    Status.SUCCEEDED: 3,
    Status.FAILED: 3,
    Status.CANCELLED: 3,
    Status.EXPIRED: 3,
}

AssetKind = Literal["video", "image", "last_frame"]


@dataclass(frozen=True)
class Asset:
    """One result file as the provider hands it out: a URL that may expire."""

    kind: AssetKind
    url: str
    expires_at: datetime | None = None


@dataclass(frozen=True)
class TaskSnapshot:
    """A provider's answer about one task, in the common vocabulary.

    ``raw_status`` keeps the provider's own word so an ``UNKNOWN`` can be shown to the user.
    """

    id: str
    status: Status
    raw_status: str = ""
    assets: tuple[Asset, ...] = ()
    error_code: str | None = None
    error_message: str | None = None
    tokens: int | None = None
    model: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    seed: int | None = None
    resolution: str | None = None
    ratio: str | None = None
    duration: float | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # The provider said "succeeded" but gave no result URL (``status`` is then UNKNOWN).
    no_result: bool = False
