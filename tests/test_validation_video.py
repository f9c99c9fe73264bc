"""Seedance validation: what is accepted, and how refusals are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from seedance_nb import errors
from seedance_nb.materials import Material
from seedance_nb.requests import VideoRequest
from seedance_nb.validation import Problem, check, needs_url, validate

IMG, IMG2 = "https://example.com/a.jpg", "https://example.com/b.png"
VID, AUD = "https://example.com/m.mp4", "https://example.com/m.wav"


@pytest.mark.parametrize(
    ("provider", "kwargs"),
    [
        (
            "ark",
            dict(
                model="seedance-2.0",
                resolution="1080p",
                ratio="21:9",
                duration=-1,
                seed=4294967295,
                generate_audio=False,
                watermark=True,
                return_last_frame=True,
                execution_expires_after=3600,
                priority=9,
                safety_identifier="a" * 64,
                callback_url="https://example.com/hook",
                camera_fixed=False,
            ),
        ),
        ("ark", dict(model="seedance-2.0-fast", materials=[IMG, IMG2, IMG, VID, AUD], duration=15)),
        ("ark", dict(model="seedance-2.0", prompt="", materials=[IMG])),  # text is optional here
        ("ark", dict(model="seedance-1.5-pro", draft=True, resolution="480p", generate_audio=True)),
        ("ark", dict(model="seedance-1.5-pro", draft_task_id="cgt-1", service_tier="flex")),
        ("ark", dict(model="seedance-1.5-pro", materials=[IMG, IMG2], camera_fixed=True)),
        ("ark", dict(model="seedance-1.0-pro", frames=289, service_tier="default")),
        ("ark", dict(model="seedance-1.0-pro", materials=[IMG], ratio="adaptive", duration=2)),
        ("ark", dict(model="seedance-1.0-pro-fast", materials=[IMG], resolution="1080p")),
        ("ark", dict(model="doubao-seedance-2-0-260128", tools=["web_search"])),
        ("maxapi", dict(model="seedance-1.5-pro", duration=10, materials=[IMG, IMG2])),
        ("maxapi", dict(model="seedance-2.0-fast", ratio="9:16", fallback=False)),
        (
            "maxapi",
            dict(model="seedance-2.0", callback_url="https://hooks.example.com/x", materials=[VID]),
        ),
        (
            "maxapi-openai",
            dict(
                model="seedance-2.0-fast",
                route_mode="official-cheap",
                asset_delivery="mirror",
                ratio="21:9",
                duration=4,
                resolution="480p",
            ),
        ),
        ("maxapi-openai", dict(model="model/seedance-2.0-fast-beta", materials=[IMG, VID])),
    ],
)
def test_accepted(provider: str, kwargs: dict) -> None:
    kwargs.setdefault("prompt", "a calm ocean wave at sunrise")
    assert check(VideoRequest(**kwargs), provider) == []


def test_local_media_on_ark(media: dict[str, Path]) -> None:
    image = VideoRequest(prompt="x", materials=[media["png"], media["jpeg"]])
    assert check(image, "ark") == []  # images travel inline as data URLs
    refs = VideoRequest(
        prompt="@1 moves like @2 to @3",
        materials=[media["webp"], media["video_8s"], Material.audio(media["audio_6s_mp3"])],
    )
    assert [p.field for p in check(refs, "ark")] == ["materials[1]", "materials[2]"]
    assert check(refs, "ark", will_upload=True) == []


def test_needs_url_per_dialect(media: dict[str, Path]) -> None:
    local_image, local_video = Material.of(media["png"]), Material.of(media["video_2s"])
    remote = Material.of(VID)
    assert not needs_url(local_image, "ark")
    assert needs_url(local_video, "ark")
    assert needs_url(local_image, "maxapi") and needs_url(local_image, "maxapi-openai")
    assert not any(needs_url(remote, p) for p in ("ark", "maxapi", "maxapi-openai"))


def test_tools_need_volcengine() -> None:
    request = VideoRequest(prompt="news of today", tools=["web_search"])
    assert [p.field for p in check(request, "ark")] == ["tools"]
    assert check(request, "ark", volcengine=True) == []


def test_every_problem_is_reported_at_once() -> None:
    request = VideoRequest(
        model="seedance-2.0-fast",
        prompt="@4",
        materials=[IMG],
        resolution="1080p",
        duration=20,
        frames=30,
        seed=-5,
        service_tier="flex",
    )
    fields = [p.field for p in check(request, "ark")]
    assert fields == ["prompt", "resolution", "duration", "frames", "service_tier", "seed"]


def test_material_rules_come_in_seed_000_order(media: dict[str, Path]) -> None:
    materials = [IMG] * 10 + [media["video_8s"], media["video_8s_b"], media["audio_16s"]]
    request = VideoRequest(prompt="x", materials=materials)
    rules = [p.rule for p in check(request, "maxapi", will_upload=True) if p.field == "materials"]
    assert rules[0].startswith("at most 12 materials")
    assert "at most 9 image" in rules[1]
    assert rules[2].startswith("total video duration is 16.0 s")
    assert rules[3].startswith("total audio duration is 16.0 s")


def test_fields_the_dialect_drops_are_not_reported_twice() -> None:
    request = VideoRequest(model="seedance-2.0", prompt="x", frames=57, draft=True)
    problems = check(request, "maxapi")
    assert [p.field for p in problems] == ["frames", "draft"]
    assert all("maxapi cannot carry" in p.rule for p in problems)


def test_validate_raises_the_package_error() -> None:
    with pytest.raises(errors.ValidationError) as info:
        validate(VideoRequest(model="seedance-2.0-fast", prompt="x", resolution="1080p"), "ark")
    assert isinstance(info.value, errors.SeedanceError) and isinstance(info.value, ValueError)
    assert str(info.value.problems[0]) == (
        "resolution: seedance-2.0-fast does not offer 1080p. "
        "Fix: use 720p or 480p, or model seedance-2.0 or seedance-1.0-pro"
    )
    assert validate(VideoRequest(prompt="x"), "ark") is None


def test_problem_text() -> None:
    assert str(Problem("ratio", "bad", "use 16:9")) == "ratio: bad. Fix: use 16:9"


def test_references_count_positions_and_kinds() -> None:
    ok = VideoRequest(
        prompt="@1 with @image2 and @video1, mail me@2x.example", materials=[IMG, IMG2, VID]
    )
    assert check(ok, "ark") == []
    bad = VideoRequest(prompt="@audio1 plays", materials=[IMG, VID])
    assert [p.field for p in check(bad, "ark")] == ["prompt"]
