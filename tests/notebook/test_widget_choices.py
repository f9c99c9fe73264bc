"""The Composer never drops a choice silently, offers each model's real options, and a click
(Submit, Re-run, Fork) sends one create however many events it makes; the Gallery plays."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from notebook_fakes import FakeManager

from seedance_nb.notebook.composer import Composer
from seedance_nb.notebook.gallery import Gallery
from seedance_nb.requests import VideoRequest


def test_a_model_change_keeps_what_the_new_model_takes_and_names_what_it_cannot() -> None:
    composer = Composer("a fox", "seedance-2.0", manager=FakeManager())
    composer.options = {"resolution": "1080p", "ratio": "21:9", "duration": 8, "seed": 7}
    composer.model = "seedance-2.0-fast"
    assert composer.options == {"ratio": "21:9", "duration": 8}
    assert composer.notices[0] == (
        "resolution 1080p is not offered by seedance-2.0-fast (it offers 480p, 720p): "
        "set to default (720p)"
    )
    assert "seed 7: kept with seedance-2.0" in composer.notices[1]
    # The seed is the model's own: it comes back with its model, with everything else chosen there.
    composer.model = "seedance-2.0"
    assert composer.options == {"resolution": "1080p", "ratio": "21:9", "duration": 8, "seed": 7}
    assert composer.request().resolution == "1080p"


def test_video_values_stay_with_the_video_model_when_an_image_model_is_chosen() -> None:
    composer = Composer("a fox", "seedance-2.0", manager=FakeManager())
    composer.options = {"duration": -1, "seed": 3}
    composer.model = "seedream-4.5"
    assert composer.options == {}
    assert composer.notices == [
        "duration -1, seed 3: kept with seedance-2.0 for when you choose it again, "
        "not carried to seedream-4.5"
    ]
    composer.options = {"seed": 11}
    composer.model = "seedance-2.0"
    assert composer.options == {"duration": -1, "seed": 3}
    composer.model = "seedream-4.5"
    assert composer.options == {"seed": 11}


def test_seedream_offers_sizes_tiers_and_image_counts() -> None:
    composer = Composer("a fox", "seedream-4.5", manager=FakeManager())
    form = composer.form
    assert form["options"] == ["size", "ratio", "resolution", "seed", "n"]
    sizes = [value for value, _label in form["choices"]["size"]]
    assert {"2K", "4K", "2048x2048", "2848x1600"} <= set(sizes)
    assert ["2848x1600", "2848x1600 (16:9, 2K)"] in form["choices"]["size"]
    assert [v for v, _ in form["choices"]["resolution"]] == ["2K", "4K"]
    assert form["blank"] == {
        "size": "default (2048x2048)", "ratio": "default (1:1)", "resolution": "default (2K)",
    }  # fmt: skip
    assert all("?" not in label for label in form["blank"].values())
    assert form["n_range"] == [1, 15]
    composer.options = {"size": "2848x1600", "n": 2}
    assert composer.problems == []
    assert f"{2 * 2848 * 1600 // 256:,} tokens · no price known" in composer.estimate
    composer.options = {"ratio": "16:9", "resolution": "4K"}
    assert composer.problems == [] and composer.request().resolution == "4k"
    # maxapi takes ratio and resolution only: no size control there.
    composer.provider = "maxapi"
    assert "size" not in composer.form["options"]
    assert [v for v, _ in composer.form["choices"]["resolution"]] == ["2k", "4k"]


def test_auto_duration_reads_in_words() -> None:
    form = Composer("x", "seedance-2.0", manager=FakeManager()).form
    assert form["choices"]["duration"][0] == [-1, "auto (the model chooses)"]


def test_two_submit_events_of_one_click_send_one_task() -> None:
    manager = FakeManager()
    composer = Composer("a paper boat", "seedance-2.0-fast", manager=manager)
    key = composer.ticket
    click = {"event": "submit", "key": key}
    composer._on_message(composer, click, [])
    composer._on_message(composer, click, [])  # the same click, delivered twice
    assert len(manager.submitted) == 1 and composer.submitted == 1
    assert composer.ticket != key  # the view is given a new key: its button is enabled again
    composer._on_message(composer, {"event": "submit"}, [])  # no key: not a click of this view
    assert len(manager.submitted) == 1
    composer._on_message(composer, {"event": "submit", "key": composer.ticket}, [])
    assert len(manager.submitted) == 2  # a new click is a new task


def test_a_refused_submit_hands_out_a_new_ticket_too() -> None:
    composer = Composer("", manager=FakeManager())
    key = composer.ticket
    composer._on_message(composer, {"event": "submit", "key": key}, [])
    assert composer.refused and composer.ticket != key


def _history(files: tuple[str, ...] = ()) -> Any:
    def frame(**filters: Any) -> pd.DataFrame:
        rows = [
            {"uid": 5, "id": "cgt-5", "provider": "ark", "kind": "video", "model": "seedance-2.0",
             "prompt": "a fox in snow", "params": '{"duration": 5, "seed": 1}',
             "tags": ("grid-ab12",), "status": "succeeded", "files": files, "error_code": None,
             "submitted_at": pd.Timestamp("2026-05-28T10:00Z")},
        ]  # fmt: skip
        return pd.DataFrame(rows)

    return frame


def _gallery_with_parent() -> tuple[Gallery, FakeManager]:
    manager = FakeManager()
    original = manager.submit(VideoRequest(prompt="a fox in snow", duration=5, seed=1))
    original.id = "cgt-5"
    return Gallery(frame=_history(), manager=manager), manager


def test_two_rerun_events_of_one_click_send_one_task() -> None:
    gallery, manager = _gallery_with_parent()
    click = {"event": "rerun", "uid": 5, "key": gallery.ticket}
    gallery._on_message(gallery, click, [])
    gallery._on_message(gallery, click, [])
    assert len(manager.submitted) == 2  # the parent, and one re-run
    fork = {"event": "fork", "uid": 5, "key": gallery.ticket}
    gallery._on_message(gallery, fork, [])
    gallery._on_message(gallery, fork, [])
    assert len(gallery.below.children) == 2  # one card, one Composer
    for child in gallery.below.children:
        child.close()


def test_a_rerun_keeps_its_parents_tags_and_messages_name_the_task() -> None:
    gallery, _manager = _gallery_with_parent()
    task = gallery.rerun(5)
    assert "grid-ab12" in task.tags
    assert gallery.message == "re-ran “a fox in snow” (task cgt-5)"
    assert "#5" not in gallery.message
    gallery.below.children[0].close()


def test_clicking_a_thumbnail_sends_the_result_to_play(
    tmp_path: Path, media: dict[str, Path]
) -> None:
    video = Path(shutil.copy(media["video_1s"], tmp_path / "r.mp4"))
    gallery = Gallery(frame=_history((str(video),)), manager=FakeManager())
    [item] = gallery.items
    assert item["playable"] and item["thumb"].startswith("data:image/jpeg")
    messages: list[tuple[dict[str, Any], list[bytes]]] = []
    gallery.send = lambda content, buffers=None: messages.append((content, list(buffers or [])))
    gallery._on_message(gallery, {"event": "play", "uid": 5}, [])
    [(content, buffers)] = messages
    assert content == {"event": "play", "uid": 5, "mime": "video/mp4"}
    assert buffers == [video.read_bytes()]


def test_the_card_shows_the_options_and_the_seed() -> None:
    from notebook_fakes import FakeTask

    from seedance_nb.notebook.task_card import TaskCard

    request = VideoRequest(prompt="x", resolution="720p", ratio="16:9", duration=5, seed=42,
                           generate_audio=False)  # fmt: skip
    card = TaskCard(FakeTask(request))
    assert card.options == "720p · 16:9 · 5 s · seed 42 · silent"
    card.close()
    auto = TaskCard(FakeTask(VideoRequest(prompt="x", duration=-1)))
    assert auto.options == "duration chosen by the model"
    auto.close()


def test_the_time_estimate_says_its_basis_in_plain_words() -> None:
    from seedance_nb.lifecycle.progress import Durations

    durations = Durations()
    params = {"resolution": "720p", "duration": 5}
    seconds, basis = durations.typical("seedance-2.0-fast", "video", params)
    assert basis == (
        "a rough guess, as this history has no finished runs of seedance-2.0-fast at 720p, 5 s yet"
    )
    for taken in (50.0, 70.0, 90.0):
        durations.add("seedance-2.0-fast", "video", params, taken)
    durations.add("seedance-2.0-fast", "video", {**params, "duration": 10}, 400.0)
    seconds, basis = durations.typical("seedance-2.0-fast", "video", params)
    assert seconds == 70.0  # the 10 s run is another kind: it does not count here
    assert basis == "the median of 3 earlier runs of seedance-2.0-fast at 720p, 5 s in this history"
    assert "(" not in basis


def test_a_failed_rerun_names_the_task_not_a_row_number() -> None:
    gallery = Gallery(frame=_history(), manager=FakeManager())  # the manager never saw cgt-5

    def refuse(ident: Any, **_: Any) -> Any:
        from seedance_nb.errors import ConfigError

        raise ConfigError("task #5 has no request to send again")

    gallery._manager.rerun = refuse
    gallery._on_message(gallery, {"event": "rerun", "uid": 5, "key": gallery.ticket}, [])
    assert gallery.message == (
        "Re-run of “a fox in snow” (task cgt-5) failed: this task has no request to send again"
    )


def test_the_card_shows_tokens_when_no_price_is_known() -> None:
    from notebook_fakes import FakeTask

    from seedance_nb.cost import Estimate
    from seedance_nb.notebook.task_card import TaskCard

    task = FakeTask(VideoRequest(prompt="x"))
    task.estimate = Estimate(108_900, None, None, ())
    card = TaskCard(task)
    assert card.cost == "≈ 108,900 tokens (no price known)"
    task.advance(tokens=107_000)
    assert card.cost == "107,000 tokens (no price known)"
    card.close()


def test_each_choice_is_priced_where_the_region_has_a_price(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SEEDANCE_BASE_URL", "volcengine")
    monkeypatch.setenv("ARK_API_KEY", "k-test")
    composer = Composer("a fox", "seedance-2.0", manager=FakeManager())
    composer.options = {"ratio": "16:9", "duration": 5}
    prices = composer.prices
    assert prices["resolution"]["720p"] == "≈ ¥5.01"  # 108,900 tokens at ¥46 / M
    assert prices["duration"]["10"].startswith("≈ ¥")
    assert composer.estimate.startswith("≈ ¥5.01")
    monkeypatch.setenv("SEEDANCE_BASE_URL", "byteplus")
    on_byteplus = Composer("a fox", "seedance-2.0", manager=FakeManager())
    assert on_byteplus.prices == {}  # no BytePlus price: no choice is shown as free
