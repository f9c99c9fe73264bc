"""When to try a request again, and how long to wait first.

Reads (GET, list) are retried on 408/409/429/5xx and connection errors with jittered exponential
backoff; a server's ``Retry-After`` is always waited out in full, never cut short. Creates are not
retried once they may have reached the server (see :mod:`seedance_nb.client`).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """``max_attempts`` counts the first try. ``sleep`` is injectable so tests need not wait."""

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    # A longer Retry-After than this is handed back to the caller (the poller reschedules);
    # 0 hands back every 429.
    max_retry_after: float = 60.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` starts at 1)."""
        delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        delay *= 0.5 + random.random() / 2  # jitter: spread retries of many tasks apart
        if retry_after is not None:
            # Never earlier than the server asked, and never at once even if it asked for 0 (or
            # a date in the past): a little jitter on top, not below.
            return max(retry_after, delay) + min(delay, 1.0) * random.random()
        return delay


NO_RETRY = RetryPolicy(max_attempts=1)
