"""The rows of the model catalog (``seedance_nb.catalog`` turns them into ``ModelSpec``).

``native`` is what ModelArk accepts (seed 004, FACTS §1.2/§1.9/§3); ``dialects`` narrows it for
the other dialects (seed 000 + FACTS §7 for ``maxapi``, seed 003 for ``maxapi-openai``). Where
sources disagree the stricter reading is taken and the row says so.
"""

from __future__ import annotations

from typing import Any

from .catalog_sizes import IMAGE_RATIOS, VIDEO_RATIOS
from .modes import Mode

# Request fields each dialect can carry at all (model support is checked separately).
_VIDEO_BASICS = {"prompt", "materials", "resolution", "ratio", "duration"}
ARK_VIDEO_OPTIONS = frozenset(
    _VIDEO_BASICS
    | {"frames", "seed", "generate_audio", "camera_fixed", "watermark", "return_last_frame"}
    | {"service_tier", "execution_expires_after", "priority", "draft", "draft_task_id"}
    | {"tools", "safety_identifier", "callback_url"}
)
# seed 000 documents only these input fields (plus callBackUrl); FACTS §7 agrees.
MAXAPI_VIDEO_OPTIONS = frozenset(_VIDEO_BASICS | {"callback_url", "fallback"})
# seed 003: ratio, duration, mode, resolution, route_mode, asset_delivery (+ model, prompt).
OPENAI_VIDEO_OPTIONS = frozenset(_VIDEO_BASICS | {"route_mode", "asset_delivery"})
_IMAGE_BASICS = {"prompt", "images", "size", "ratio", "resolution", "n"}
# ModelArk has no n: the ark adapter sends n > 1 as sequential "auto" with max_images = n.
ARK_IMAGE_OPTIONS = frozenset(
    _IMAGE_BASICS
    | {"seed", "sequential", "max_images", "watermark", "response_format", "guidance_scale"}
    | {"optimize_prompt", "output_format", "tools"}
)
# seed 002 + FACTS §7: prompt, imageUrls, ratio, resolution, n.
MAXAPI_IMAGE_OPTIONS = frozenset(_IMAGE_BASICS)

_ADAPTIVE_RATIOS = (*VIDEO_RATIOS, "adaptive")
# FACTS §7: maxapi video ratios are 1:1, 4:3, 3:4, 16:9, 9:16 (no 21:9, no adaptive).
_MAXAPI_RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16")
_FRAME_MODES = frozenset({Mode.TEXT, Mode.FIRST_FRAME, Mode.FIRST_LAST_FRAME})
_ALL_VIDEO_MODES = _FRAME_MODES | {Mode.MULTI_REFERENCE, Mode.MULTIMODAL}
# FACTS §1.2 [M]: jpeg/png/webp/bmp/tiff/gif on ModelArk; seed 000 lists no tiff for maxapi.
_ARK_IMAGE_FORMATS = ("jpeg", "png", "webp", "bmp", "tiff", "gif")
_MAXAPI_IMAGE_FORMATS = ("jpeg", "png", "webp", "bmp", "gif")


def _range(low: int, high: int) -> tuple[int, ...]:
    return tuple(range(low, high + 1))


def _video(**caps: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "options": ARK_VIDEO_OPTIONS,
        "default_duration": 5,
        "image_formats": _ARK_IMAGE_FORMATS,
        "fps": 24,
    }
    return {**base, **caps}


def _maxapi_video(**caps: Any) -> dict[str, Any]:
    # maxapi documents no defaults; 720p / 16:9 / 5 s are assumptions used only for estimates.
    base: dict[str, Any] = {
        "options": MAXAPI_VIDEO_OPTIONS,
        "ratios": _MAXAPI_RATIOS,
        "default_ratio": "16:9",
        "default_resolution": "720p",
        "auto_duration": False,  # -1 is not documented for maxapi
        "image_formats": _MAXAPI_IMAGE_FORMATS,
    }
    return {**base, **caps}


_SEEDANCE_2 = _video(
    resolutions=("480p", "720p", "1080p"),
    default_resolution="720p",
    ratios=_ADAPTIVE_RATIOS,
    default_ratio="adaptive",
    durations=_range(4, 15),
    auto_duration=True,
    modes=_ALL_VIDEO_MODES,
    max_images=9,
    max_videos=3,
    max_audios=3,
    generate_audio=True,
    return_last_frame=True,
    # seed 004: the 2.0 series "does not support configuring" service_tier at all.
    service_tiers=(),
    priority=True,
    tools=("web_search",),
)

_SEEDANCE_15 = _video(
    # FACTS §1.9: 1080p on 1.5 pro is disputed (seed 004's table lists it, novita says no);
    # stricter reading: 480p and 720p only.
    resolutions=("480p", "720p"),
    default_resolution="720p",
    ratios=_ADAPTIVE_RATIOS,
    default_ratio="adaptive",
    # seed 004 allows -1 for 1.5 pro but FACTS marks it unconfirmed: stricter, no -1.
    durations=_range(4, 12),
    auto_duration=False,
    modes=_FRAME_MODES | {Mode.DRAFT},
    max_images=2,
    draft=True,
    generate_audio=True,
    camera_fixed=True,
    return_last_frame=True,
    service_tiers=("default", "flex"),
)

_SEEDANCE_10 = _video(
    resolutions=("480p", "720p", "1080p"),
    default_resolution="1080p",
    ratios=_ADAPTIVE_RATIOS,
    default_ratio="16:9",  # seed 004: 16:9 for text-to-video, adaptive for image-to-video
    adaptive_needs_image=True,
    durations=_range(2, 12),
    frames=True,
    modes=_FRAME_MODES,
    max_images=2,
    camera_fixed=True,
    return_last_frame=True,
    service_tiers=("default", "flex"),
)


def _seedream(**caps: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "options": ARK_IMAGE_OPTIONS,
        "modes": frozenset({Mode.TEXT_TO_IMAGE, Mode.IMAGE_TO_IMAGE}),
        "ratios": IMAGE_RATIOS,
        "default_size": "2048x2048",
        "max_refs": 14,
        "max_images_range": (1, 15),
        "n_range": (1, 15),  # n > 1 is sent as sequential "auto" with max_images = n
        "seed": True,
        "image_formats": _ARK_IMAGE_FORMATS,
    }
    return {**base, **caps}


def _maxapi_image(tiers: tuple[str, ...], n_high: int) -> dict[str, Any]:
    # maxapi resolutions are 1k/2k/4k (FACTS §7); a model gets only the tiers it also has.
    resolutions = tuple(t.lower() for t in tiers if t in ("1K", "2K", "4K"))
    return {
        "options": MAXAPI_IMAGE_OPTIONS,
        "resolutions": resolutions,
        "default_resolution": "2k",  # not documented; assumption for estimates
        "default_ratio": "1:1",  # not documented; assumption for estimates
        "n_range": (1, n_high),
        "max_images_range": None,
        "seed": False,
        "image_formats": _MAXAPI_IMAGE_FORMATS,
    }


MODELS: tuple[dict[str, Any], ...] = (
    {
        "short": "seedance-2.0",
        "kind": "video",
        "title": "Seedance 2.0",
        "ids": {
            "ark": ("dreamina-seedance-2-0-260128", "doubao-seedance-2-0-260128"),
            "maxapi": ("seedance-2.0",),
        },
        "family": "2.0",
        "pixel_table": "1.5/2.0",
        "native": _SEEDANCE_2,
        "dialects": {"maxapi": _maxapi_video(durations=_range(4, 15))},
    },
    {
        "short": "seedance-2.0-fast",
        "kind": "video",
        "title": "Seedance 2.0 Fast",
        "ids": {
            "ark": ("dreamina-seedance-2-0-fast-260128", "doubao-seedance-2-0-fast-260128"),
            "maxapi": ("seedance-2.0-fast",),
            "maxapi-openai": ("model/seedance-2.0-fast-beta",),
        },
        "family": "2.0",
        "pixel_table": "1.5/2.0",
        # seed 004: priority is "Only supported by Seedance 2.0" (not "2.0 series", the wording
        # used everywhere else): stricter reading, not on 2.0 fast.
        "native": {**_SEEDANCE_2, "resolutions": ("480p", "720p"), "priority": False},
        "dialects": {
            "maxapi": _maxapi_video(resolutions=("480p", "720p"), durations=_range(4, 15)),
            "maxapi-openai": {
                "options": OPENAI_VIDEO_OPTIONS,
                "resolutions": ("720p", "480p"),
                "default_resolution": "720p",  # not documented; assumption for estimates
                "ratios": VIDEO_RATIOS,  # seed 003 lists all six, 21:9 included; no adaptive
                "default_ratio": "16:9",
                "durations": _range(4, 15),
                "auto_duration": False,
                "image_formats": _MAXAPI_IMAGE_FORMATS,
            },
        },
    },
    {
        "short": "seedance-1.5-pro",
        "kind": "video",
        "title": "Seedance 1.5 Pro",
        "ids": {
            "ark": ("seedance-1-5-pro-251215", "doubao-seedance-1-5-pro-251215"),
            "maxapi": ("seedance-1.5-pro",),
        },
        "family": "1.5",
        "pixel_table": "1.5/2.0",
        "native": _SEEDANCE_15,
        "dialects": {
            "maxapi": _maxapi_video(
                resolutions=("480p", "720p"), durations=(5, 10), modes=_FRAME_MODES
            )
        },
    },
    {
        "short": "seedance-1.0-pro",
        "kind": "video",
        "title": "Seedance 1.0 Pro",
        "ids": {"ark": ("seedance-1-0-pro-250528", "doubao-seedance-1-0-pro-250528")},
        "family": "1.0",
        "pixel_table": "1.0",
        "native": _SEEDANCE_10,
    },
    {
        "short": "seedance-1.0-pro-fast",
        "kind": "video",
        "title": "Seedance 1.0 Pro Fast",
        "ids": {"ark": ("seedance-1-0-pro-fast-251015", "doubao-seedance-1-0-pro-fast-251015")},
        "family": "1.0",
        "pixel_table": "1.0",
        # FACTS §1.9: text-to-video and first-frame image-to-video only (no last frame).
        "native": {
            **_SEEDANCE_10,
            "modes": frozenset({Mode.TEXT, Mode.FIRST_FRAME}),
            "max_images": 1,
        },
    },
    {
        "short": "seedream-4.0",
        "kind": "image",
        "title": "Seedream 4.0",
        "ids": {
            "ark": ("seedream-4-0-250828", "doubao-seedream-4-0-250828"),
            "maxapi": ("seedream-4",),
        },
        "family": "4.0",
        "pixel_table": "4.0",
        "native": _seedream(
            size_tiers=("1K", "2K", "4K"),
            # FACTS §3: area [1024², 4096²]; one mirror says 1280×720 minimum: stricter 1024².
            pixel_area=(1024 * 1024, 4096 * 4096),
            # A 4.0 mirror allows 10 references, jpeg/png only (FACTS: 1-14, more formats):
            # stricter reading.
            max_refs=10,
            image_formats=("jpeg", "png"),
        ),
        "dialects": {"maxapi": _maxapi_image(("1K", "2K", "4K"), 15)},
    },
    {
        "short": "seedream-4.5",
        "kind": "image",
        "title": "Seedream 4.5",
        "ids": {
            "ark": ("seedream-4-5-251128", "doubao-seedream-4-5-251128"),
            "maxapi": ("seedream-4.5",),
        },
        "family": "4.5",
        "pixel_table": "4.5",
        "native": _seedream(
            size_tiers=("2K", "4K"),
            # Mirrors give 4.5 a higher minimum (2560×1440) than FACTS' 1024²: stricter.
            pixel_area=(2560 * 1440, 4096 * 4096),
        ),
        "dialects": {"maxapi": _maxapi_image(("2K", "4K"), 15)},
    },
    {
        # ModelArk's seedream-5-0-260128 is published as "Seedream 5.0 Lite", so maxapi's
        # seedream-5-lite is the same model, not a separate one.
        "short": "seedream-5.0",
        "kind": "image",
        "title": "Seedream 5.0 Lite",
        "ids": {
            "ark": ("seedream-5-0-260128", "doubao-seedream-5-0-260128"),
            "maxapi": ("seedream-5-lite",),
        },
        "family": "5.0",
        "pixel_table": "5.0",
        "native": _seedream(
            # Mirrors list 2K/3K (some add 4K): stricter, 2K and 3K.
            size_tiers=("2K", "3K"),
            pixel_area=(2560 * 1440, 10_404_496),
            output_formats=("png", "jpeg"),
            tools=("web_search",),
        ),
        "dialects": {"maxapi": _maxapi_image(("2K", "3K"), 4)},
    },
)
