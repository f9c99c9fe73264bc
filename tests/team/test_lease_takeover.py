"""Polling leases between members of a team (real processes, a real PostgreSQL ledger, the
simulator over HTTP on 127.0.0.1): a member killed with SIGKILL leaves its live tasks to the
others, and members resuming at once never create or poll a task twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import die_with_parent

from seedance_nb.lifecycle import PollPolicy, TaskManager, stored
from seedance_nb.lifecycle.history_pg import PostgresHistory
from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import SimulatorConfig

from .served import CREATE, served

CHILD = Path(__file__).with_name("lease_child.py")
TTL = "3"  # seconds a lease lasts without renewal (a heartbeat every second)
COUNT = 4


def _env(pg_url: str, base_url: str, home: Path, member: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEEDANCE_", "ARK_"))}
    env.update(SEEDANCE_HISTORY=pg_url, SEEDANCE_MEMBER=member, SEEDANCE_PROVIDER="ark",
               SEEDANCE_BASE_URL=base_url, SEEDANCE_HOME=str(home), SEEDANCE_LEASE_TTL=TTL,
               PYTHONUNBUFFERED="1")  # fmt: skip
    return env


def _child(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(CHILD), *args], stdout=subprocess.PIPE,
                            stdin=subprocess.PIPE, text=True, env=env,
                            preexec_fn=die_with_parent)  # fmt: skip


def _stop(child: subprocess.Popen[str]) -> None:
    if child.poll() is None:
        child.kill()
    child.wait(timeout=10)
    for pipe in (child.stdin, child.stdout):
        if pipe is not None:
            pipe.close()


def _until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.fixture
def sim() -> Iterator:
    # Long enough to kill a member while its tasks are queued, short enough to finish soon.
    with served(SimulatorConfig(queue_seconds=6.0, run_seconds=2.0, jitter=0.0)) as found:
        yield found


@pytest.mark.slow
def test_a_killed_members_live_tasks_are_finished_by_another(pg_url, sim, tmp_path, monkeypatch):
    simulator, base_url, counted = sim
    monkeypatch.setenv("SEEDANCE_LEASE_TTL", TTL)
    other = TaskManager(history=PostgresHistory(pg_url, home=tmp_path / "b", member="bea"),
                        poll=PollPolicy.immediate(0.05)).start()  # fmt: skip
    child = _child(_env(pg_url, base_url, tmp_path / "a", "ada"), "submit", str(COUNT))
    try:
        assert child.stdout is not None
        acknowledged: set[str] = set()
        for line in child.stdout:
            if line.startswith("EV ") and " acknowledged " in line:
                acknowledged.add(line.split()[-1])
            if len(acknowledged) == COUNT:
                break
        time.sleep(1.0)  # the other member sweeps twice meanwhile: live leases stay put
        history = other.history
        assert not [e for e in history.events() if e["kind"] == "resumed"]  # nothing taken
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        _until(lambda: all(r["phase"] == "done" for r in history.frame().to_dict("records")),
               60, "the killed member's tasks were not finished by the other")  # fmt: skip
        rows = history.frame()
        assert len(rows) == COUNT and set(rows["status"]) == {"succeeded"}
        assert set(rows["id"]) == acknowledged
        taken = [e["uid"] for e in history.events() if e["kind"] == "resumed"]
        assert sorted(taken) == sorted(rows["uid"])  # each taken over once
        for uid in taken:
            task = other.task(uid)
            [saved] = task.downloads
            assert saved["state"] == "saved" and Path(saved["path"]).is_file()
        assert simulator.tasks_created() == COUNT and counted.hits[CREATE] == COUNT
        downloads = counted.media()
        assert len(downloads) == COUNT and set(downloads.values()) == {1}  # each saved once
    finally:
        _stop(child)
        other.close()


DEAD = "bobs-laptop:4242:0badcafe"  # a member on another machine that is gone


def _dead_members_rows(pg_url: str, base_url: str, home: Path, count: int) -> list[int]:
    """``count`` tasks a member on another machine left: half acknowledged upstream, half never
    sent; their leases have lapsed."""
    bob = TaskManager(history=PostgresHistory(pg_url, home=home, member="bob"),
                      poll=PollPolicy.immediate(0.05))  # fmt: skip
    history = bob.history
    sent = [bob.submit(VideoRequest(prompt=f"owl {i}", duration=4, seed=i), provider="ark",
                       base_url=base_url) for i in range(count // 2)]  # fmt: skip
    _until(lambda: all(t.id for t in sent), 30, "the dead member's creates were not answered")
    bob.close()
    settings = bob.endpoints.resolve("ark", base_url)
    now = time.time()
    for i in range(count - len(sent)):
        row = stored.submission_row(VideoRequest(prompt=f"cat {i}", duration=4, seed=50 + i),
                                    settings, None, tags=[], parent_id=None, now=now,
                                    session="bob", owner=DEAD)  # fmt: skip
        history.insert(row, at=now)
    uids = [r["uid"] for r in history.unfinished()]
    for uid in uids:
        history.update(uid, {"owner": DEAD, "lease_owner": DEAD, "lease_until": now - 5}, at=now)
    history.close()
    return uids


@pytest.mark.slow
def test_members_resuming_at_once_create_and_poll_each_task_once(pg_url, sim, tmp_path):
    simulator, base_url, counted = sim
    uids = _dead_members_rows(pg_url, base_url, tmp_path / "bob", 8)
    assert simulator.tasks_created() == 4
    go = tmp_path / "go"
    children = [_child(_env(pg_url, base_url, tmp_path / f"m{i}", f"member{i}"), "resume",
                       str(go)) for i in range(2)]  # fmt: skip
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "READY"
        go.touch()  # both resume now
        reports = []
        for child in children:
            assert child.stdout is not None
            reports.append(json.loads(child.stdout.readline()))
    finally:
        for child in children:
            _stop(child)
    ran = [set(r["ran"]) for r in reports]
    assert ran[0].isdisjoint(ran[1]) and ran[0] | ran[1] == set(uids)  # one member each
    assert all(r["statuses"] == ["succeeded"] for r in reports if r["ran"])
    assert simulator.tasks_created() == 8 and counted.hits[CREATE] == 8  # each sent once
    history = PostgresHistory(pg_url, home=tmp_path / "bob")
    resumed = [e["uid"] for e in history.events() if e["kind"] == "resumed"]
    assert sorted(resumed) == sorted(uids)  # each row taken over once
    assert set(counted.media().values()) == {1} and len(counted.media()) == 8
    history.close()
