"""Request models: modes, roles, sizes, records, and parsing every body the seed documents show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import seed_bodies

from seedance_nb import errors
from seedance_nb.materials import Material
from seedance_nb.modes import Mode
from seedance_nb.requests import ImageRequest, VideoRequest
from seedance_nb.validation import check

IMG, IMG2, IMG3 = (f"https://example.com/{n}.jpg" for n in ("a", "b", "c"))
VID, AUD = "https://example.com/m.mp4", "https://example.com/m.mp3"


@pytest.mark.parametrize(
    ("body", "mode"),
    list(zip(seed_bodies.SEED_000, seed_bodies.SEED_000_MODES, strict=True)),
)
def test_seed_000_bodies_parse_and_validate(body: dict, mode: str) -> None:
    request = VideoRequest.from_maxapi_body(body)
    assert request.mode.value == mode
    assert check(request, "maxapi") == []


def test_seed_000_first_body_keeps_every_field() -> None:
    request = VideoRequest.from_maxapi_body(seed_bodies.SEED_000[0])
    assert (request.model, request.resolution, request.ratio, request.duration) == (
        "seedance-2.0",
        "1080p",
        "16:9",
        5,
    )
    assert request.fallback is True
    assert request.callback_url == "https://example.com/webhook"


@pytest.mark.parametrize("body", [seed_bodies.SEED_001, seed_bodies.SEED_004], ids=["001", "004"])
def test_ark_seed_bodies_parse_and_validate(body: dict) -> None:
    request = VideoRequest.from_ark_body(body)
    assert check(request, "ark") == []
    roles = [m.role for m in request.resolved_materials()]
    assert roles == [item["role"] for item in body["content"][1:]]
    assert request.prompt == body["content"][0]["text"]


def test_seed_004_is_multimodal_and_001_multi_reference() -> None:
    assert VideoRequest.from_ark_body(seed_bodies.SEED_004).mode is Mode.MULTIMODAL
    assert VideoRequest.from_ark_body(seed_bodies.SEED_001).mode is Mode.MULTI_REFERENCE


def test_seed_002_body_parses_and_validates() -> None:
    request = ImageRequest.from_maxapi_body(seed_bodies.SEED_002)
    assert request.mode is Mode.IMAGE_TO_IMAGE
    assert (request.ratio, request.resolution) == ("16:9", "2k")
    assert check(request, "maxapi") == []


def test_seed_003_body_parses_and_validates() -> None:
    request = VideoRequest.from_openai_body(seed_bodies.SEED_003)
    assert request.mode is Mode.TEXT
    assert check(request, "maxapi-openai") == []


def test_openai_body_mode_must_match_media() -> None:
    body = {**seed_bodies.SEED_003, "mode": "image_to_video"}
    with pytest.raises(errors.ValidationError) as info:
        VideoRequest.from_openai_body(body)
    assert info.value.problems[0].field == "mode"


def test_ark_body_accepts_sdk_nulls_and_draft_task() -> None:
    body = {
        "model": "seedance-1-5-pro-251215",
        "content": [{"type": "draft_task", "draft_task": {"id": "cgt-20260101000000-abcde"}}],
        "callback_url": None,
        "seed": None,
        "resolution": "720p",
    }
    request = VideoRequest.from_ark_body(body)
    assert request.draft_task_id == "cgt-20260101000000-abcde"
    assert request.mode is Mode.DRAFT
    assert check(request, "ark") == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"model": "x", "content": [], "colour": 1}, "colour"),
        ({"model": "x", "content": [{"type": "gif_url"}]}, "content[0].type"),
        (
            {
                "model": "x",
                "content": [{"type": "image_url", "image_url": {"url": IMG}, "role": "hero"}],
            },
            "content[0].role",
        ),
    ],
)
def test_ark_body_refuses_unknown_shapes(body: dict, field: str) -> None:
    with pytest.raises(errors.ValidationError) as info:
        VideoRequest.from_ark_body(body)
    assert field in [p.field for p in info.value.problems]


def test_maxapi_body_refuses_unknown_input_key() -> None:
    body = {"model": "seedance-2.0", "input": {"prompt": "x", "seed": 1}}
    with pytest.raises(errors.ValidationError) as info:
        VideoRequest.from_maxapi_body(body)
    assert info.value.problems[0].field == "input.seed"


def test_ark_image_body() -> None:
    body = {
        "model": "seedream-4-0-250828",
        "prompt": "a series of four posters",
        "image": IMG,
        "size": "2K",
        "sequential_image_generation": "auto",
        "sequential_image_generation_options": {"max_images": 4},
        "response_format": "url",
        "watermark": False,
        "stream": False,
    }
    request = ImageRequest.from_ark_body(body)
    assert (request.sequential, request.max_images, len(request.images)) == ("auto", 4, 1)
    assert check(request, "ark") == []
    with pytest.raises(errors.ValidationError):
        ImageRequest.from_ark_body({**body, "stream": True})


@pytest.mark.parametrize(
    ("materials", "mode"),
    [
        ([], Mode.TEXT),
        ([IMG], Mode.FIRST_FRAME),
        ([IMG, IMG2], Mode.FIRST_LAST_FRAME),
        ([IMG, IMG2, IMG3], Mode.MULTI_REFERENCE),
        ([IMG, AUD], Mode.MULTIMODAL),
        ([VID], Mode.MULTIMODAL),
        ([Material.image(IMG, role="reference_image")], Mode.MULTI_REFERENCE),
        ([Material.image(IMG, role="first_frame"), IMG2], Mode.FIRST_LAST_FRAME),
    ],
)
def test_mode_follows_seed_000_table_and_explicit_roles(materials: list, mode: Mode) -> None:
    assert VideoRequest(prompt="x", materials=materials).mode is mode


def test_resolved_materials_fill_roles_first_frame_first() -> None:
    request = VideoRequest(prompt="x", materials=[Material.image(IMG, role="last_frame"), IMG2])
    resolved = request.resolved_materials()
    assert [(m.role, m.url_or_none) for m in resolved] == [
        ("first_frame", IMG2),
        ("last_frame", IMG),
    ]
    multimodal = VideoRequest(prompt="x", materials=[IMG, VID, AUD]).resolved_materials()
    assert [m.role for m in multimodal] == ["reference_image", "reference_video", "reference_audio"]


@pytest.mark.parametrize(
    ("kwargs", "provider", "size"),
    [
        ({"resolution": "720p", "ratio": "16:9"}, "ark", (1280, 720)),
        ({"model": "seedance-2.0", "ratio": "adaptive"}, "ark", None),
        ({"model": "seedance-2.0"}, "ark", None),  # default ratio is adaptive
        ({"model": "seedance-1.0-pro"}, "ark", (1920, 1088)),  # 1080p 16:9, 1.0 table
        ({"model": "seedance-1.0-pro", "materials": [IMG]}, "ark", None),  # i2v: adaptive
        ({"model": "seedance-2.0"}, "maxapi", (1280, 720)),
        ({"model": "seedance-1.5-pro", "resolution": "480p", "ratio": "21:9"}, "ark", (992, 432)),
    ],
)
def test_video_output_size(kwargs: dict, provider: str, size: tuple | None) -> None:
    assert VideoRequest(prompt="x", **kwargs).output_size(provider) == size


@pytest.mark.parametrize(
    ("kwargs", "provider", "size"),
    [
        ({}, "ark", (2048, 2048)),
        ({"size": "2560x1440"}, "ark", (2560, 1440)),
        ({"model": "seedream-4.0", "ratio": "16:9", "resolution": "2K"}, "ark", (2560, 1440)),
        ({"ratio": "16:9", "resolution": "2k"}, "maxapi", (2848, 1600)),
        ({"size": "4k"}, "ark", (4096, 4096)),
        ({}, "maxapi", (2048, 2048)),
    ],
)
def test_image_output_size(kwargs: dict, provider: str, size: tuple) -> None:
    assert ImageRequest(prompt="x", **kwargs).output_size(provider) == size


def test_typo_is_refused_with_the_field_name_and_a_suggestion() -> None:
    with pytest.raises(errors.ValidationError) as info:
        VideoRequest(prompt="x", durration=5)
    problem = info.value.problems[0]
    assert problem.field == "durration"
    assert "'duration'" in problem.fix


def test_wrong_type_is_a_validation_error() -> None:
    with pytest.raises(errors.ValidationError) as info:
        VideoRequest(prompt="x", duration="five")
    assert info.value.problems[0].field == "duration"


def test_with_changes_makes_a_new_validated_request() -> None:
    base = VideoRequest(prompt="x", materials=[IMG], tags=["a"])
    changed = base.with_changes(duration=8, parent_id="t1")
    assert (changed.duration, changed.parent_id, changed.tags) == (8, "t1", ["a"])
    assert base.duration is None
    with pytest.raises(errors.ValidationError):
        base.with_changes(colour="red")


def test_case_is_normalised() -> None:
    assert VideoRequest(prompt="x", resolution="720P").resolution == "720p"
    image = ImageRequest(prompt="x", size="2k", resolution=None)
    assert image.size == "2K"
    assert ImageRequest(prompt="x", resolution="2K").resolution == "2k"


def test_tools_accept_wire_shape() -> None:
    assert VideoRequest(prompt="x", tools=[{"type": "web_search"}]).tools == ["web_search"]


def test_record_summary_and_repr_never_hold_content(media: dict[str, Path]) -> None:
    raw = media["png"].read_bytes()
    request = VideoRequest(
        prompt="Blow out candles", materials=[Material.image(raw), media["png2"]], duration=5
    )
    record = request.to_record()
    text = json.dumps(record)
    assert "base64" not in text and len(text) < 1000
    assert record["mode"] == "first_last_frame"
    assert record["materials"][0] == {
        "kind": "image",
        "role": "first_frame",
        "source": f"<{len(raw)} bytes>",
        "local": True,
    }
    assert "base64" not in request.summary() + repr(request)
    assert request.summary().startswith("seedance-2.0 · first_last_frame · 5s")
    assert repr(ImageRequest(prompt="p")) == "ImageRequest(model='seedream-4.5', prompt='p')"


def test_image_request_roles_and_kind() -> None:
    request = ImageRequest(prompt="x", images=[IMG])
    assert request.kind == "image" and request.mode is Mode.IMAGE_TO_IMAGE
    assert request.resolved_materials()[0].role == "reference_image"
    assert ImageRequest(prompt="x").to_record()["mode"] == "text_to_image"
