"""Tasks and their timelines. A task's status is never stored: it is read off the clock."""

from __future__ import annotations

import random
import string
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .clock import compact

# Generic phases; each dialect words them its own way (see views.py).
QUEUED, RUNNING, SUCCEEDED, FAILED, EXPIRED, CANCELLED = (
    "queued",
    "running",
    "succeeded",
    "failed",
    "expired",
    "cancelled",
)
TERMINAL = frozenset({SUCCEEDED, FAILED, EXPIRED, CANCELLED})


@dataclass
class Task:
    """One generation task of any dialect.

    The timeline is fixed at creation: queued at ``created``, running after ``queue_s``, then
    ``outcome`` after ``run_s`` — unless ``expires_at`` comes first (then expired) or the task is
    cancelled. ``assets`` are the names of its output files, live from the moment it succeeds.
    """

    id: str
    dialect: str
    model: str
    created: float
    queue_s: float
    run_s: float
    request: dict[str, Any]
    base_url: str
    outcome: str = SUCCEEDED
    error_code: str | None = None
    error_message: str | None = None
    failure_reason: str | None = None
    expires_at: float | None = None
    cancelled_at: float | None = None
    callback_url: str | None = None
    plan: Any = None
    assets: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    notified: set[str] = field(default_factory=set)
    detail: str | None = None

    @property
    def finish_time(self) -> float:
        return self.created + self.queue_s + self.run_s

    def timeline(self) -> list[tuple[float, str]]:
        events = [(self.created, QUEUED), (self.created + self.queue_s, RUNNING)]
        if self.expires_at is not None and self.expires_at <= self.finish_time:
            events = [e for e in events if e[0] < self.expires_at] + [(self.expires_at, EXPIRED)]
        else:
            events.append((self.finish_time, self.outcome))
        if self.cancelled_at is not None:
            kept = [e for e in events if e[0] <= self.cancelled_at and e[1] not in TERMINAL]
            events = [*kept, (self.cancelled_at, CANCELLED)]
        return events

    def phase_at(self, now: float) -> tuple[str, float]:
        """(phase, since when) at ``now``."""
        current = self.timeline()[0]
        for event in self.timeline():
            if event[0] <= now:
                current = event
        return current[1], current[0]

    def phase(self, now: float) -> str:
        return self.phase_at(now)[0]


class Store:
    """All tasks of all dialects, their ids and how many each dialect created."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.tasks: dict[str, Task] = {}
        self.created: Counter[str] = Counter()
        self._rng = random.Random(seed)

    def add(self, task: Task) -> Task:
        self.tasks[task.id] = task
        self.created[task.dialect] += 1
        return task

    def get(self, task_id: str, dialect: str) -> Task | None:
        task = self.tasks.get(task_id)
        return task if task is not None and task.dialect == dialect else None

    def remove(self, task_id: str) -> None:
        self.tasks.pop(task_id, None)

    def clear(self) -> None:
        self.tasks.clear()
        self.created.clear()
        self._rng = random.Random(self.seed)

    def count(self, kind: str) -> None:
        """Count a request that made something without a task (a synchronous image call)."""
        self.created[kind] += 1

    # ids -----------------------------------------------------------------------------------
    def ark_id(self, now: float) -> str:
        alphabet = string.ascii_lowercase + string.digits
        suffix = "".join(self._rng.choice(alphabet) for _ in range(5))
        return f"cgt-{compact(now)}-{suffix}"

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def hex_id(self, prefix: str) -> str:
        return f"{prefix}{self._rng.getrandbits(96):024x}"

    def random_seed(self, upper: int) -> int:
        return self._rng.randrange(0, upper)

    def timings(self, task_id: str, queue: float, run: float, jitter: float) -> tuple[float, float]:
        """Queue and run seconds for one task: configured values stretched by up to ``jitter``."""
        rng = random.Random(f"{self.seed}:{task_id}")
        return queue * (1 + jitter * rng.random()), run * (1 + jitter * rng.random())
