"""Task API input rules (seeds 000 and 002, FACTS §7).

The documents say a request that fails validation becomes a task whose ``failure_reason`` is
INVALID_PARAMETERS, so these rules return a problem (a string) instead of raising; the route
turns it into a failed task. The media rules are checked in the documented order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .assets import AssetStore
from .inputs import Seen, Unreadable, look
from .materials import kind_of, served_name
from .media import ImagePlan, VideoPlan, color_for
from .tables import (
    FPS,
    MAXAPI_IMAGE_MODELS,
    MAXAPI_IMAGE_RATIOS,
    MAXAPI_IMAGE_RESOLUTIONS,
    MAXAPI_VIDEO_RATIOS,
    PIXELS_V2,
    RESOLUTIONS,
    VideoFamily,
    closest_ratio,
    seedream_size,
)
from .values import is_int


class Problem(ValueError):
    """Why the task fails with INVALID_PARAMETERS."""


@dataclass
class Material:
    url: str
    kind: str
    seen: Seen | None = None


@dataclass
class Materials:
    items: list[Material] = field(default_factory=list)

    def of(self, kind: str) -> list[Material]:
        return [m for m in self.items if m.kind == kind]


async def read_materials(assets: AssetStore, urls: Any, now: float, *, limit: int) -> Materials:
    if urls is None:
        return Materials()
    if not isinstance(urls, list) or not all(isinstance(u, str) and u for u in urls):
        raise Problem("mediaUrls must be a list of URLs")
    if not 1 <= len(urls) <= limit:
        raise Problem(f"mediaUrls must hold 1 to {limit} material URLs")
    out = Materials()
    for url in urls:
        content_type = None
        name = served_name(url)
        asset = assets.get(name) if name else None
        if asset is not None:
            content_type = asset.content_type
        # The extension (or data URL type) decides; an unknown one is taken as an image.
        kind = kind_of(url, content_type) or "image"
        try:
            seen = await look(assets, url, kind, now)
        except Unreadable as exc:
            raise Problem(f"material {url[:60]} {exc}") from exc
        out.items.append(Material(url, kind, seen))
    return out


def _total(items: list[Material]) -> float:
    return sum(m.seen.duration or 0.0 for m in items if m.seen is not None)


async def check_video(
    assets: AssetStore, model: str, family: VideoFamily, data: dict[str, Any], now: float
) -> VideoPlan:
    urls = data.get("mediaUrls") if data.get("mediaUrls") is not None else data.get("imageUrls")
    materials = await read_materials(assets, urls, now, limit=12)
    images, videos, audios = materials.of("image"), materials.of("video"), materials.of("audio")
    if len(images) > 9:
        raise Problem("at most 9 images")
    if _total(videos) > 15.05:
        raise Problem("total video duration must be 15 s or less")
    if _total(audios) > 15.05:
        raise Problem("total audio duration must be 15 s or less")
    if (videos or audios) and not family.multimodal:
        raise Problem(f"video and audio materials are not supported by {model}")
    if not family.multimodal and len(images) > 2:
        raise Problem(f"{model} takes at most 2 images (first/last frame)")
    prompt = data.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise Problem("prompt must be a string")
    duration = data["duration"] if data.get("duration") is not None else 5
    allowed = range(4, 16) if family.multimodal else (5, 10)
    if not is_int(duration) or duration not in allowed:
        raise Problem(f"duration must be {'4-15' if family.multimodal else '5 or 10'} for {model}")
    ratio = _enum(data, "ratio", MAXAPI_VIDEO_RATIOS)
    resolution = _enum(data, "resolution", RESOLUTIONS) or "720p"
    if data.get("fallback") is not None and not isinstance(data.get("fallback"), bool):
        raise Problem("fallback must be a boolean")
    frame_mode = not videos and not audios and len(images) <= 2
    first = images[0].seen if frame_mode and images else None
    last = images[1].seen if frame_mode and len(images) == 2 else None
    if ratio is None:
        ratio = "16:9"
        if first is not None and first.size is not None:
            ratio = closest_ratio(*first.size, ratios=MAXAPI_VIDEO_RATIOS)
    width, height = PIXELS_V2[(resolution, ratio)]
    return VideoPlan(
        width=width,
        height=height,
        frames=FPS * duration + 1,
        audio=True,
        color=color_for(prompt, model),
        first_frame=first.data if first is not None else None,
        last_frame=last.data if last is not None else None,
    )


async def check_image(
    assets: AssetStore, model: str, data: dict[str, Any], now: float
) -> list[ImagePlan]:
    prompt = data.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        raise Problem("prompt is required")
    refs = data.get("imageUrls")
    base = None
    if refs is not None:
        if not isinstance(refs, list) or not refs or not all(isinstance(u, str) for u in refs):
            raise Problem("imageUrls must be a non-empty list of URLs")
        if len(refs) > 14:
            raise Problem("at most 14 reference images")
        try:
            seen = await look(assets, refs[0], "image", now)
        except Unreadable as exc:
            raise Problem(f"imageUrls[0] {exc}") from exc
        base = seen.data if seen is not None else None
    ratio = _enum(data, "ratio", MAXAPI_IMAGE_RATIOS) or "1:1"
    resolution = _enum(data, "resolution", MAXAPI_IMAGE_RESOLUTIONS) or "2k"
    low, high = MAXAPI_IMAGE_MODELS[model]
    n = data.get("n") if data.get("n") is not None else 1
    if not is_int(n) or not low <= n <= high:
        raise Problem(f"n must be within [{low}, {high}] for {model}")
    width, height = seedream_size(resolution.upper(), ratio)
    color = color_for(prompt, model)
    return [ImagePlan(width, height, color, base, index) for index in range(n)]


def _enum(data: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if value not in allowed:
        raise Problem(f"{key} must be one of {', '.join(allowed)}")
    return str(value)
