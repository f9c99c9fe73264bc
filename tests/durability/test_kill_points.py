"""SIGKILL during submit, in the middle of a download and at fixed moments in between, against a
simulator served for real on 127.0.0.1. The benchmark runs many more trials at random moments
(``benchmarks/run.py --trials N``); tests/lifecycle/test_sigkill.py covers resuming after kills
at the lifecycle's named states.

After each kill: every acknowledged task id is in the history, every upstream task is accounted
for, ``PRAGMA integrity_check`` is ``ok`` and no incomplete file sits under a final name.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from seedance_nb.lifecycle import PollPolicy, TaskManager
from seedance_nb.status import Status

from .harness import check, run_child, served_simulator

COUNT = 3


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with served_simulator(queue=0.3, run=0.6) as url:
        yield url


@pytest.fixture
def fresh(served: str) -> str:
    httpx.post(served + "/sim/control/reset")
    return served


async def _resume(home: Path) -> list:
    manager = TaskManager(home, poll=PollPolicy.immediate(0.05))
    manager.reconcile_delays = (0.0, 0.2, 0.5)
    try:
        resumed = manager.resume()
        await asyncio.wait_for(asyncio.gather(*(t._wait_async(None) for t in resumed)), 60)
    finally:
        await manager.aclose()
    return resumed


@pytest.mark.slow
async def test_kill_while_a_create_is_going_out(fresh: str, tmp_path: Path):
    home = tmp_path / "home"
    trial = run_child(home, fresh, count=COUNT, marker="SENT")
    assert not trial.finished
    problems, _ = check(home, fresh, trial)
    assert problems == []
    resumed = await _resume(home)
    upstream = {t["id"] for t in httpx.get(fresh + "/sim/control/tasks").json()["tasks"]}
    assert upstream <= {t.id for t in resumed}  # reconciled: none lost, none made twice
    for task in resumed:
        if task.id is None:  # the request never left: left for the user, not resent
            assert task.status is Status.UNKNOWN and not task.candidates
        else:
            assert task.status is Status.SUCCEEDED and task.files


@pytest.mark.slow
async def test_kill_in_the_middle_of_a_download(fresh: str, tmp_path: Path):
    home = tmp_path / "home"
    trial = run_child(home, fresh, count=1, marker="BYTES", media_gap=0.05)
    assert not trial.finished
    problems, parts = check(home, fresh, trial)
    assert problems == []
    finals = [p for p in (home / "seedance-media").iterdir() if not p.name.startswith(".part-")]
    assert finals == []  # the interrupted file is not under its final name
    assert parts == 1  # it was being written when the kill came
    [task] = await _resume(home)
    assert task.status is Status.SUCCEEDED
    [saved] = task.downloads
    data = Path(saved["path"]).read_bytes()
    assert saved["state"] == "saved" and hashlib.sha256(data).hexdigest() == saved["sha256"]
    problems, _ = check(home, fresh, trial)
    assert problems == []


@pytest.mark.slow
@pytest.mark.parametrize("after", [0.25, 0.8, 1.5])
async def test_kill_at_fixed_moments(fresh: str, tmp_path: Path, after: float):
    home = tmp_path / "home"
    trial = run_child(home, fresh, count=COUNT, after=after, media_gap=0.01)
    problems, _ = check(home, fresh, trial)
    assert problems == [], trial.killed_after
