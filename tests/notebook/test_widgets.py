"""TaskCard traits follow the task; Cancel and media requests are events; Composer; Gallery."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from notebook_fakes import FakeManager, FakeTask

from seedance_nb.notebook import assets
from seedance_nb.notebook.composer import Composer
from seedance_nb.notebook.gallery import Gallery
from seedance_nb.notebook.task_card import TaskCard
from seedance_nb.requests import VideoRequest
from seedance_nb.status import Status


def sent(widget: Any) -> list[tuple[dict[str, Any], list[bytes]]]:
    """Capture what the widget sends to its views."""
    messages: list[tuple[dict[str, Any], list[bytes]]] = []
    widget.send = lambda content, buffers=None: messages.append((content, list(buffers or [])))
    return messages


def test_every_widget_loads_a_real_module() -> None:
    for name in ("task_card.js", "composer.js", "gallery.js", "style.css"):
        text = assets.path(name).read_text()
        assert text.strip()
        if name.endswith(".js"):
            assert "export default" in text


def test_card_follows_the_task(tmp_path: Path, media: dict[str, Path]) -> None:
    task = FakeTask(VideoRequest(prompt="a paper boat", duration=5))
    card = TaskCard(task)
    assert (card.status, card.running, card.model, card.mode) == (
        "submitting", True, "seedance-2.0", "text")  # fmt: skip
    assert card.prompt == "a paper boat" and card.cost.startswith("≈ $0.76")
    task.advance(id="cgt-1", status=Status.RUNNING, phase="polling", progress=0.4, elapsed=12.0)
    assert (card.task_id, card.status, card.progress, card.elapsed) == ("cgt-1", "running", 0.4, 12)
    video = Path(shutil.copy(media["video_1s"], tmp_path / "r.mp4"))
    task.succeed(video)
    assert card.status == "succeeded" and not card.running and card.progress == 1.0
    assert card.media == [
        {"index": 0, "kind": "video", "mime": "video/mp4", "name": "r.mp4", "url": ""}
    ]
    assert card.cost == "$0.76 (108,900 tokens)"
    messages = sent(card)
    card._on_message(card, {"event": "media", "index": 0}, [])
    [(content, buffers)] = messages
    assert content == {"event": "media", "index": 0, "mime": "video/mp4"}
    assert buffers == [video.read_bytes()]
    card.close()


def test_errors_are_shown_with_the_provider_code() -> None:
    task = FakeTask(VideoRequest(prompt="x"))
    card = TaskCard(task)
    task.advance(status=Status.FAILED, phase="done", error_code="InputTextSensitiveContentDetected",
                 error_message="the prompt was refused")  # fmt: skip
    assert card.error_code == "InputTextSensitiveContentDetected"
    assert card.error_message == "the prompt was refused"
    assert card.cancel_reason == "the task has failed"
    card.close()


def test_cancel_button(monkeypatch: pytest.MonkeyPatch) -> None:
    task = FakeTask(VideoRequest(prompt="x"))
    task.advance(id="cgt-2", status=Status.RUNNING, phase="polling")
    task.cancellable = False
    card = TaskCard(task)
    assert not card.can_cancel and "cannot cancel a running task" in card.cancel_reason
    card._on_message(card, {"event": "cancel"}, [])
    assert task.cancelled_calls == 0 and "cannot cancel" in card.notice
    task.cancellable = True
    task.advance(status=Status.QUEUED)
    assert card.can_cancel and card.cancel_reason == ""
    card._on_message(card, {"event": "cancel"}, [])
    assert task.cancelled_calls == 1 and card.status == "cancelled"
    card.close()


def test_composer_offers_only_what_the_model_supports() -> None:
    manager = FakeManager()
    composer = Composer("a fox", "seedance-2.0", manager=manager)
    assert "generate_audio" in composer.form["options"]
    assert "1080p" in composer.form["resolutions"]
    composer.options = {"resolution": "1080p", "duration": 5}
    composer.model = "seedance-2.0-fast"
    assert "1080p" not in composer.form["resolutions"]
    assert composer.options == {"duration": 5}  # the unsupported choice was reset, with a word
    assert composer.notices == [
        "resolution 1080p is not offered by seedance-2.0-fast (it offers 480p, 720p): "
        "set to default (720p)"
    ]
    composer.provider = "maxapi-openai"
    assert [m["name"] for m in composer.models] == ["seedance-2.0-fast"]
    assert composer.form["options"] == ["resolution", "ratio", "duration"]


def test_composer_checks_prices_and_submits(media: dict[str, Path]) -> None:
    manager = FakeManager()
    composer = Composer(manager=manager)
    assert composer.problems == []  # an empty prompt is not nagged about before Submit
    assert composer.submit() is None and composer.refused
    assert any(p["field"] == "prompt" for p in composer.problems)
    assert manager.submitted == []
    composer.prompt = "a paper boat"
    composer.options = {"resolution": "720p", "ratio": "16:9", "duration": 5}
    assert composer.problems == [] and "108,900 tokens" in composer.estimate
    composer._on_message(composer, {"event": "attach_path", "path": str(media["png"]),
                                    "role": "first_frame"}, [])  # fmt: skip
    [attachment] = composer.attachments
    assert attachment["role"] == "first_frame" and attachment["thumb"].startswith("data:image/jpeg")
    composer._on_message(composer, {"event": "attach_path", "path": "nope.png"}, [])
    assert composer.refused and "no file at 'nope.png'" in composer.message
    composer._on_message(composer, {"event": "submit", "key": composer.ticket}, [])
    [(request, provider)] = manager.submitted
    assert request.materials[0].role == "first_frame" and provider == "ark"
    assert composer.submitted == 1 and len(composer.cards.children) == 1
    composer._on_message(composer, {"event": "attach_file", "name": "a.png", "role": "auto"},
                         [media["png2"].read_bytes()])  # fmt: skip
    assert [a["name"] for a in composer.attachments] == ["frame.png", "a.png"]
    composer._on_message(composer, {"event": "remove", "index": 0}, [])
    assert [a["name"] for a in composer.attachments] == ["a.png"]


def test_composer_refusal_is_visible() -> None:
    manager = FakeManager()
    composer = Composer("a wave", "seedance-2.0", options={"duration": 99}, manager=manager)
    assert composer.options == {}  # 99 s is not offered, so it is not kept, and it says so
    [notice] = composer.notices
    assert notice.startswith("duration 99 is not offered by seedance-2.0")
    composer.options = {"seed": "abc"}
    composer.submit()
    assert composer.refused and "not sent" in composer.message
    assert any(p["field"] == "seed" for p in composer.problems)
    assert manager.submitted == []


def _history(**filters: Any) -> pd.DataFrame:
    rows = [
        {"uid": 1, "id": "cgt-1", "provider": "ark", "kind": "video", "model": "seedance-2.0",
         "prompt": "a fox in snow", "params": '{"duration": 5, "seed": 1}', "tags": ("fox",),
         "status": "succeeded", "files": (), "error_code": None,
         "submitted_at": pd.Timestamp("2026-05-28T10:00Z")},
        {"uid": 2, "id": "cgt-2", "provider": "ark", "kind": "video", "model": "seedance-2.0",
         "prompt": "a fox in rain", "params": '{"duration": 5, "seed": 2}', "tags": (),
         "status": "failed", "files": (), "error_code": "X",
         "submitted_at": pd.Timestamp("2026-05-28T11:00Z")},
    ]  # fmt: skip
    table = pd.DataFrame(rows)
    if filters.get("text"):
        table = table[table["prompt"].str.contains(filters["text"])]
    if filters.get("tag"):
        table = table[table["tags"].map(lambda tags: filters["tag"] in tags)]
    return table


def test_gallery_shows_what_differs_and_filters() -> None:
    manager = FakeManager()
    gallery = Gallery(frame=_history, manager=manager)
    assert [i["uid"] for i in gallery.items] == [1, 2]
    assert [i["diff"] for i in gallery.items] == [{"seed": 1}, {"seed": 2}]
    assert gallery.tags == ["fox"] and gallery.models == ["seedance-2.0"]
    gallery.text = "rain"
    assert [i["uid"] for i in gallery.items] == [2]
    gallery.text = ""
    gallery.tag = "fox"
    assert [i["uid"] for i in gallery.items] == [1]


def test_gallery_fork_opens_a_filled_composer() -> None:
    manager = FakeManager()
    gallery = Gallery(frame=_history, manager=manager)
    composer = gallery.fork(1)
    assert composer.prompt == "a fox in snow" and composer.options == {"duration": 5, "seed": 1}
    assert len(gallery.below.children) == 1


def test_gallery_rerun_shows_a_card_for_the_new_task() -> None:
    manager = FakeManager()
    original = manager.submit(VideoRequest(prompt="a fox in snow", duration=5, seed=1))
    original.id = "cgt-1"  # the history row of uid 1 below
    gallery = Gallery(frame=_history, manager=manager)
    task = gallery.rerun(1)
    assert task.parent_id == original.id and task.request.seed == 1
    [card] = gallery.below.children
    assert card.task is task
    card.close()


def test_composer_from_request_keeps_options_and_materials() -> None:
    request = VideoRequest(
        model="seedance-2.0-fast", prompt="@1 waves", duration=5, ratio="16:9",
        materials=["https://example.com/a.png"],
    )  # fmt: skip
    composer = Composer.from_request(request, manager=FakeManager())
    assert (composer.model, composer.prompt) == ("seedance-2.0-fast", "@1 waves")
    assert composer.options == {"duration": 5, "ratio": "16:9"}
    assert [a["name"] for a in composer.attachments] == ["https://example.com/a.png"]
    assert composer.request().materials[0].url_or_none == "https://example.com/a.png"
