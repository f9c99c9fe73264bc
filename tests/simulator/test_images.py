"""Seedream on ModelArk: synchronous image generation with real PNGs."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import httpx
import pytest
from PIL import Image

from seedance_nb.simulator import ManualClock, Simulator

from .builders import data_url, png_bytes

IMAGES = "/api/v3/images/generations"
S40, S45, S50 = "seedream-4-0-250828", "seedream-4-5-251128", "doubao-seedream-5-0-260128"


def body(**fields: Any) -> dict[str, Any]:
    return {"model": S40, "prompt": "a lighthouse", "size": "1K", **fields}


async def fetch_png(client: httpx.AsyncClient, url: str) -> Image.Image:
    response = await client.get(url)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    return Image.open(io.BytesIO(response.content))


async def test_tier_size_gives_a_real_png(client: httpx.AsyncClient, sim: Simulator) -> None:
    response = await client.post(IMAGES, json=body())
    assert response.status_code == 200
    result = response.json()
    assert result["model"] == S40 and isinstance(result["created"], int)
    assert result["data"][0]["size"] == "1024x1024"
    assert result["usage"] == {"generated_images": 1, "output_tokens": 4096, "total_tokens": 4096}
    image = await fetch_png(client, result["data"][0]["url"])
    assert image.size == (1024, 1024)
    assert sim.tasks_created("ark-images") == 1


async def test_explicit_size_and_null_optionals(client: httpx.AsyncClient) -> None:
    nulls = dict.fromkeys(
        ["image", "seed", "sequential_image_generation", "response_format", "watermark", "stream"]
    )
    response = await client.post(IMAGES, json=body(size="1280x720", model=S45, **nulls))
    assert response.status_code == 400  # 1280x720 is below 1024x1024 pixels
    response = await client.post(IMAGES, json=body(size="1600x900", model=S45, **nulls))
    assert response.status_code == 200, response.text
    item = response.json()["data"][0]
    assert item["size"] == "1600x900"
    assert (await fetch_png(client, item["url"])).size == (1600, 900)


async def test_default_size_is_2048(client: httpx.AsyncClient) -> None:
    response = await client.post(IMAGES, json={"model": S50, "prompt": "x"})
    assert response.json()["data"][0]["size"] == "2048x2048"
    assert response.json()["usage"]["output_tokens"] == 16384


async def test_b64_json(client: httpx.AsyncClient) -> None:
    response = await client.post(IMAGES, json=body(response_format="b64_json"))
    item = response.json()["data"][0]
    assert "url" not in item
    image = Image.open(io.BytesIO(base64.b64decode(item["b64_json"])))
    assert image.format == "PNG" and image.size == (1024, 1024)


async def test_group_generation_and_reference_aspect(client: httpx.AsyncClient) -> None:
    wide = data_url(png_bytes(size=(1600, 900)))
    response = await client.post(
        IMAGES,
        json=body(
            size="2K",
            image=[wide, "https://example.com/b.png"],
            sequential_image_generation="auto",
            sequential_image_generation_options={"max_images": 3},
        ),
    )
    result = response.json()
    assert [item["size"] for item in result["data"]] == ["2560x1440"] * 3
    assert result["usage"]["generated_images"] == 3


async def test_output_moderation_in_a_group_fails_one_image(client: httpx.AsyncClient) -> None:
    response = await client.post(
        IMAGES,
        json=body(
            prompt="[sim:output_moderation] x",
            sequential_image_generation="auto",
            sequential_image_generation_options={"max_images": 2},
        ),
    )
    data = response.json()["data"]
    assert "url" in data[0] and data[1]["error"]["code"] == "OutputImageSensitiveContentDetected"
    assert response.json()["usage"]["generated_images"] == 1
    single = await client.post(IMAGES, json=body(prompt="[sim:output_moderation] x"))
    assert single.status_code == 400


async def test_stream_sends_events(client: httpx.AsyncClient) -> None:
    response = await client.post(IMAGES, json=body(stream=True))
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [
        json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: {")
    ]
    assert [e["type"] for e in events] == [
        "image_generation.partial_succeeded",
        "image_generation.completed",
    ]
    assert events[1]["usage"]["generated_images"] == 1


REFUSED = [
    ("1K not on 4.5", {"model": S45, "size": "1K"}, "size"),
    ("size shape", {"size": "big"}, "size"),
    ("area too large", {"size": "5000x4000"}, "size"),
    ("aspect beyond 16", {"size": "8000x400"}, "size"),
    ("too many references", {"image": ["https://example.com/a.png"] * 15}, "image"),
    (
        "references plus outputs over 15",
        {
            "image": ["https://example.com/a.png"] * 10,
            "sequential_image_generation": "auto",
            "sequential_image_generation_options": {"max_images": 6},
        },
        "sequential_image_generation_options.max_images",
    ),
    ("max_images range", {"sequential_image_generation_options": {"max_images": 16}}, "max_images"),
    ("response_format", {"response_format": "base64"}, "response_format"),
    ("no prompt", {"prompt": None}, "prompt"),
    ("seed range", {"seed": 2**31}, "seed"),
    ("video model", {"model": "dreamina-seedance-2-0-260128"}, "model"),
]


@pytest.mark.parametrize(
    ("fields", "param"), [(f, p) for _, f, p in REFUSED], ids=[r[0] for r in REFUSED]
)
async def test_refused(client: httpx.AsyncClient, fields: dict[str, Any], param: str) -> None:
    response = await client.post(IMAGES, json=body(**fields))
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param


async def test_unknown_model_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post(IMAGES, json=body(model="seedream-9"))
    assert response.status_code == 404


async def test_image_urls_expire_after_24_hours(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    url = (await client.post(IMAGES, json=body())).json()["data"][0]["url"]
    clock.advance(86400 + 1)
    response = await client.get(url)
    assert response.status_code == 403 and b"AccessDenied" in response.content
