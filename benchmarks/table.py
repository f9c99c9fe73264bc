"""Figures, goals and the printed table."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class Figure:
    """One measured figure, its goal from issue 5 (if it has one) and whether it was met."""

    name: str
    value: str
    goal: str = ""
    met: bool | None = None  # None: no goal, reported for information
    note: str = ""


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100.0
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def render(figures: Sequence[Figure]) -> str:
    """A plain-text table: figure, value, goal, met."""
    head = ("figure", "value", "goal", "met")
    rows = [
        (f.name, f.value, f.goal or "-", {True: "yes", False: "NO", None: "-"}[f.met])
        for f in figures
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    notes = [f"  {f.name}: {f.note}" for f in figures if f.note]
    if notes:
        out += ["", "notes:", *notes]
    return "\n".join(out)
