"""Reading response headers: by name in any case, ``Retry-After`` (seconds or an HTTP date,
capped) and ``Date`` (the server's clock, which bounds the skew when reconciling lost creates)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timezone

__all__ = ["RETRY_AFTER_CAP", "asked_retry_after", "header", "retry_after", "server_date"]


def header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


# The longest pause a Retry-After can impose. A longer one (a typo, a broken proxy: "1e9") is cut
# to this and the error says so; the task is simply asked about again after it.
RETRY_AFTER_CAP = 120.0


def asked_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or HTTP date), uncapped.

    A date in the past or a negative number is 0 (the caller still backs off); an unreadable
    value (text, NaN) is None.
    """
    value = header(headers, "retry-after")
    if not value or not value.strip():
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        pass
    else:
        return None if math.isnan(seconds) else max(0.0, seconds)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, at most :data:`RETRY_AFTER_CAP`."""
    asked = asked_retry_after(headers)
    return None if asked is None else min(asked, RETRY_AFTER_CAP)


def server_date(headers: Mapping[str, str]) -> float | None:
    """The ``Date`` header as Unix seconds, or None when absent or unreadable."""
    from email.utils import parsedate_to_datetime

    value = header(headers, "date")
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()
