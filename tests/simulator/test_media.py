"""The media is real: PyAV opens the videos, Pillow the images, and they match the request."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from seedance_nb.simulator import ManualClock, Simulator, SimulatorConfig

from .builders import (
    V10,
    V15,
    V20,
    ark_body,
    create_ark,
    data_url,
    get_ark,
    image_item,
    png_bytes,
    probe,
    upload,
)


async def finished(
    client: httpx.AsyncClient, clock: ManualClock, body: dict[str, Any]
) -> dict[str, Any]:
    task_id = await create_ark(client, body)
    clock.advance(10)
    task = await get_ark(client, task_id)
    assert task["status"] == "succeeded"
    return task


async def test_video_is_h264_at_the_documented_size(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    task = await finished(
        client, clock, ark_body(model=V20, ratio="9:16", duration=4, return_last_frame=True)
    )
    response = await client.get(task["content"]["video_url"])
    assert response.headers["content-type"] == "video/mp4"
    info = probe(response.content)
    assert info["codec"] == "h264"
    assert (info["width"], info["height"]) == (496, 864)
    assert info["fps"] == 24
    assert abs(info["seconds"] - 4) <= 1 / 24 + 1e-6
    assert info["audio"] == ["aac"] and info["audio_channels"] == [1]
    last = await client.get(task["content"]["last_frame_url"])
    assert last.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(last.content)).size == (496, 864)


@pytest.mark.parametrize(
    ("model", "fields", "audio"),
    [
        (V20, {"generate_audio": False}, []),
        (V15, {}, ["aac"]),
        (V10, {}, []),  # the 1.0 series is silent
    ],
)
async def test_audio_track_iff_audio(
    client: httpx.AsyncClient,
    clock: ManualClock,
    model: str,
    fields: dict[str, Any],
    audio: list[str],
) -> None:
    task = await finished(client, clock, ark_body(model=model, **fields))
    info = probe((await client.get(task["content"]["video_url"])).content)
    assert info["audio"] == audio


async def test_frames_give_the_length(client: httpx.AsyncClient, clock: ManualClock) -> None:
    task = await finished(
        client, clock, ark_body(model=V10, duration=None, frames=57, ratio="21:9")
    )
    info = probe((await client.get(task["content"]["video_url"])).content)
    assert (info["width"], info["height"]) == (960, 416)  # the 1.0 series table
    assert info["frames"] == 57 and abs(info["seconds"] - 57 / 24) < 1e-6


async def test_first_frame_is_the_given_image(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    blue = data_url(png_bytes((30, 60, 220), (800, 800)))
    body = ark_body(
        model=V15,
        ratio="adaptive",
        content=[{"type": "text", "text": "x"}, image_item(blue, "first_frame")],
    )
    task = await finished(client, clock, body)
    assert task["ratio"] == "1:1"
    frame = probe((await client.get(task["content"]["video_url"])).content)["first_frame"]
    assert frame.shape == (640, 640, 3)
    mean = frame.reshape(-1, 3).mean(axis=0)
    assert all(abs(m - c) < 6 for m, c in zip(mean, (30, 60, 220), strict=True))


async def test_last_frame_chains_into_the_next_video(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    first = await finished(client, clock, ark_body(model=V15, return_last_frame=True, ratio="16:9"))
    last_url = first["content"]["last_frame_url"]
    body = ark_body(model=V15, ratio="adaptive", content=[image_item(last_url, "first_frame")])
    second = await finished(client, clock, body)
    assert second["ratio"] == "16:9"
    last_png = np.asarray(
        Image.open(io.BytesIO((await client.get(last_url)).content)).convert("RGB")
    )
    frame = probe((await client.get(second["content"]["video_url"])).content)["first_frame"]
    assert frame.shape == last_png.shape
    assert np.abs(frame.astype(int) - last_png.astype(int)).mean() < 4


async def test_media_expires_after_a_day(client: httpx.AsyncClient, clock: ManualClock) -> None:
    task = await finished(client, clock, ark_body())
    clock.advance(86400)
    expired = await client.get(task["content"]["video_url"])
    assert expired.status_code == 403
    assert (
        expired.headers["content-type"].startswith("application/xml")
        and b"<Code>AccessDenied" in expired.content
    )


async def test_unknown_media_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/sim/media/tos/nothing.mp4")).status_code == 404
    assert (await client.get("/sim/media/cdn/nothing.mp4")).status_code == 404


async def test_ranges_and_head(client: httpx.AsyncClient, clock: ManualClock) -> None:
    task = await finished(client, clock, ark_body())
    url = task["content"]["video_url"]
    whole = (await client.get(url)).content
    head = await client.head(url)
    assert int(head.headers["content-length"]) == len(whole)
    part = await client.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == whole[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(whole)}"
    tail = await client.get(url, headers={"Range": "bytes=-5"})
    assert tail.content == whole[-5:]


async def test_uploads_become_served_urls(client: httpx.AsyncClient, clock: ManualClock) -> None:
    red = png_bytes((220, 20, 20), (480, 480))
    url = await upload(client, red, "image/png")
    assert url.startswith("http://sim/sim/media/") and url.endswith(".png")
    fetched = await client.get(url)
    assert fetched.content == red and fetched.headers["content-type"] == "image/png"
    task = await finished(
        client,
        clock,
        ark_body(model=V20, ratio="adaptive", content=[image_item(url, "first_frame")]),
    )
    frame = probe((await client.get(task["content"]["video_url"])).content)["first_frame"]
    assert abs(float(frame[..., 0].mean()) - 220) < 6 and task["ratio"] == "1:1"


async def test_media_dir_keeps_files(tmp_path: Path, clock: ManualClock) -> None:
    folder = tmp_path / "media"
    sim = Simulator(SimulatorConfig(clock=clock, media_dir=folder, queue_seconds=0, run_seconds=0))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sim.app),
        base_url="http://sim",
        headers={"Authorization": "Bearer k"},
    ) as client:
        task = await finished(client, clock, ark_body())
        data = (await client.get(task["content"]["video_url"])).content
    files = list(folder.iterdir())
    assert len(files) == 1 and files[0].read_bytes() == data
