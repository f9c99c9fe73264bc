"""Forged, replayed, out-of-order and bursty callbacks change nothing they should not."""

from __future__ import annotations

from typing import Any

import httpx

from seedance_nb.callbacks import tokens
from seedance_nb.lifecycle import TaskManager
from seedance_nb.simulator import ManualClock, Simulator, SimulatorConfig
from seedance_nb.status import Status

from .callback_parts import Counted, member, receiver_at, until, video


def ledger(manager: TaskManager, uid: int) -> tuple[Any, ...]:
    """Everything the ledger holds about a task."""
    history = manager.history
    return history.row(uid), history.events(uid), history.assets(uid)


async def test_forged_replayed_and_out_of_order_callbacks_change_nothing(
    history_url: str, monkeypatch
):
    clock = ManualClock()
    sim = Simulator(SimulatorConfig(queue_seconds=10, run_seconds=100, jitter=0.0, clock=clock))
    at_member, at_receiver = Counted(sim), Counted(sim)
    async with receiver_at(history_url, at_receiver) as (receiver, base):
        monkeypatch.setenv(tokens.ENV_VAR, base)
        ada = member(history_url, at_member)
        try:
            task = ada.submit(video(), provider="ark")
            await until(lambda: task.id is not None and task.phase == "polling")
            url = sim.store.tasks[task.id].callback_url
            assert url is not None
            secret = url.rsplit("/", 1)[1]
            clock.advance(11)  # running upstream now
            before = ledger(ada, task.uid)
            claim = {"id": task.id, "status": "succeeded",
                     "content": {"video_url": "https://forged.example/x.mp4"}}  # fmt: skip
            async with httpx.AsyncClient() as http:
                wrong = [
                    f"{base}/seedance/callback/{task.uid}/{'A' * len(secret)}",  # wrong secret
                    f"{base}/seedance/callback/{task.uid + 1}/{secret}",  # another row's
                    f"{base}/seedance/callback/{task.uid}/",  # no secret
                    f"{base}/seedance/callback/{task.uid}",
                ]
                for bad in wrong:
                    assert (await http.post(bad, json=claim)).status_code == 404
                other = {**claim, "id": "cgt-20260528000000-other"}
                assert (await http.post(url, json=other)).status_code == 200  # ignored
                await receiver.drain()
                assert ledger(ada, task.uid) == before and at_receiver.gets(task.id) == 0
                assert receiver.counts["refused"] == 2 and receiver.counts["ignored"] == 1

                # A forged "succeeded" for a running task: one GET, and the GET says running.
                assert (await http.post(url, json=claim)).status_code == 200
                await receiver.drain()
                assert at_receiver.gets(task.id) == 1
                row = ada.history.row(task.uid)
                assert row["status"] == "running" and ada.history.assets(task.uid) == []
                await until(lambda: task.status is Status.RUNNING)  # the member's card follows
                assert not task.done

                clock.advance(100)  # it succeeds upstream; the simulator calls back
                await until(lambda: task.done, sim)
                await receiver.drain()
                assert task.status is Status.SUCCEEDED and task.files[0].is_file()
                settled, gets = ledger(ada, task.uid), at_receiver.gets(task.id)
                replays = receiver.counts["replay"]
                late = {"id": task.id, "status": "running"}  # out of order
                failed = {"id": task.id, "status": "failed", "error": {"code": "Forged"}}
                for body in (claim, late, failed):
                    assert (await http.post(url, json=body)).status_code == 200
                await receiver.drain()
            assert ledger(ada, task.uid) == settled and at_receiver.gets(task.id) == gets
            assert receiver.counts["replay"] == replays + 3
            assert at_member.gets(task.id) == 0 and at_member.lists() == 0
        finally:
            await ada.aclose()


async def test_a_burst_of_callbacks_is_coalesced_into_few_gets(history_url: str, monkeypatch):
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=60, jitter=0.0))
    at_member, at_receiver = Counted(sim), Counted(sim)
    async with receiver_at(history_url, at_receiver, min_gap=0.5) as (receiver, base):
        monkeypatch.setenv(tokens.ENV_VAR, base)
        ada = member(history_url, at_member)
        try:
            task = ada.submit(video(), provider="ark")
            await until(lambda: task.id is not None and task.phase == "polling")
            url = sim.store.tasks[task.id].callback_url
            assert url is not None
            async with httpx.AsyncClient() as http:
                for _ in range(10):
                    answer = await http.post(url, json={"id": task.id, "status": "running"})
                    assert answer.status_code == 200
            await receiver.drain()
            # One GET at once, at most one more for everything that came in after it.
            assert 1 <= at_receiver.gets(task.id) <= 2
            assert receiver.counts["coalesced"] >= 8
            assert ada.history.row(task.uid)["status"] == "running"
        finally:
            await ada.aclose()


async def test_a_callback_for_a_lost_create_is_a_candidate_never_adopted(
    history_url: str, monkeypatch
):
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.1, jitter=0.0))
    at_member, at_receiver = Counted(sim), Counted(sim)
    async with receiver_at(history_url, at_receiver) as (receiver, base):
        monkeypatch.setenv(tokens.ENV_VAR, base)
        ada = member(history_url, at_member)
        try:
            sim.push_scenario(route="create", kind="lost_response", mode="502")
            task = ada.submit(video(), provider="maxapi")
            await until(lambda: task.done)
            assert task.id is None and task.status is Status.UNKNOWN
            (made,) = sim.store.tasks.values()  # it was created upstream
            await until(lambda: receiver.counts["candidate"] >= 1, sim)
            await receiver.drain()
            row = ada.history.row(task.uid)
            assert row["id"] is None and row["status"] == "unknown"
            assert made.id in ada.history.candidates(task.uid)
            assert at_receiver.gets(made.id) == 0
            adopted = ada.adopt(made.id)  # the user decides
            assert adopted.uid == task.uid and adopted.id == made.id
        finally:
            await ada.aclose()


async def test_a_get_the_provider_refuses_is_asked_again_and_then_recorded(tmp_path, monkeypatch):
    history = str(tmp_path / "h.sqlite3")
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.1, jitter=0.0))
    at_member, at_receiver = Counted(sim), Counted(sim)
    async with receiver_at(history, at_receiver) as (receiver, base):
        monkeypatch.setenv(tokens.ENV_VAR, base)
        ada = member(history, at_member)
        try:
            task = ada.submit(video(), provider="maxapi")
            await until(lambda: task.id is not None and task.phase == "polling")
            # Every try of the receiver's first GET fails (the client's own retries included).
            sim.push_scenario(route="get", kind="server_error", count=4, provider="maxapi")
            await until(lambda: receiver.counts["failed"] >= 1, sim)
            assert ada.history.row(task.uid)["status"] == "queued"
            await until(lambda: task.done, timeout=30)
            await receiver.drain()
            assert task.status is Status.SUCCEEDED and receiver.counts["fetched"] == 2
            assert at_receiver.gets(task.id) == 5 and at_member.gets(task.id) == 0
        finally:
            await ada.aclose()
