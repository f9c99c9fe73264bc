"""Callbacks through the receiver: a valid one brings one GET and the row, with no poll by the
member who submitted; without a callback URL nothing changes."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from seedance_nb.callbacks import tokens
from seedance_nb.cli.main import main
from seedance_nb.simulator import Simulator, SimulatorConfig
from seedance_nb.status import Status

from .callback_parts import Counted, member, receiver_at, until, video


def ours(records: list[logging.LogRecord]) -> list[str]:
    """Log lines of this package and of the receiver's web server (the simulator's own
    deliveries, logged by httpx, are the provider's side)."""
    return [r.getMessage() for r in records if r.name.startswith(("seedance_nb", "uvicorn"))]


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.3, jitter=0.0))


@pytest.mark.parametrize("provider", ["maxapi", "ark"])
async def test_a_callback_brings_one_get_and_the_row_without_a_poll_by_the_member(
    history_url: str, sim: Simulator, provider: str, monkeypatch, caplog, capsys
):
    from seedance_nb.notebook.task_card import TaskCard

    caplog.set_level(logging.DEBUG)
    at_member, at_receiver = Counted(sim), Counted(sim)
    async with receiver_at(history_url, at_receiver) as (receiver, base):
        monkeypatch.setenv(tokens.ENV_VAR, base)
        ada = member(history_url, at_member)
        try:
            task = ada.submit(video(), provider=provider)
            await until(lambda: task.id is not None)
            sent = sim.store.tasks[task.id].callback_url
            assert sent is not None and sent.startswith(f"{base}/seedance/callback/{task.uid}/")
            secret = sent.rsplit("/", 1)[1]
            row = ada.history.row(task.uid)
            assert row is not None and row["callback_token"] == tokens.digest(secret)
            await until(lambda: task.done, sim)
            await receiver.drain()
            assert task.status is Status.SUCCEEDED and task.files and task.files[0].is_file()
            # The receiver asked once per callback-worthy change; the member never polled.
            assert at_member.gets(task.id) == 0 and at_member.lists() == 0
            expected = 1 if provider == "maxapi" else 3  # ModelArk: queued, running, succeeded
            assert at_receiver.gets(task.id) == receiver.counts["fetched"] <= expected
            assert receiver.counts["fetched"] >= 1
            row = ada.history.row(task.uid)
            assert row["status"] == "succeeded" and row["phase"] == "done"
            kinds = [e["kind"] for e in ada.history.events(task.uid)]
            assert kinds.count("status") >= 1 and kinds[-1] == "done"
            # The secret is nowhere but in the provider's hands (the canary).
            card = TaskCard(task)
            widget = json.dumps(card.get_state(), default=str)
            card.close()
            assert main(["history", "--json", "--history", history_url]) == 0
            shown = [
                widget,
                capsys.readouterr().out,
                ada.history.frame().to_json(date_format="iso"),
                json.dumps(ada.history.events(task.uid), default=str),
                json.dumps(task.to_dict(), default=str),
                repr(task),
                json.dumps(row, default=str),
                *ours(caplog.records),
            ]
            assert all(secret not in text for text in shown)
        finally:
            await ada.aclose()


async def test_without_a_callback_url_creates_carry_none_and_polling_is_unchanged(
    history_url: str, sim: Simulator, monkeypatch
):
    monkeypatch.delenv(tokens.ENV_VAR, raising=False)
    at_member = Counted(sim)
    ada = member(history_url, at_member, poll=None)
    try:
        task = ada.submit(video(), provider="maxapi")
        assert await task is task and task.status is Status.SUCCEEDED
        assert sim.store.tasks[task.id].callback_url is None
        assert ada.history.row(task.uid)["callback_token"] is None
        assert at_member.gets(task.id) >= 1  # it was polled, as before
    finally:
        await ada.aclose()


async def test_the_openai_style_route_carries_no_callback_url(
    tmp_path: Path, sim: Simulator, monkeypatch
):
    """Its document defines no callback field: such tasks are polled as before."""
    monkeypatch.setenv(tokens.ENV_VAR, "https://hooks.example.com")
    at_member = Counted(sim)
    ada = member(str(tmp_path / "h.sqlite3"), at_member, poll=None)
    try:
        request = video().model_copy(update={"model": "seedance-2.0-fast"})
        task = ada.submit(request, provider="maxapi-openai")
        assert await task is task and task.status is Status.SUCCEEDED
        assert sim.store.tasks[task.id].callback_url is None
        assert ada.history.row(task.uid)["callback_token"] is None
    finally:
        await ada.aclose()


async def test_a_result_that_arrives_while_the_member_is_away_is_there_on_resume(
    history_url: str, monkeypatch
):
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=2.0, jitter=0.0))
    at_member, at_receiver = Counted(sim), Counted(sim)
    async with receiver_at(history_url, at_receiver) as (receiver, base):
        monkeypatch.setenv(tokens.ENV_VAR, base)
        ada = member(history_url, at_member)
        task = ada.submit(video(), provider="maxapi")
        await until(lambda: task.id is not None and task.phase == "polling")
        await ada.aclose()  # the laptop sleeps before the task finishes
        await until(lambda: receiver.counts["applied"] >= 1, sim)
        await receiver.drain()
        again = member(history_url, at_member)
        try:
            row = again.history.row(task.uid)
            assert row["status"] == "succeeded" and row["phase"] == "polling"
            (resumed,) = again.resume()
            assert await resumed is resumed
            assert resumed.status is Status.SUCCEEDED and resumed.files[0].is_file()
            assert at_member.gets(task.id) == 0 and at_receiver.gets(task.id) == 1
            assert sim.tasks_created() == 1
        finally:
            await again.aclose()
