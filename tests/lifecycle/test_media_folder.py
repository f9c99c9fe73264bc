"""Results are saved in a visible folder beside the notebook, readable by the file server; a
history that kept them in the old hidden ``.seedance/media/`` has them moved there once."""

from __future__ import annotations

import asyncio
import logging
import shutil
import stat
from pathlib import Path

import pytest

from seedance_nb.lifecycle import History
from seedance_nb.requests import VideoRequest

from .conftest import MakeManager


def test_where_result_files_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEEDANCE_MEDIA", raising=False)
    monkeypatch.delenv("SEEDANCE_HOME", raising=False)
    assert History().media_dir == tmp_path / "seedance-media"  # beside the notebook
    monkeypatch.setenv("SEEDANCE_HOME", str(tmp_path / "elsewhere"))
    assert History().media_dir == tmp_path / "seedance-media"  # the history moves, not media
    assert History(tmp_path / "nb" / ".seedance").media_dir == tmp_path / "nb" / "seedance-media"
    assert History(tmp_path / "data").media_dir == tmp_path / "data" / "seedance-media"
    assert History(tmp_path / "h", media_dir=tmp_path / "m").media_dir == tmp_path / "m"
    monkeypatch.setenv("SEEDANCE_MEDIA", str(tmp_path / "shared"))
    assert History(tmp_path / "data").media_dir == tmp_path / "shared"


async def test_saved_results_are_visible_and_readable(
    make_manager: MakeManager, tmp_path: Path
) -> None:
    manager = make_manager(home=tmp_path / "nb" / ".seedance")
    task = manager.submit(VideoRequest(prompt="a red fox", resolution="480p", duration=4))
    await asyncio.wait_for(task._wait_async(None), 20)
    [video, *_] = task.files
    assert video.parent == tmp_path / "nb" / "seedance-media"
    assert stat.S_IMODE(video.stat().st_mode) == 0o644  # the file server and colleagues read it


async def test_files_of_an_old_history_are_moved_once(
    make_manager: MakeManager, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    home = tmp_path / "nb" / ".seedance"
    manager = make_manager(home=home)
    task = manager.submit(VideoRequest(prompt="a red fox", resolution="480p", duration=4))
    await asyncio.wait_for(task._wait_async(None), 20)
    uid = task.uid
    names = [p.name for p in task.files]
    await manager.aclose()
    manager.history.close()
    # Make it look like a history of the old layout: files in .seedance/media/, rows naming them.
    old = home / "media"
    shutil.move(str(tmp_path / "nb" / "seedance-media"), old)
    history = History(home)
    with history._tx() as conn:
        for name in names:
            conn.execute(
                "UPDATE assets SET path = ? WHERE path LIKE ?", (str(old / name), f"%{name}")
            )
    history.close()

    with caplog.at_level(logging.WARNING, logger="seedance_nb"):
        reopened = History(home)
        rows = reopened.assets(uid)
    moved = [Path(r["path"]) for r in rows if r["path"]]
    assert [p.name for p in moved] == names
    assert all(p.parent == tmp_path / "nb" / "seedance-media" and p.is_file() for p in moved)
    assert not old.exists()
    assert "moved" in caplog.text and "seedance-media" in caplog.text
    reopened.close()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="seedance_nb"):
        History(home).assets(uid)  # once: nothing left to move, nothing said
    assert "moved" not in caplog.text
