"""An honest progress estimate: elapsed time against how long such a task usually takes.

ModelArk reports no progress, so a bar can only compare the time since the create with a typical
duration for the model, resolution and length. Typical durations start from a small table and are
replaced by the median of this history's own finished tasks once there are a few. The estimate
never reaches 1.0 before the task has actually finished, and slows down once a task runs longer
than usual instead of pretending to know.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

# Seconds from create to finish for a 5 s video, by resolution; images by kind. A rough, stated
# guess (vendors publish none): the learned medians replace it quickly.
DEFAULT_VIDEO = {"480p": 60.0, "720p": 120.0, "1080p": 240.0}
DEFAULT_VIDEO_OTHER = 150.0
DEFAULT_IMAGE = 20.0
FAST_FACTOR = 0.6  # "-fast" models
MIN_SAMPLES = 3


def _key(
    model: str | None, kind: str | None, params: Mapping[str, Any]
) -> tuple[str, str, str, str]:
    # Learned per model × resolution × length: a 10 s video is not simply twice a 5 s one.
    resolution = str(params.get("resolution") or params.get("size") or "")
    length = f"{_length(params):g} s" if kind == "video" else ""
    return (model or "", kind or "", resolution, length)


def _kind_words(key: tuple[str, str, str, str]) -> str:
    """ "seedance-2.0-fast at 720p, 5 s" (what the figure is about, in words)."""
    model, _kind, resolution, length = key
    detail = ", ".join(b for b in (resolution, length) if b)
    return f"{model or 'this model'}" + (f" at {detail}" if detail else "")


def _length(params: Mapping[str, Any]) -> float:
    duration = params.get("duration")
    if isinstance(duration, (int, float)) and duration > 0:
        return float(duration)
    frames = params.get("frames")
    if isinstance(frames, (int, float)) and frames > 0:
        return frames / 24.0
    return 5.0


class Durations:
    """Typical create-to-finish seconds per (model, kind, resolution), learned from history."""

    def __init__(self) -> None:
        # Seconds per output second of video (or per image task), per key.
        self._samples: dict[tuple[str, str, str, str], list[float]] = defaultdict(list)
        self._median: dict[tuple[str, str, str, str], float] = {}

    def learn(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Feed finished tasks: ``model``, ``kind``, ``params`` (JSON), ``sent_at``, ``finished_at``."""
        for row in rows:
            try:
                params = json.loads(row.get("params") or "{}")
            except ValueError:
                params = {}
            start, end = row.get("sent_at"), row.get("finished_at")
            if start is None or end is None or end <= start:
                continue
            self.add(row.get("model"), row.get("kind"), params, end - start)

    def add(
        self, model: str | None, kind: str | None, params: Mapping[str, Any], seconds: float
    ) -> None:
        key = _key(model, kind, params)
        per = seconds / (_length(params) if kind == "video" else 1.0)
        samples = self._samples[key]
        samples.append(per)
        del samples[:-50]  # recent behaviour matters most
        self._median.pop(key, None)

    def typical(
        self, model: str | None, kind: str | None, params: Mapping[str, Any]
    ) -> tuple[float, str]:
        """Typical seconds and a short note saying where the figure comes from."""
        key = _key(model, kind, params)
        scale = _length(params) if kind == "video" else 1.0
        samples = self._samples.get(key, [])
        if len(samples) >= MIN_SAMPLES:
            if key not in self._median:
                self._median[key] = statistics.median(samples)
            runs = f"the median of {len(samples)} earlier runs of {_kind_words(key)}"
            return self._median[key] * scale, f"{runs} in this history"
        if kind == "image":
            base = DEFAULT_IMAGE
        else:
            base = DEFAULT_VIDEO.get(key[2], DEFAULT_VIDEO_OTHER) * scale / 5.0
            if model and "fast" in model:
                base *= FAST_FACTOR
        have = f"only {len(samples)} finished" if samples else "no finished"
        return base, f"a rough guess, as this history has {have} runs of {_kind_words(key)} yet"


def estimate(elapsed: float, typical: float, *, finished: bool) -> float:
    """0..1: linear up to 90 % at the typical duration, then creeping towards 99 %."""
    if finished:
        return 1.0
    if typical <= 0 or elapsed <= 0:
        return 0.0
    ratio = elapsed / typical
    if ratio <= 1.0:
        return 0.9 * ratio
    return min(0.99, 0.9 + 0.09 * (1.0 - 1.0 / ratio))


def remaining(elapsed: float, typical: float) -> float | None:
    """Seconds left if the task takes the typical time; None once it is overdue."""
    left = typical - elapsed
    return left if left > 0 else None
