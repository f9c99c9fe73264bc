"""Settings of one simulator instance."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# (url, json body, timeout seconds) -> HTTP status code of the receiver's answer.
CallbackSender = Callable[[str, dict[str, Any], float], Awaitable[int]]


@dataclass
class SimulatorConfig:
    """How the simulator behaves.

    >>> fast = SimulatorConfig(queue_seconds=0.5, run_seconds=1.0)  # for a notebook

    ``clock`` returns seconds since the epoch (default ``time.time``); pass a
    :class:`~seedance_nb.simulator.ManualClock` to drive time by hand. ``api_key`` set means only
    that key is accepted; unset means any non-empty bearer token is.
    """

    queue_seconds: float = 2.0
    run_seconds: float = 6.0
    api_key: str | None = None
    clock: Callable[[], float] | None = None
    allow_local_callbacks: bool = True
    media_dir: Path | str | None = None
    seed: int = 0
    # Relative spread of the per-task queue/run times, drawn deterministically from ``seed``.
    jitter: float = 0.1
    callback_timeout: float = 5.0
    callback_retry_delay: float = 1.0
    callback_sender: CallbackSender | None = None
    # Base of the media URLs in task bodies; by default the host the create request came to.
    public_base_url: str | None = None
