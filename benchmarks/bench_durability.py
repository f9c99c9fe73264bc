"""Durability trials: SIGKILL a process that is submitting and downloading, many times, at
random moments and at the two riskiest points (a create going out, a file half written).

Each trial runs ``tests/durability/child.py`` (3 tasks, result files trickling in) against a
simulator served on 127.0.0.1 and kills it; the checks of ``tests/durability/harness.py`` then
run as the next process would see things.
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from pathlib import Path

import httpx
from table import Figure
from wiring import durability_harness

COUNT = 3
SPAN = 2.0  # seconds: most kills land before a child has submitted, finished and saved 3 tasks


def _phase(line: str) -> str:
    """Where the child was when it died, from the last line it printed."""
    if line.startswith("BYTES"):
        return "downloading"
    if line.startswith("SENT"):
        return "create in flight"
    if line.startswith("EV"):
        parts = line.split()
        return {"submitting": "submitting", "polling": "polling",
                "downloading": "downloading", "done": "done"}.get(parts[3], parts[3])  # fmt: skip
    if line.startswith("ACK"):
        return "just acknowledged"
    return "starting" if line != "ALLDONE" else "finished"


def run(quick: bool = False, trials: int | None = None) -> list[Figure]:
    harness = durability_harness()
    trials = trials if trials is not None else (3 if quick else 30)
    rng = random.Random(2026)
    failures: list[str] = []
    phases: Counter[str] = Counter()
    parts = 0
    with harness.served_simulator(queue=0.3, run=0.6) as url, tempfile.TemporaryDirectory() as top:
        for i in range(trials):
            httpx.post(url + "/sim/control/reset")
            home = Path(top) / f"trial-{i}"
            kind = i % 5
            if kind == 3:
                trial = harness.run_child(home, url, count=COUNT, marker="SENT")
            elif kind == 4:
                trial = harness.run_child(home, url, count=1, marker="BYTES", media_gap=0.05)
            else:
                trial = harness.run_child(home, url, count=COUNT, after=rng.uniform(0, SPAN),
                                          media_gap=0.01)  # fmt: skip
            phases[_phase(trial.killed_after)] += 1
            problems, leftover = harness.check(home, url, trial)
            parts += leftover
            failures += [f"trial {i} ({trial.point}): {p}" for p in problems]
    where = ", ".join(f"{k} {v}" for k, v in phases.most_common())
    return [
        Figure(
            "SIGKILL trials: failed checks / trials",
            f"{len(failures)} / {trials}",
            "0 failed",
            not failures,
            f"killed while: {where}; {parts} orphaned .part- files left behind (temporary "
            "files of interrupted downloads, never under a final name)"
            + (f"; first failure: {failures[0]}" if failures else ""),
        )
    ]
