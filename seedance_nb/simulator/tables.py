"""Model and pixel tables, copied from the API documents.

Deliberately independent of ``seedance_nb.catalog``: the simulator keeps its own reading of the
documents so that a mistake in the package's catalog shows up as a disagreement in the tests
instead of being shared by both sides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9")
RESOLUTIONS = ("480p", "720p", "1080p")


def _table(rows: dict[str, tuple[tuple[int, int], ...]]) -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (res, ratio): size
        for res, sizes in rows.items()
        for ratio, size in zip(RATIOS, sizes, strict=True)
    }


# Seed 004, "Width and height pixel value", columns in RATIOS order.
PIXELS_V1 = _table(  # Seedance 1.0 series
    {
        "480p": ((864, 480), (736, 544), (640, 640), (544, 736), (480, 864), (960, 416)),
        "720p": ((1248, 704), (1120, 832), (960, 960), (832, 1120), (704, 1248), (1504, 640)),
        "1080p": (
            (1920, 1088),
            (1664, 1248),
            (1440, 1440),
            (1248, 1664),
            (1088, 1920),
            (2176, 928),
        ),
    }
)
PIXELS_V2 = _table(  # Seedance 1.5 Pro / 2.0 series
    {
        "480p": ((864, 496), (752, 560), (640, 640), (560, 752), (496, 864), (992, 432)),
        "720p": ((1280, 720), (1112, 834), (960, 960), (834, 1112), (720, 1280), (1470, 630)),
        "1080p": (
            (1920, 1080),
            (1664, 1248),
            (1440, 1440),
            (1248, 1664),
            (1080, 1920),
            (2206, 946),
        ),
    }
)


@dataclass(frozen=True)
class VideoFamily:
    """What one ModelArk video model accepts (seed 004 and FACTS §1.2, §1.9)."""

    name: str
    pixels: dict[tuple[str, str], tuple[int, int]]
    durations: tuple[int, int]
    auto_duration: bool  # duration -1
    frames: bool
    resolutions: tuple[str, ...]
    default_resolution: str
    flex: bool
    priority: bool
    draft: bool
    audio: bool
    multimodal: bool  # reference images, videos and audio
    last_frame: bool
    camera_fixed: bool
    tools: bool
    adaptive_for_text: bool  # 1.0 series: adaptive ratio only for image-to-video


_V20 = VideoFamily(
    name="seedance-2.0",
    pixels=PIXELS_V2,
    durations=(4, 15),
    auto_duration=True,
    frames=False,
    resolutions=RESOLUTIONS,
    default_resolution="720p",
    flex=False,
    priority=True,
    draft=False,
    audio=True,
    multimodal=True,
    last_frame=True,
    camera_fixed=False,
    tools=True,
    adaptive_for_text=True,
)
_V20_FAST = replace(_V20, name="seedance-2.0-fast", resolutions=("480p", "720p"))
_V15_PRO = VideoFamily(
    name="seedance-1.5-pro",
    pixels=PIXELS_V2,
    durations=(4, 12),
    auto_duration=True,
    frames=False,
    resolutions=RESOLUTIONS,  # 1080p is disputed between sources; seed 004's table lists it
    default_resolution="720p",
    flex=True,
    priority=False,
    draft=True,
    audio=True,
    multimodal=False,
    last_frame=True,
    camera_fixed=True,
    tools=False,
    adaptive_for_text=True,
)
_V10_PRO = VideoFamily(
    name="seedance-1.0-pro",
    pixels=PIXELS_V1,
    durations=(2, 12),
    auto_duration=False,
    frames=True,
    resolutions=RESOLUTIONS,
    default_resolution="1080p",
    flex=True,
    priority=False,
    draft=False,
    audio=False,
    multimodal=False,
    last_frame=True,
    camera_fixed=True,
    tools=False,
    adaptive_for_text=False,
)
_V10_PRO_FAST = replace(_V10_PRO, name="seedance-1.0-pro-fast", last_frame=False)


def _with_doubao(models: dict[str, VideoFamily]) -> dict[str, VideoFamily]:
    out = dict(models)
    for model_id, family in models.items():
        bare = model_id.removeprefix("dreamina-")
        out["doubao-" + bare] = family
    return out


ARK_VIDEO_MODELS: dict[str, VideoFamily] = _with_doubao(
    {
        "dreamina-seedance-2-0-260128": _V20,
        "dreamina-seedance-2-0-fast-260128": _V20_FAST,
        "seedance-1-5-pro-251215": _V15_PRO,
        "seedance-1-0-pro-250528": _V10_PRO,
        "seedance-1-0-pro-fast-251015": _V10_PRO_FAST,
    }
)

# Seedream on ModelArk (FACTS §3). 5.0's tiers are not in the documents; mirrors list 2K/3K and
# some add 4K, so all three are accepted (the package's catalog takes the stricter 2K/3K).
ARK_IMAGE_TIERS: dict[str, tuple[str, ...]] = {
    "seedream-4-0-250828": ("1K", "2K", "4K"),
    "seedream-4-5-251128": ("2K", "4K"),
    "seedream-5-0-260128": ("2K", "3K", "4K"),
}
ARK_IMAGE_MODELS: dict[str, tuple[str, ...]] = {
    **ARK_IMAGE_TIERS,
    **{"doubao-" + model: tiers for model, tiers in ARK_IMAGE_TIERS.items()},
}

# Seedream 2K sizes (FACTS §3); 1K is half and 4K double on each side.
SEEDREAM_2K: dict[str, tuple[int, int]] = {
    "1:1": (2048, 2048),
    "4:3": (2304, 1728),
    "3:4": (1728, 2304),
    "16:9": (2560, 1440),
    "9:16": (1440, 2560),
    "3:2": (2496, 1664),
    "2:3": (1664, 2496),
    "21:9": (3024, 1296),
}
TIER_SCALE = {"1K": 0.5, "2K": 1.0, "3K": 1.5, "4K": 2.0}


def seedream_size(tier: str, ratio: str) -> tuple[int, int]:
    width, height = SEEDREAM_2K[ratio]
    scale = TIER_SCALE[tier.upper()]
    return int(width * scale), int(height * scale)


# The task API (seeds 000 and 002, FACTS §7).
MAXAPI_VIDEO_MODELS: dict[str, VideoFamily] = {
    "seedance-2.0": _V20,
    "seedance-2.0-fast": _V20_FAST,
    "seedance-1.5-pro": _V15_PRO,
}
MAXAPI_VIDEO_RATIOS = ("1:1", "4:3", "3:4", "16:9", "9:16")
MAXAPI_IMAGE_MODELS: dict[str, tuple[int, int]] = {  # model -> allowed n range
    "seedream-4": (1, 15),
    "seedream-4.5": (1, 15),
    "seedream-4.6": (1, 15),
    "seedream-5-lite": (1, 4),
}
MAXAPI_IMAGE_RATIOS = tuple(SEEDREAM_2K)
MAXAPI_IMAGE_RESOLUTIONS = ("1k", "2k", "4k")

# The OpenAI-style route (seed 003).
OPENAI_MODELS = ("model/seedance-2.0-fast-beta",)
OPENAI_RESOLUTIONS = ("720p", "480p")
OPENAI_MODES = ("text_to_video", "image_to_video", "first_last_frame", "multi_ref")
OPENAI_ROUTE_MODES = ("official", "official-cheap", "mix")

FPS = 24


def closest_ratio(width: int, height: int, ratios: tuple[str, ...] = RATIOS) -> str:
    """The listed ratio nearest (in log scale) to width:height."""
    aspect = math.log(width / height)

    def distance(ratio: str) -> float:
        w, h = (int(part) for part in ratio.split(":"))
        return abs(math.log(w / h) - aspect)

    return min(ratios, key=distance)
