"""Time: a manual clock for tests and the timestamp formats of the three dialects."""

from __future__ import annotations

from datetime import datetime, timezone

# 2026-05-28, a plausible "now" for the documents' examples.
DEFAULT_START = 1_780_000_000.0


class ManualClock:
    """A clock that only moves when told to.

    >>> clock = ManualClock()
    >>> clock.advance(5.0)
    >>> clock() - DEFAULT_START
    5.0
    """

    def __init__(self, start: float = DEFAULT_START) -> None:
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock cannot go back")
        self.now += float(seconds)


def iso_micro(t: float) -> str:
    """ISO-8601 UTC with microseconds and a Z, as the task API writes timestamps."""
    stamp = datetime.fromtimestamp(t, tz=timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compact(t: float) -> str:
    """YYYYMMDDhhmmss (UTC), as in ModelArk task ids."""
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y%m%d%H%M%S")


def tos_date(t: float) -> str:
    """The X-Tos-Date form of a presigned URL."""
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y%m%dT%H%M%SZ")
