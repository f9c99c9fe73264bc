"""The OpenAI-style route of seed 003: /v1/videos/generations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from seedance_nb.simulator import ManualClock, Simulator

from .builders import QUEUE, RUN, data_url, png_bytes, probe

ROUTE = "/v1/videos/generations"
MODEL = "model/seedance-2.0-fast-beta"
IMG = "https://example.com/a.png"


def body(**fields: Any) -> dict[str, Any]:
    return {
        "model": MODEL,
        "prompt": "a calm wave",
        "ratio": "16:9",
        "duration": 4,
        "mode": "text_to_video",
        "resolution": "480p",
        **fields,
    }


async def test_create_and_poll(client: httpx.AsyncClient, clock: ManualClock) -> None:
    response = await client.post(ROUTE, json=body(route_mode="mix"))
    assert response.status_code == 200
    created = response.json()
    assert created["status"] == "queued" and created["model"] == MODEL
    assert isinstance(created["created_at"], int)
    task_id = created["task_id"]
    first = (await client.get(f"{ROUTE}/{task_id}")).json()
    assert first == {
        "task_id": task_id,
        "status": "queued",
        "model": MODEL,
        "created_at": created["created_at"],
        "updated_at": created["created_at"],
        "video_url": None,
        "expires_at": None,
        "error": None,
    }
    clock.advance(QUEUE + 0.1)
    assert (await client.get(f"{ROUTE}/{task_id}")).json()["status"] == "running"
    clock.advance(RUN)
    done = (await client.get(f"{ROUTE}/{task_id}")).json()
    assert done["status"] == "succeeded"
    assert "/sim/media/cdn/" in done["video_url"]
    assert done["expires_at"] == done["updated_at"] + 7 * 86400
    media = await client.get(done["video_url"])
    info = probe(media.content)
    assert (info["width"], info["height"]) == (864, 496)


async def test_mirror_delivery(client: httpx.AsyncClient, clock: ManualClock) -> None:
    task_id = (await client.post(ROUTE, json=body(asset_delivery="mirror"))).json()["task_id"]
    clock.advance(10)
    url = (await client.get(f"{ROUTE}/{task_id}")).json()["video_url"]
    assert "/sim/media/mirror/" in url
    assert (await client.get(url)).status_code == 200


async def test_image_to_video_uses_the_image(client: httpx.AsyncClient, clock: ManualClock) -> None:
    green = data_url(png_bytes((20, 200, 40), (640, 360)))
    task_id = (await client.post(ROUTE, json=body(mode="image_to_video", images=[green]))).json()[
        "task_id"
    ]
    clock.advance(10)
    url = (await client.get(f"{ROUTE}/{task_id}")).json()["video_url"]
    pixel = probe((await client.get(url)).content)["first_frame"][248, 432]
    assert (
        abs(int(pixel[0]) - 20) < 8 and abs(int(pixel[1]) - 200) < 8 and abs(int(pixel[2]) - 40) < 8
    )


REFUSED = [
    ("text with an image", {"images": [IMG]}),
    ("image_to_video without image", {"mode": "image_to_video"}),
    ("first_last_frame with one", {"mode": "first_last_frame", "images": [IMG]}),
    ("multi_ref without images", {"mode": "multi_ref"}),
    ("multi_ref with ten", {"mode": "multi_ref", "images": [IMG] * 10}),
    (
        "video outside multi_ref",
        {"mode": "image_to_video", "images": [IMG], "videos": ["https://x/v.mp4"]},
    ),
    ("1080p", {"resolution": "1080p"}),
    ("duration 16", {"duration": 16}),
    ("ratio", {"ratio": "2:1"}),
    ("mode", {"mode": "video_to_video"}),
    ("route_mode", {"route_mode": "cheap"}),
    ("asset_delivery", {"asset_delivery": "cdn"}),
    ("images type", {"mode": "multi_ref", "images": IMG}),
]


@pytest.mark.parametrize("fields", [f for _, f in REFUSED], ids=[n for n, _ in REFUSED])
async def test_refused(client: httpx.AsyncClient, sim: Simulator, fields: dict[str, Any]) -> None:
    response = await client.post(ROUTE, json=body(**fields))
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "code"}
    assert sim.tasks_created() == 0


async def test_multi_ref_with_media(client: httpx.AsyncClient) -> None:
    fields = {
        "mode": "multi_ref",
        "images": [IMG] * 3,
        "videos": ["https://x/v.mp4"],
        "audios": ["https://x/a.mp3"],
    }
    assert (await client.post(ROUTE, json=body(**fields))).status_code == 200


async def test_unknown_model_task_and_key(client: httpx.AsyncClient) -> None:
    assert (await client.post(ROUTE, json=body(model="seedance-2.0"))).status_code == 404
    missing = await client.get(f"{ROUTE}/vgt_nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "task_not_found"
    client.headers.pop("Authorization")
    denied = await client.post(ROUTE, json=body())
    assert denied.status_code == 401 and denied.json()["error"]["type"] == "authentication_error"


async def test_output_moderation_and_cancel(client: httpx.AsyncClient, clock: ManualClock) -> None:
    moderated = (await client.post(ROUTE, json=body(prompt="[sim:output_moderation] x"))).json()[
        "task_id"
    ]
    other = (await client.post(ROUTE, json=body())).json()["task_id"]
    await client.post("/sim/control/cancel", json={"task_id": other})
    clock.advance(10)
    failed = (await client.get(f"{ROUTE}/{moderated}")).json()
    assert failed["status"] == "failed" and failed["error"]["code"] and failed["video_url"] is None
    assert (await client.get(f"{ROUTE}/{other}")).json()["status"] == "canceled"


async def test_null_optional_fields(client: httpx.AsyncClient, clock: ManualClock) -> None:
    nulls = dict.fromkeys(
        [
            "ratio",
            "duration",
            "mode",
            "resolution",
            "route_mode",
            "asset_delivery",
            "images",
            "videos",
            "audios",
            "callback_url",
        ]
    )
    response = await client.post(ROUTE, json={"model": MODEL, "prompt": "x", **nulls})
    assert response.status_code == 200, response.text
    clock.advance(10)
    done = (await client.get(f"{ROUTE}/{response.json()['task_id']}")).json()
    assert done["status"] == "succeeded"
    info = probe((await client.get(done["video_url"])).content)
    assert (info["width"], info["height"]) == (1280, 720) and abs(info["seconds"] - 5) < 0.05
