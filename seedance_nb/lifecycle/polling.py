"""Adaptive polling: one scheduler per provider endpoint, many tasks, few requests.

Policy (documented in docs/lifecycle.md): a task is polled every ``first`` seconds while young,
then every ``fraction`` of its age, never less often than ``cap``; intervals are shortened by a
random jitter of up to ``jitter`` (never lengthened, so the detection bound holds). Where the
dialect has a list endpoint (ModelArk), every task that is due, or due within ``coalesce`` of its
interval, rides in one ``filter.task_ids`` request. A 429's ``Retry-After`` pauses all polling of
that endpoint for at least that long. Errors never change a task's status: the task is polled again
later with a growing delay.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class PollPolicy:
    """When to ask about a task again. All times in seconds.

    >>> PollPolicy().interval(age=600)          # ~60 s (10 % of age, capped), minus jitter
    >>> PollPolicy.immediate()                  # for tests: near-zero intervals
    """

    first: float = 2.0
    fraction: float = 0.1
    cap: float = 60.0
    jitter: float = 0.2
    coalesce: float = 0.5
    batch_size: int = 100
    max_in_flight: int = 8
    # Poll requests per minute to one endpoint; the most overdue tasks go first when it binds.
    # It only binds for many tasks on a dialect without a list endpoint (one GET per task):
    # there a callback (the doorbell) is the way to hear of completions sooner.
    requests_per_minute: float | None = 30.0
    # A doorbell ring polls at once, but one task at most this often (replays change nothing).
    min_gap: float = 1.0
    # Tasks whose create carried a callback URL (a public callback URL is configured): the
    # receiver records their changes, so they are polled only this often, as a safety net.
    callback_safety_net: float = 900.0
    # 404s in a row before a task is given up as gone upstream.
    not_found_limit: int = 3

    def interval(self, age: float) -> float:
        base = min(self.cap, max(self.first, self.fraction * max(0.0, age)))
        return base * (1.0 - self.jitter * random.random())

    def error_delay(self, errors: int) -> float:
        return min(self.cap, self.first * 2 ** min(errors, 10))

    @classmethod
    def immediate(cls, interval: float = 0.01) -> PollPolicy:
        """Near-zero intervals, for tests and demos against a fast simulator."""
        return cls(
            first=interval,
            cap=interval * 5,
            jitter=0.0,
            requests_per_minute=None,
            min_gap=0.0,
            max_in_flight=32,
        )


@dataclass
class RequestBucket:
    """Token bucket for poll requests per minute (bursts of up to ten seconds' worth)."""

    rate: float | None
    tokens: float | None = None
    stamp: float = 0.0

    def wait_time(self, now: float) -> float:
        if self.rate is None:
            return 0.0
        capacity = max(1.0, self.rate / 6)
        per_second = self.rate / 60.0
        if self.tokens is None:
            self.tokens = capacity
        else:
            self.tokens = min(capacity, self.tokens + (now - self.stamp) * per_second)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / per_second

    def take(self) -> None:
        if self.rate is not None and self.tokens is not None:
            self.tokens -= 1
