"""What a member's handles do when another member holds the lease (one process, two managers,
a real PostgreSQL ledger, the simulator over HTTP on 127.0.0.1)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from seedance_nb.lifecycle import PollPolicy, TaskManager
from seedance_nb.lifecycle.history_pg import PostgresHistory
from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import SimulatorConfig

from .served import served


@pytest.fixture
def base_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("SEEDANCE_LEASE_TTL", "1.5")  # a heartbeat every 0.5 s
    with served(SimulatorConfig(queue_seconds=600, run_seconds=600, jitter=0.0)) as found:
        yield found[1]


def _member(pg_url: str, home: Path, name: str) -> TaskManager:
    history = PostgresHistory(pg_url, home=home / name, member=name)
    return TaskManager(history=history, poll=PollPolicy.immediate(0.05)).start()


def _until(check, what: str) -> None:
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_a_live_members_task_is_followed_not_polled_by_another(pg_url, base_url, tmp_path):
    ada, bea = _member(pg_url, tmp_path, "ada"), _member(pg_url, tmp_path, "bea")
    try:
        task = ada.submit(VideoRequest(prompt="a fox", duration=4), provider="ark",
                          base_url=base_url)  # fmt: skip
        _until(lambda: task.id is not None, "the create was not answered")
        seen = bea.task(task.uid)  # ada is alive and holds the lease
        assert seen.owned_elsewhere and not seen.done
        assert bea.resume() == []
        assert all(len(poller) == 0 for poller in bea.pollers)  # bea polls nothing
        row = bea.history.row(task.uid)
        assert row is not None and row["lease_owner"] == ada.owner
    finally:
        bea.close()
        ada.close()


def test_a_member_whose_lease_was_taken_stops_polling_the_task(pg_url, base_url, tmp_path):
    ada = _member(pg_url, tmp_path, "ada")
    try:
        task = ada.submit(VideoRequest(prompt="a fox", duration=4), provider="ark",
                          base_url=base_url)  # fmt: skip
        _until(lambda: any(len(p) for p in ada.pollers), "the task was not polled")
        # Ada was suspended past her lease and another member took the task meanwhile.
        ada.history.update(task.uid, {"lease_owner": "laptop:1:other",
                                      "lease_until": time.time() + 600}, at=time.time())  # fmt: skip
        _until(lambda: task.owned_elsewhere == "laptop:1:other", "ada kept the task")
        _until(lambda: all(len(p) == 0 for p in ada.pollers), "ada still polls it")
        row = ada.history.row(task.uid)
        assert row is not None and row["lease_owner"] == "laptop:1:other"
    finally:
        ada.close()
    history = PostgresHistory(pg_url, home=tmp_path)
    row = history.row(task.uid)
    history.close()
    assert row is not None and row["lease_owner"] == "laptop:1:other"  # closing left it alone
