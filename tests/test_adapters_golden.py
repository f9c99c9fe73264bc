"""Golden tests: the exact JSON body each dialect sends for each generation mode."""

from __future__ import annotations

import pytest

from seedance_nb.materials import Material
from seedance_nb.providers import adapter_for
from seedance_nb.requests import ImageRequest, VideoRequest

A = "https://example.com/a.jpg"
B = "https://example.com/b.jpg"
C = "https://example.com/c.jpg"
V = "https://example.com/motion.mp4"
S = "https://example.com/music.mp3"


def img(url: str, role: str | None = None) -> Material:
    return Material.image(url, role=role)


VIDEO_CASES = {
    "text": dict(materials=[]),
    "first_frame": dict(materials=[img(A)]),
    "first_last_frame": dict(materials=[img(A), img(B)]),
    "multi_reference": dict(materials=[img(A), img(B), img(C)]),
    "multimodal": dict(materials=[img(A), Material.video(V), Material.audio(S)]),
}


def ark_items(mode: str) -> list[dict]:
    def item(kind: str, url: str, role: str) -> dict:
        return {"type": kind, kind: {"url": url}, "role": role}

    return {
        "text": [],
        "first_frame": [item("image_url", A, "first_frame")],
        "first_last_frame": [
            item("image_url", A, "first_frame"),
            item("image_url", B, "last_frame"),
        ],
        "multi_reference": [item("image_url", u, "reference_image") for u in (A, B, C)],
        "multimodal": [
            item("image_url", A, "reference_image"),
            item("video_url", V, "reference_video"),
            item("audio_url", S, "reference_audio"),
        ],
    }[mode]


@pytest.mark.parametrize("mode", list(VIDEO_CASES))
def test_ark_video_body(mode: str) -> None:
    request = VideoRequest(
        model="seedance-2.0",
        prompt="@1 walks",
        resolution="720p",
        ratio="16:9",
        duration=5,
        generate_audio=True,
        seed=7,
        **VIDEO_CASES[mode],
    )
    assert request.mode.value == mode
    call = adapter_for("ark").build_create(request, callback_url="http://127.0.0.1:9/cb/t")
    assert (call.method, call.path, call.idempotent) == (
        "POST",
        "/contents/generations/tasks",
        False,
    )
    assert call.json == {
        "model": "dreamina-seedance-2-0-260128",
        "content": [{"type": "text", "text": "@1 walks"}, *ark_items(mode)],
        "callback_url": "http://127.0.0.1:9/cb/t",
        "generate_audio": True,
        "seed": 7,
        "resolution": "720p",
        "ratio": "16:9",
        "duration": 5,
    }


def test_ark_volcengine_ids_and_draft_task() -> None:
    request = VideoRequest(
        model="seedance-1.5-pro", prompt="", draft_task_id="cgt-20260101000000-abcde"
    )
    call = adapter_for("ark", volcengine=True).build_create(request)
    assert call.json == {
        "model": "doubao-seedance-1-5-pro-251215",
        "content": [{"type": "draft_task", "draft_task": {"id": "cgt-20260101000000-abcde"}}],
    }


def test_ark_sends_the_dialect_id_the_user_named() -> None:
    request = VideoRequest(model="doubao-seedance-2-0-260128", prompt="x")
    assert adapter_for("ark").build_create(request).json["model"] == "doubao-seedance-2-0-260128"


def test_ark_image_bodies() -> None:
    t2i = ImageRequest(model="seedream-4.5", prompt="a lighthouse", size="2K", seed=3)
    i2i = ImageRequest(model="seedream-4.0", prompt="watercolor", images=[img(A)], size="2048x2048")
    ark = adapter_for("ark")
    assert ark.build_create(t2i).path == "/images/generations"
    assert ark.build_create(t2i).json == {
        "model": "seedream-4-5-251128",
        "prompt": "a lighthouse",
        "size": "2K",
        "seed": 3,
        "stream": False,
    }
    assert ark.build_create(i2i).json == {
        "model": "seedream-4-0-250828",
        "prompt": "watercolor",
        "image": A,
        "size": "2048x2048",
        "stream": False,
    }


@pytest.mark.parametrize("mode", list(VIDEO_CASES))
def test_maxapi_video_body(mode: str) -> None:
    request = VideoRequest(
        model="seedance-2.0", prompt="@1 walks", ratio="16:9", duration=8, **VIDEO_CASES[mode]
    )
    call = adapter_for("maxapi").build_create(request, callback_url="https://hook.example/x")
    urls = {
        "text": [],
        "first_frame": [A],
        "first_last_frame": [A, B],
        "multi_reference": [A, B, C],
        "multimodal": [A, V, S],
    }[mode]
    expected_input = {"prompt": "@1 walks", "ratio": "16:9", "duration": 8}
    if urls:
        expected_input["mediaUrls"] = urls
    assert (call.method, call.path) == ("POST", "/api/v1/task/submit")
    assert call.json == {
        "model": "seedance-2.0",
        "callBackUrl": "https://hook.example/x",
        "input": expected_input,
    }


def test_maxapi_image_body_matches_seed_002() -> None:
    request = ImageRequest(
        model="seedream-4.5",
        prompt="Transform to watercolor style",
        images=[img("https://example.com/photo.jpg")],
        ratio="16:9",
        resolution="2k",
    )
    call = adapter_for("maxapi").build_create(request, callback_url="https://example.com/webhook")
    assert call.json == {
        "model": "seedream-4.5",
        "callBackUrl": "https://example.com/webhook",
        "input": {
            "prompt": "Transform to watercolor style",
            "imageUrls": ["https://example.com/photo.jpg"],
            "ratio": "16:9",
            "resolution": "2k",
        },
    }


@pytest.mark.parametrize(
    ("materials", "mode", "media"),
    [
        ([], "text_to_video", {}),
        ([img(A)], "image_to_video", {"images": [A]}),
        ([img(A), img(B)], "first_last_frame", {"images": [A, B]}),
        ([img(A), img(B), img(C)], "multi_ref", {"images": [A, B, C]}),
    ],
)
def test_openai_route_body(materials: list, mode: str, media: dict) -> None:
    request = VideoRequest(
        model="seedance-2.0-fast",
        prompt="a calm ocean wave at sunrise, slow camera pan",
        ratio="16:9",
        duration=5,
        resolution="720p",
        route_mode="mix",
        materials=materials,
    )
    call = adapter_for("maxapi-openai").build_create(request)
    assert (call.method, call.path) == ("POST", "/v1/videos/generations")
    assert call.json == {
        "model": "model/seedance-2.0-fast-beta",
        "prompt": "a calm ocean wave at sunrise, slow camera pan",
        "ratio": "16:9",
        "duration": 5,
        "mode": mode,
        "resolution": "720p",
        "route_mode": "mix",
        **media,
    }


def test_ark_list_repeats_task_id_filter() -> None:
    from seedance_nb.status import Status

    call = adapter_for("ark").build_list(task_ids=["t1", "t2"], status=Status.QUEUED)
    assert call is not None
    assert call.params == (
        ("page_num", "1"),
        ("page_size", "100"),
        ("filter.status", "queued"),
        ("filter.task_ids", "t1"),
        ("filter.task_ids", "t2"),
    )


def test_cancel_only_where_documented() -> None:
    assert adapter_for("ark").build_cancel("t1").method == "DELETE"  # type: ignore[union-attr]
    assert adapter_for("maxapi").build_cancel("t1") is None
    assert adapter_for("maxapi-openai").build_cancel("t1") is None
