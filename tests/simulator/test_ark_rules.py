"""ModelArk create validation: what is refused, with which code, status and param."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from seedance_nb.simulator import ManualClock

from .builders import (
    ARK_TASKS,
    V10,
    V10_FAST,
    V15,
    V20_FAST,
    ark_body,
    create_ark,
    data_url,
    get_ark,
    image_item,
    png_bytes,
)

IMG = "https://example.com/a.png"
VIDEO = {
    "type": "video_url",
    "video_url": {"url": "https://example.com/v.mp4"},
    "role": "reference_video",
}
AUDIO = {
    "type": "audio_url",
    "audio_url": {"url": "https://example.com/a.mp3"},
    "role": "reference_audio",
}
TEXT = {"type": "text", "text": "x"}

REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("no model", {"model": None}, "model"),
    ("fast has no 1080p", {"model": V20_FAST, "resolution": "1080p"}, "resolution"),
    ("unknown resolution", {"resolution": "2k"}, "resolution"),
    ("unknown ratio", {"ratio": "2:1"}, "ratio"),
    ("2.0 duration too long", {"duration": 16}, "duration"),
    ("2.0 duration too short", {"duration": 3}, "duration"),
    ("1.0 has no auto duration", {"model": V10, "duration": -1}, "duration"),
    ("1.5 duration max 12", {"model": V15, "duration": 13}, "duration"),
    ("frames not on 2.0", {"frames": 121}, "frames"),
    ("frames not on 1.5", {"model": V15, "frames": 121}, "frames"),
    ("frames must be 25+4n", {"model": V10, "frames": 120}, "frames"),
    ("frames range", {"model": V10, "frames": 293}, "frames"),
    ("seed too large", {"seed": 2**32}, "seed"),
    ("seed below -1", {"seed": -2}, "seed"),
    ("expiry too short", {"execution_expires_after": 3599}, "execution_expires_after"),
    ("expiry too long", {"execution_expires_after": 259201}, "execution_expires_after"),
    ("priority above 9", {"priority": 10}, "priority"),
    ("priority only on 2.0", {"model": V15, "priority": 3}, "priority"),
    ("flex not on 2.0", {"service_tier": "flex"}, "service_tier"),
    ("draft only on 1.5", {"draft": True}, "draft"),
    ("draft is 480p only", {"model": V15, "draft": True, "resolution": "720p"}, "resolution"),
    (
        "draft without last frame",
        {"model": V15, "draft": True, "return_last_frame": True},
        "return_last_frame",
    ),
    ("draft without flex", {"model": V15, "draft": True, "service_tier": "flex"}, "service_tier"),
    ("camera_fixed not on 2.0", {"camera_fixed": True}, "camera_fixed"),
    ("boolean must be boolean", {"watermark": "yes"}, "watermark"),
    ("integer must be integer", {"duration": 5.0}, "duration"),
    ("tools only on 2.0", {"model": V15, "tools": [{"type": "web_search"}]}, "tools"),
    ("safety identifier length", {"safety_identifier": "x" * 65}, "safety_identifier"),
    ("1.0 adaptive needs an image", {"model": V10, "ratio": "adaptive"}, "ratio"),
    ("missing content", {"content": None}, "content"),
    ("empty content", {"content": []}, "content"),
    ("unknown content type", {"content": [{"type": "pdf"}]}, "content[0].type"),
    ("bad image role", {"content": [TEXT, image_item(IMG, "background")]}, "content[1].role"),
    (
        "image without url",
        {"content": [TEXT, {"type": "image_url", "image_url": {}}]},
        "content[1].image_url.url",
    ),
    ("audio alone", {"content": [TEXT, AUDIO]}, "content"),
    ("video on 1.5", {"model": V15, "content": [TEXT, image_item(IMG), VIDEO]}, "content[2].type"),
    (
        "references on 1.0",
        {"model": V10, "content": [TEXT, image_item(IMG, "reference_image")]},
        "content[1].role",
    ),
    (
        "last frame on 1.0 fast",
        {
            "model": V10_FAST,
            "content": [TEXT, image_item(IMG, "first_frame"), image_item(IMG, "last_frame")],
        },
        "content",
    ),
    ("last frame needs first", {"content": [TEXT, image_item(IMG, "last_frame")]}, "content"),
    (
        "frames mixed with references",
        {"content": [TEXT, image_item(IMG, "first_frame"), image_item(IMG, "reference_image")]},
        "content",
    ),
    ("ten images", {"content": [TEXT] + [image_item(IMG, "reference_image")] * 10}, "content"),
    ("four videos", {"content": [TEXT, image_item(IMG)] + [VIDEO] * 4}, "content"),
    ("callback must be http", {"callback_url": "ftp://x"}, "callback_url"),
]


@pytest.mark.parametrize(
    ("fields", "param"), [(f, p) for _, f, p in REFUSED], ids=[r[0] for r in REFUSED]
)
async def test_refused_with_400(
    client: httpx.AsyncClient, fields: dict[str, Any], param: str
) -> None:
    response = await client.post(ARK_TASKS, json=ark_body(**fields))
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == param
    assert error["type"] == "BadRequest"
    assert error["code"] in ("InvalidParameter", "MissingParameter")
    assert f"Request id: {response.headers['X-Request-Id']}" in error["message"]


async def test_unknown_model_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post(ARK_TASKS, json=ark_body(model="seedance-9"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "InvalidEndpointOrModel.NotFound"


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        ARK_TASKS, content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "InvalidParameter"


async def test_input_moderation_directive_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(ARK_TASKS, json=ark_body(text="[sim:moderation] x"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InputTextSensitiveContentDetected"


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        ("data:image/png;base64,%%%", "base64"),
        (data_url(b"not an image"), "decoded"),
        (data_url(png_bytes(size=(200, 200))), "300"),
        (data_url(png_bytes(size=(1200, 400))), "aspect"),
    ],
)
async def test_readable_images_are_checked(
    client: httpx.AsyncClient, payload: str, why: str
) -> None:
    body = ark_body(content=[TEXT, image_item(payload, "first_frame")])
    response = await client.post(ARK_TASKS, json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "content[1].image_url" and why in error["message"]


async def test_accepted_combinations(client: httpx.AsyncClient) -> None:
    combos = [
        [TEXT, image_item(IMG), AUDIO],  # image + audio
        [TEXT, VIDEO],  # video alone
        [VIDEO, AUDIO],  # video + audio, no text
        [TEXT] + [image_item(IMG, "reference_image")] * 9 + [VIDEO] * 3 + [AUDIO] * 3,
        [image_item(IMG, "first_frame"), image_item(IMG, "last_frame")],
        [TEXT, image_item(IMG), image_item(IMG)],  # two unmarked images: first and last frame
    ]
    for content in combos:
        response = await client.post(ARK_TASKS, json=ark_body(content=content))
        assert response.status_code == 200, (content, response.text)
    # The seed-001 example: camera_fixed false and watermark true on 2.0 are fine.
    seed_001 = ark_body(camera_fixed=False, watermark=True, generate_audio=True, ratio="16:9")
    assert (await client.post(ARK_TASKS, json=seed_001)).status_code == 200


async def test_draft_then_final_video(client: httpx.AsyncClient, clock: ManualClock) -> None:
    draft_id = await create_ark(client, ark_body(model=V15, draft=True, resolution=None, seed=11))
    early = await client.post(
        ARK_TASKS,
        json={"model": V15, "content": [{"type": "draft_task", "draft_task": {"id": draft_id}}]},
    )
    assert early.status_code == 400  # the draft is not finished yet
    clock.advance(10)
    draft = await get_ark(client, draft_id)
    assert draft["draft"] is True and draft["resolution"] == "480p"
    final_body = {
        "model": V15,
        "content": [{"type": "draft_task", "draft_task": {"id": draft_id}}],
        "resolution": "720p",
    }
    final_id = await create_ark(client, final_body)
    clock.advance(10)
    final = await get_ark(client, final_id)
    assert final["draft_task_id"] == draft_id and final["draft"] is False
    assert final["resolution"] == "720p" and final["seed"] == 11
