"""SIGKILL at several points after submit: the next process finds every task id in the history
and finishes every task, with no duplicate upstream (simulator served for real on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from durability.harness import served_simulator
from processes import die_with_parent

from seedance_nb.lifecycle import PollPolicy, TaskManager
from seedance_nb.status import Status

CHILD = Path(__file__).with_name("sigkill_child.py")
COUNT = 3


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with served_simulator(queue=0.3, run=0.6) as url:
        yield url


def run_child_until(home: Path, url: str, marker: str, settle: float) -> list[str]:
    """Start the child and SIGKILL it ``settle`` seconds after a line containing ``marker``."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for name in ("ARK_API_KEY", "SEEDANCE_PROVIDER", "SEEDANCE_BASE_URL", "SEEDANCE_HOME"):
        env.pop(name, None)
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(home), url + "/api/v3", str(COUNT)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=die_with_parent,
    )
    lines: list[str] = []
    assert child.stdout is not None
    try:
        for line in child.stdout:
            lines.append(line.strip())
            if marker in line:
                time.sleep(settle)
                break
        else:
            raise AssertionError(f"the child ended before {marker!r}: {lines}")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        child.stdout.close()
    return lines


KILL_POINTS = {
    "right after submit": ("SUBMITTED", 0.0),
    "create in flight": (" sent submitting ", 0.2),
    "after the task id": (" acknowledged ", 0.0),
    "while running": (" running ", 0.0),
    "while downloading": (" downloading ", 0.0),
}


@pytest.mark.slow
@pytest.mark.parametrize("point", list(KILL_POINTS))
async def test_sigkill_loses_nothing(served: str, tmp_path: Path, point: str):
    httpx.post(served + "/sim/control/reset")
    if point == "create in flight":
        # The server creates the task but holds its answer: the kill lands mid-create.
        httpx.post(served + "/sim/control/scenario",
                   json={"route": "create", "kind": "lost_response", "mode": "timeout",
                         "delay": 30, "count": COUNT})  # fmt: skip
    marker, settle = KILL_POINTS[point]
    home = tmp_path / "home"
    lines = run_child_until(home, served, marker, settle)
    acknowledged = {line.split()[-1] for line in lines if " acknowledged " in line}

    manager = TaskManager(home, poll=PollPolicy.immediate(0.05))
    manager.reconcile_delays = (0.0, 0.2, 0.5)
    try:
        resumed = manager.resume()
        assert len(resumed) == COUNT
        await asyncio.wait_for(asyncio.gather(*(t._wait_async(None) for t in resumed)), 60)
        upstream = httpx.get(served + "/sim/control/tasks").json()
        upstream_ids = {t["id"] for t in upstream["tasks"]}
        ours = {t.id for t in resumed if t.id}
        assert acknowledged <= ours  # every id the provider acknowledged survived the kill
        assert upstream_ids == ours  # every task made upstream is in the history, none twice
        for task in resumed:
            if task.id is None:
                # Killed between writing "sent" and the request leaving: it never arrived, and
                # it is left for the user to decide, not resent.
                assert task.status is Status.UNKNOWN and not task.candidates, task.to_dict()
                continue
            assert task.status is Status.SUCCEEDED, (point, task.to_dict())
            [saved] = task.downloads
            assert saved["state"] == "saved"
            data = Path(saved["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == saved["sha256"]
        if point != "right after submit":
            assert len(ours) == COUNT
    finally:
        await manager.aclose()
    with sqlite3.connect(home / "history.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finals = [p for p in (home / "seedance-media").iterdir() if not p.name.startswith(".part-")]
    assert sorted(p.name for p in finals) == sorted(p.name for t in resumed for p in t.files)
