"""What a change notice carries: the row and a hint, sent when a write commits, never a secret."""

from __future__ import annotations

import asyncio
import json

import httpx
import psycopg
import pytest
from managers import build_manager

from seedance_nb.errors import BudgetExceeded
from seedance_nb.lifecycle import Budget
from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import Simulator, SimulatorConfig

KEY = "sk-notice-test-0123456789"


def heard(conn: psycopg.Connection) -> list[dict]:
    return [json.loads(n.payload) for n in conn.notifies(timeout=1.0)]


async def test_each_write_sends_a_notice_without_secrets(pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SEEDANCE_HOME", str(tmp_path / "ada"))
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.05, jitter=0.0))
    ada = build_manager(pg_url, httpx.ASGITransport(app=sim.app), api_key=KEY)
    ada.history.frame(limit=0)  # the schema is in place before anyone listens
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("LISTEN seedance_tasks")
        try:
            task = ada.submit(VideoRequest(prompt="a red fox", duration=4), provider="ark")
            await asyncio.wait_for(task, 30)
            ada.budget = Budget(daily_tokens=1)
            with pytest.raises(BudgetExceeded):  # refused: its row was never committed
                ada.submit(VideoRequest(prompt="a grey fox", duration=4), provider="ark")
        finally:
            await ada.aclose()
        notices = await asyncio.to_thread(heard, conn)
    assert notices and {n["uid"] for n in notices} == {task.uid}
    assert all(set(n) == {"uid", "hint", "by"} and n["by"] == ada.owner for n in notices)
    assert {"insert", "update", "assets", "asset"} <= {n["hint"] for n in notices}
    assert notices[0]["hint"] == "insert"
    assert not [n for n in notices if KEY in json.dumps(n)]
