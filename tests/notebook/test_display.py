"""Outputs are updated in place: a static output (last known state, then the result) and the
live card beside it until the task has settled."""

from __future__ import annotations

import json
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
    shown, live = first.outputs
    display_id, live_id = shown.transient["display_id"], live.transient["display_id"]
    task = shell.user_ns["t"]
    # The first output never holds a widget view: saved mid-task and reopened without its
    # kernel, it shows the last known state and the line that brings it up to date.
    assert display.WIDGET_MIME not in shown.data
    assert "seedance-pending" in shown.data["text/html"]
    assert "%seedance show" in shown.data["text/html"]
    assert live.data[display.WIDGET_MIME]["model_id"]  # the live card, beside it

    # A status change while running updates the last known state only.
    with capture_output() as running:
        task.advance(status=Status.RUNNING)
    [update] = [o for o in running.outputs if o.update]
    assert update.transient["display_id"] == display_id
    assert "<b>running</b>" in update.data["text/html"]

    # Settling in the background publishes at once (live frontends) ...
    video = Path(shutil.copy(media["video_1s"], tmp_path / "boat.mp4"))
    with capture_output() as background:
        task.succeed(video)
    result, emptied = background.outputs
    assert result.update and result.transient["display_id"] == display_id
    assert display.WIDGET_MIME not in result.data
    assert "<video controls" in result.data["text/html"]
    assert "seedance-pending" not in result.data["text/html"]
    assert result.data["image/jpeg"]  # the poster, as its own mime type
    assert "[video](boat.mp4)" in result.data["text/markdown"]
    assert result.metadata["seedance_nb"]["files"] == ["boat.mp4"]
    # ... the card's output is emptied (a view with no model: Lab hides it) ...
    assert emptied.transient["display_id"] == live_id
    assert emptied.data[display.WIDGET_MIME]["model_id"] == ""

    # ... and again from the next cell, which a headless runner does see.
    with capture_output() as after:
        shell.run_cell("2 + 2").raise_error()
    again, emptied_again = [o for o in after.outputs if o.update]
    assert again.transient["display_id"] == display_id
    assert again.metadata["seedance_nb"]["status"] == "succeeded"
    assert emptied_again.transient["display_id"] == live_id

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
    assert len(shown.outputs) == 4 and first != second  # each: static output and live card
    with capture_output() as refreshed:
        task.advance(status=Status.FAILED, phase="done", error_code="E1", error_message="no")
        display.refresh(task)
    ids = [o.transient["display_id"] for o in refreshed.outputs if o.update]
    assert ids.count(first) >= 1 and ids.count(second) >= 1
    assert all("E1" in o.data["text/html"] for o in refreshed.outputs if "text/html" in o.data)


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


@pytest.mark.parametrize(
    ("status", "code"),
    [(Status.FAILED, "OutputVideoSensitiveContentDetected"), (Status.CANCELLED, None),
     (Status.EXPIRED, None)],
)  # fmt: skip
def test_tasks_that_end_without_a_result_get_a_static_form(
    shell: Any, manager: FakeManager, status: Status, code: str | None
) -> None:
    with capture_output() as first:
        shell.run_cell("%%seedance -o t\na wave").raise_error()
    task = shell.user_ns["t"]
    with capture_output() as ended:
        task.advance(status=status, phase="done", error_code=code, error_message="it ended")
    result, emptied = ended.outputs
    assert display.WIDGET_MIME not in result.data
    html = result.data["text/html"]
    assert status.value in html and "it ended" in html and "seedance-pending" not in html
    assert (code or "") in html and (code or "") in result.data["text/markdown"]
    assert "no charge reported" in html and "estimated" not in html  # what was charged
    assert emptied.data[display.WIDGET_MIME]["model_id"] == ""
    assert len(first.outputs) == 2


def test_settled_results_in_any_folder_are_static(
    shell: Any,
    manager: FakeManager,
    media: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(static, "EMBED_LIMIT", 16)  # linked, not embedded
    folder = tmp_path / "seedance-media"
    folder.mkdir(parents=True)
    video = Path(shutil.copy(media["video_1s"], folder / "v.mp4"))
    shell.run_cell_magic("seedance", "-o t", "a wave")
    task = shell.user_ns["t"]
    task.succeed(video)
    data, metadata = display.mimebundle(task)
    assert display.WIDGET_MIME not in data
    assert 'src="seedance-media/v.mp4"' in data["text/html"]
    assert metadata["seedance_nb"]["files"] == ["seedance-media/v.mp4"]
    assert str(tmp_path) not in json.dumps([data, metadata])  # nothing local or absolute


def test_a_settled_result_without_a_price_shows_its_tokens_not_a_free_charge() -> None:
    from types import SimpleNamespace

    from seedance_nb.notebook.static import charged
    from seedance_nb.status import Status

    billed = SimpleNamespace(status=Status.SUCCEEDED, phase="done", cost=None, tokens=40594)
    assert charged(billed) == "40,594 tokens (no price known)"
    unbilled = SimpleNamespace(status=Status.FAILED, phase="done", cost=None, tokens=None)
    assert charged(unbilled) == "no charge reported"
