"""A team media folder: each result downloaded once for the team, every member shown its own copy
(served by Jupyter), a member without the mount fetching the result URL itself."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from seedance_nb.download import DownloadResult
from seedance_nb.lifecycle import History, team_media
from seedance_nb.notebook.facts import media
from seedance_nb.requests import VideoRequest

from .conftest import MakeManager


class Counting:
    """The simulator's app, counting the GETs of result files that reach it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.media_gets = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and "/sim/media/" in scope["path"]:
            self.media_gets += 1
        await self.app(scope, receive, send)


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "mnt" / "team-media"
    folder.mkdir(parents=True)
    monkeypatch.setenv(team_media.ENV, str(folder))
    return folder


def fox() -> VideoRequest:
    return VideoRequest(prompt="a red fox", resolution="480p", duration=4)


async def test_a_result_is_downloaded_once_and_each_member_gets_its_own_copy(
    make_manager: MakeManager, sim, tmp_path: Path, team: Path
):
    counting = Counting(sim.app)
    transport = httpx.ASGITransport(app=counting)
    shared = tmp_path / "ledger"
    ada = make_manager(transport=transport,
                       history=History(shared, media_dir=tmp_path / "ada" / "seedance-media"))  # fmt: skip
    task = ada.submit(fox(), provider="ark")
    await task
    assert counting.media_gets == 1
    [saved] = task.files
    assert saved.parent == team and saved.is_file()
    assert History(shared).assets(task.uid)[0]["path"] == str(saved)  # the ledger names it
    assert (tmp_path / "ada" / "seedance-media" / saved.name).read_bytes() == saved.read_bytes()
    # Another member on the same ledger and mount: shown from its own folder, no second GET.
    bo = make_manager(transport=transport,
                      history=History(shared, media_dir=tmp_path / "bo" / "seedance-media"))  # fmt: skip
    seen = bo.task(task.uid)
    [shown] = media(seen)
    assert shown.path == tmp_path / "bo" / "seedance-media" / saved.name
    assert shown.path.read_bytes() == saved.read_bytes()
    assert shown.servable(tmp_path / "bo") and not shown.path.is_symlink()
    assert counting.media_gets == 1


async def test_a_member_without_the_mount_downloads_its_own_copy(
    make_manager: MakeManager, sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv(team_media.ENV, str(tmp_path / "not-mounted"))
    counting = Counting(sim.app)
    mine = tmp_path / "cy" / "seedance-media"
    cy = make_manager(transport=httpx.ASGITransport(app=counting),
                      history=History(tmp_path / "ledger", media_dir=mine))  # fmt: skip
    task = cy.submit(fox(), provider="ark")
    await task
    assert counting.media_gets == 1
    assert task.files[0].parent == mine and task.files[0].is_file()
    assert not (tmp_path / "not-mounted").exists()


def _downloader(calls: list[Path], content: bytes = b"\x00\x00\x00\x18ftypmp42 result"):
    async def download(dest: Path) -> DownloadResult:
        calls.append(dest)
        await asyncio.sleep(0.05)  # the transfer takes a while: the other member arrives
        path = dest.with_suffix(".mp4")
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.parent / f".part-{os.getpid()}-{len(calls)}"
        tmp.write_bytes(content)
        os.replace(tmp, path)
        return DownloadResult(path, team_media.sha256_of(path), len(content), "video/mp4")

    return download


async def test_members_saving_one_result_at_once_download_it_once(tmp_path: Path, team: Path):
    calls: list[Path] = []
    download = _downloader(calls)
    one, two = await asyncio.gather(
        team_media.save("000001-cgt-1-video-0", tmp_path / "a", download, poll=0.01),
        team_media.save("000001-cgt-1-video-0", tmp_path / "b", download, poll=0.01),
    )
    assert calls == [team / "000001-cgt-1-video-0"]
    assert one == two and one.path.parent == team
    assert (tmp_path / "a" / one.path.name).read_bytes() == one.path.read_bytes()
    assert (tmp_path / "b" / one.path.name).read_bytes() == one.path.read_bytes()
    assert {p.name for p in team.iterdir()} == {one.path.name, "000001-cgt-1-video-0.json"}


async def test_a_stale_claim_is_taken_over_and_a_fresh_one_waited_for(tmp_path: Path, team: Path):
    claim = team / "000002-cgt-2-video-0.claim"
    claim.write_text("{}")
    old = time.time() - 3600
    os.utime(claim, (old, old))
    calls: list[Path] = []
    saved = await team_media.save("000002-cgt-2-video-0", tmp_path / "a",
                                  _downloader(calls), poll=0.01, stale=60)  # fmt: skip
    assert len(calls) == 1 and saved.path.is_file() and not claim.exists()
    # A fresh claim: wait, and take the file its holder records, without downloading.
    claim = team / "000003-cgt-3-video-0.claim"
    claim.write_text("{}")
    later: list[Path] = []
    waiting = asyncio.ensure_future(team_media.save(
        "000003-cgt-3-video-0", tmp_path / "b", _downloader(later), poll=0.01, stale=60))  # fmt: skip
    await asyncio.sleep(0.1)
    assert not waiting.done()
    holder: list[Path] = []
    claim.unlink()
    first = await team_media.save("000003-cgt-3-video-0", tmp_path / "a", _downloader(holder))
    assert (await waiting) == first and later == [] and len(holder) == 1


async def test_a_team_file_that_does_not_match_its_sha256_is_downloaded_again(
    tmp_path: Path, team: Path
):
    calls: list[Path] = []
    first = await team_media.save("000004-x-video-0", tmp_path / "a", _downloader(calls))
    first.path.write_bytes(b"truncated")
    again = await team_media.save("000004-x-video-0", tmp_path / "b", _downloader(calls))
    assert len(calls) == 2 and again.sha256 == first.sha256
    assert again.path.read_bytes() != b"truncated"


MEMBER = """
import asyncio, os, sys, time
from pathlib import Path
from seedance_nb.download import DownloadResult
from seedance_nb.lifecycle import team_media

async def download(dest):
    with open(sys.argv[2], "a") as log:
        log.write(f"{os.getpid()}\\n")
    await asyncio.sleep(0.3)
    path = dest.with_suffix(".mp4")
    tmp = dest.parent / f".part-{os.getpid()}"
    tmp.write_bytes(b"same result")
    os.replace(tmp, path)
    return DownloadResult(path, team_media.sha256_of(path), 11, "video/mp4")

while time.time() < float(sys.argv[3]):
    time.sleep(0.005)
saved = asyncio.run(team_media.save("000009-cgt-9-video-0", Path(sys.argv[1]), download, poll=0.02))
print(saved.path)
"""


def test_member_processes_saving_one_result_download_it_once(tmp_path: Path, team: Path):
    import subprocess
    import sys

    downloads = tmp_path / "downloads.log"
    start = str(time.time() + 1.5)  # both processes start saving at the same moment
    members = [
        subprocess.Popen(
            [sys.executable, "-c", MEMBER, str(tmp_path / name), str(downloads), start],
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("ada", "bo")
    ]
    paths = {member.communicate(timeout=60)[0].strip() for member in members}
    assert all(member.returncode == 0 for member in members)
    assert len(downloads.read_text().split()) == 1  # one download for the team
    assert paths == {str(team / "000009-cgt-9-video-0.mp4")}
    for name in ("ada", "bo"):
        assert (tmp_path / name / "000009-cgt-9-video-0.mp4").read_bytes() == b"same result"


def test_configure_names_the_team_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import seedance_nb as sd

    monkeypatch.delenv(team_media.ENV, raising=False)
    assert team_media.folder() is None
    sd.configure(team_media=tmp_path / "team")
    try:
        assert team_media.folder() == tmp_path / "team"
    finally:
        sd.configure(team_media=None)
    assert team_media.folder() is None


def test_a_copy_saved_without_the_mount_is_found_in_the_team_folder(tmp_path: Path, team: Path):
    (team / "000005-x-video-0.mp4").write_bytes(b"team copy")
    elsewhere = tmp_path / "cy-laptop" / "seedance-media" / "000005-x-video-0.mp4"  # not here
    mine = team_media.local_copy(elsewhere, tmp_path / "bo")
    assert mine == tmp_path / "bo" / "000005-x-video-0.mp4"
    assert mine.read_bytes() == b"team copy"
    # A file of this machine outside the team folder stays as it is.
    own = tmp_path / "own.mp4"
    own.write_bytes(b"own")
    assert team_media.local_copy(own, tmp_path / "bo") == own


async def test_a_team_folder_this_member_cannot_write_saves_its_own_copy(tmp_path: Path):
    read_only = Path("/proc/self")  # a folder nobody, root included, can create files in
    calls: list[Path] = []
    saved = await team_media.save("000006-x-video-0", tmp_path / "a", _downloader(calls),
                                  team=read_only)  # fmt: skip
    assert calls == [tmp_path / "a" / "000006-x-video-0"]
    assert saved.path == tmp_path / "a" / "000006-x-video-0.mp4" and saved.path.is_file()
