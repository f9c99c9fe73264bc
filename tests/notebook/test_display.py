"""Outputs are updated in place: live card first, static result once the task has settled."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from IPython.utils.capture import capture_output
from notebook_fakes import FakeManager

from seedance_nb.notebook import display, static
from seedance_nb.status import Status


def test_settling_turns_the_output_into_the_static_result(
    shell: Any, manager: FakeManager, media: dict[str, Path], tmp_path: Path
) -> None:
    with capture_output() as first:
        shell.run_cell("%%seedance -o t\na paper boat").raise_error()
    [shown] = first.outputs
    display_id = shown.transient["display_id"]
    task = shell.user_ns["t"]

    # A status change while running re-renders nothing (the live card shows it).
    with capture_output() as running:
        task.advance(status=Status.RUNNING)
        shell.run_cell("1 + 1").raise_error()
    assert [o for o in running.outputs if o.update] == []

    # Settling in the background publishes at once (live frontends) ...
    video = Path(shutil.copy(media["video_1s"], tmp_path / "boat.mp4"))
    with capture_output() as background:
        task.succeed(video)
    [update] = background.outputs
    assert update.update and update.transient["display_id"] == display_id
    assert display.WIDGET_MIME not in update.data
    assert "<video controls" in update.data["text/html"]
    assert update.metadata["seedance_nb"]["files"] == ["boat.mp4"]

    # ... and again from the next cell, which a headless runner does see.
    with capture_output() as after:
        shell.run_cell("2 + 2").raise_error()
    [again] = [o for o in after.outputs if o.update]
    assert again.transient["display_id"] == display_id
    assert again.metadata["seedance_nb"]["status"] == "succeeded"

    # Nothing left to flush: later cells publish nothing.
    with capture_output() as quiet:
        shell.run_cell("3 + 3").raise_error()
    assert [o for o in quiet.outputs if o.update] == []


def test_every_display_of_a_task_is_refreshed(shell: Any, manager: FakeManager) -> None:
    shell.run_cell_magic("seedance", "-o t", "a wave")
    task = shell.user_ns["t"]
    with capture_output() as shown:
        first = display.show(task)
        second = display.show(task)
    assert len(shown.outputs) == 2 and first != second
    with capture_output() as refreshed:
        task.advance(status=Status.FAILED, phase="done", error_code="E1", error_message="no")
        display.refresh(task)
    ids = [o.transient["display_id"] for o in refreshed.outputs if o.update]
    assert ids.count(first) >= 1 and ids.count(second) >= 1
    assert "E1" in refreshed.outputs[-1].data["text/html"]


def test_embed_option_is_remembered(
    shell: Any,
    manager: FakeManager,
    media: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(static, "EMBED_LIMIT", 16)  # every file counts as big
    video = Path(shutil.copy(media["video_1s"], tmp_path / "v.mp4"))
    shell.run_cell_magic("seedance", "-o plain", "a wave")
    shell.run_cell_magic("seedance", "-o embedded --embed", "a wave")
    plain, embedded = shell.user_ns["plain"], shell.user_ns["embedded"]
    plain.succeed(video)
    embedded.succeed(video)
    assert 'src="v.mp4"' in display.mimebundle(plain)[0]["text/html"]
    assert 'src="data:video/mp4;base64,' in display.mimebundle(embedded)[0]["text/html"]


def test_files_the_server_cannot_serve_keep_the_card(
    shell: Any, manager: FakeManager, media: dict[str, Path], tmp_path: Path
) -> None:
    hidden = tmp_path / ".seedance" / "media"
    hidden.mkdir(parents=True)
    video = Path(shutil.copy(media["video_1s"], hidden / "v.mp4"))
    shell.run_cell_magic("seedance", "-o t", "a wave")
    task = shell.user_ns["t"]
    task.succeed(video)
    data, metadata = display.mimebundle(task)
    assert display.WIDGET_MIME in data  # Jupyter answers 404 for hidden folders
    assert metadata["seedance_nb"]["files"] == [".seedance/media/v.mp4"]
