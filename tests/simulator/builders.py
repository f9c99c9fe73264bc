"""Request builders, a media probe and uploads shared by the simulator tests."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
from PIL import Image

ARK_TASKS = "/api/v3/contents/generations/tasks"
V20 = "dreamina-seedance-2-0-260128"
V20_FAST = "dreamina-seedance-2-0-fast-260128"
V15 = "seedance-1-5-pro-251215"
V10 = "seedance-1-0-pro-250528"
V10_FAST = "seedance-1-0-pro-fast-251015"
QUEUE, RUN = 1.0, 2.0


def ark_body(model: str = V20, text: str = "a red fox", **fields: Any) -> dict[str, Any]:
    """A small valid ModelArk create body (480p, 4 s) with ``fields`` on top."""
    body: dict[str, Any] = {
        "model": model,
        "content": [{"type": "text", "text": text}],
        "resolution": "480p",
        "duration": 4,
    }
    body.update(fields)
    return body


def png_bytes(
    color: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (640, 360)
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def image_item(url: str, role: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "image_url", "image_url": {"url": url}}
    if role is not None:
        item["role"] = role
    return item


async def create_ark(client: httpx.AsyncClient, body: dict[str, Any]) -> str:
    response = await client.post(ARK_TASKS, json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def get_ark(client: httpx.AsyncClient, task_id: str) -> dict[str, Any]:
    response = await client.get(f"{ARK_TASKS}/{task_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def upload(client: httpx.AsyncClient, data: bytes, content_type: str) -> str:
    response = await client.post(
        "/sim/uploads", content=data, headers={"Content-Type": content_type}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["url"])


def probe(data: bytes) -> dict[str, Any]:
    """What PyAV sees in an MP4: codec, size, rate, frames, seconds, audio codecs, first frame."""
    import av

    with av.open(io.BytesIO(data)) as container:
        video = container.streams.video[0]
        info: dict[str, Any] = {
            "codec": video.codec_context.name,
            "width": video.width,
            "height": video.height,
            "fps": float(video.average_rate),
            "frames": video.frames,
            "seconds": float(video.duration * video.time_base),
            "audio": [s.codec_context.name for s in container.streams.audio],
            "audio_channels": [s.codec_context.channels for s in container.streams.audio],
        }
        frame = next(container.decode(video=0))
        info["first_frame"] = frame.to_ndarray(format="rgb24")
    return info
