"""The whole task lifecycle on a shared PostgreSQL ledger: two members, one history."""

from __future__ import annotations

from pathlib import Path

import httpx
from managers import build_manager

from seedance_nb.lifecycle.history_pg import PostgresHistory
from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import Simulator, SimulatorConfig
from seedance_nb.status import Status


async def test_a_task_runs_to_its_saved_file_and_every_member_sees_it(
    pg_url: str, tmp_path: Path, monkeypatch
):
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.1, jitter=0.0))
    transport = httpx.ASGITransport(app=sim.app)
    monkeypatch.setenv("SEEDANCE_HOME", str(tmp_path / "ada"))
    ada = build_manager(pg_url, transport)
    try:
        task = ada.submit(VideoRequest(prompt="a red fox", resolution="480p", duration=4),
                          provider="ark", tags=["fox"])  # fmt: skip
        assert await task is task
        assert task.status is Status.SUCCEEDED and task.files[0].is_file()
        assert isinstance(ada.history, PostgresHistory)
        kinds = [e["kind"] for e in ada.history.events(task.uid)]
        assert kinds[:3] == ["submitted", "sending", "created"] and kinds[-1] == "done"
    finally:
        await ada.aclose()
    monkeypatch.setenv("SEEDANCE_MEMBER", "bo")
    monkeypatch.setenv("SEEDANCE_HOME", str(tmp_path / "bo"))
    bo = build_manager(pg_url, transport)
    try:
        frame = bo.history.frame()
        assert list(frame["member"]) == ["ada"] and list(frame["status"]) == ["succeeded"]
        assert frame["files"].iloc[0] == (str(task.files[0]),)
        assert bo.resume() == []  # nothing unfinished: nothing sent twice
        again = bo.task(task.id)
        assert again.status is Status.SUCCEEDED and again.uid == task.uid
        assert sim.tasks_created() == 1
    finally:
        await bo.aclose()
