"""Reading the materials of a request that the simulator can see (data URLs, its own files)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from .assets import AssetStore
from .materials import BadDataUrl, fetch_local
from .media import image_size, media_duration


@dataclass
class Seen:
    """A material the simulator could read. Remote URLs are never fetched, so never Seen."""

    data: bytes
    content_type: str
    size: tuple[int, int] | None = None  # images
    duration: float | None = None  # videos and audio


class Unreadable(ValueError):
    """A data URL or a simulator file that is not what it claims to be."""


async def look(assets: AssetStore, url: str, kind: str, now: float) -> Seen | None:
    try:
        fetched = await fetch_local(assets, url, now)
    except BadDataUrl as exc:
        raise Unreadable(str(exc)) from exc
    if fetched is None:
        return None
    data, content_type = fetched
    seen = Seen(data=data, content_type=content_type)
    if kind == "image":
        seen.size = image_size(data)
        if seen.size is None:
            raise Unreadable("cannot be decoded as an image")
    else:
        seen.duration = await asyncio.to_thread(media_duration, data)
        if seen.duration is None:
            raise Unreadable(f"cannot be decoded as {kind}")
    return seen


def image_problem(size: tuple[int, int], nbytes: int) -> str | None:
    """ModelArk's image limits (FACTS §1.2): < 30 MB, sides 300–6000 px, aspect in (0.4, 2.5)."""
    width, height = size
    if nbytes >= 30 * 1024 * 1024:
        return "image must be smaller than 30 MB"
    if not (300 <= width <= 6000 and 300 <= height <= 6000):
        return f"image sides must be within [300, 6000] px, got {width}x{height}"
    if not 0.4 < width / height < 2.5:
        return f"image aspect ratio must be within (0.4, 2.5), got {width}x{height}"
    return None
