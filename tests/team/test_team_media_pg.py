"""A team media folder with a shared PostgreSQL ledger: one download per result for the team."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from managers import build_manager

from seedance_nb.lifecycle import team_media
from seedance_nb.notebook.facts import media
from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import Simulator, SimulatorConfig


class Counting:
    """The simulator's app, counting the GETs of result files that reach it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.media_gets = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and "/sim/media/" in scope["path"]:
            self.media_gets += 1
        await self.app(scope, receive, send)


async def test_members_on_one_ledger_download_a_result_once(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.1, jitter=0.0))
    counting = Counting(sim.app)
    transport = httpx.ASGITransport(app=counting)
    team = tmp_path / "mnt" / "team"
    team.mkdir(parents=True)
    monkeypatch.setenv(team_media.ENV, str(team))
    monkeypatch.setenv("SEEDANCE_MEDIA", str(tmp_path / "ada" / "seedance-media"))
    ada = build_manager(pg_url, transport)
    try:
        task = ada.submit(VideoRequest(prompt="a red fox", resolution="480p", duration=4),
                          provider="ark")  # fmt: skip
        await task
        [saved] = task.files
        assert saved.parent == team and counting.media_gets == 1
        assert ada.history.assets(task.uid)[0]["path"] == str(saved)
    finally:
        await ada.aclose()
    monkeypatch.setenv("SEEDANCE_MEMBER", "bo")
    monkeypatch.setenv("SEEDANCE_MEDIA", str(tmp_path / "bo" / "seedance-media"))
    bo = build_manager(pg_url, transport)
    try:
        [shown] = media(bo.task(task.id))
        assert shown.path == tmp_path / "bo" / "seedance-media" / saved.name
        assert shown.path.read_bytes() == saved.read_bytes()
        assert counting.media_gets == 1
    finally:
        await bo.aclose()
