"""One violating request per documented rule, as data.

Each :class:`RuleCase` names its source, the dialect, the request's keyword arguments and the
``Problem.field`` the refusal must name. ``Local("video_16s")`` stands for a file of the session's
``media`` fixture (``tests/media_files.py``); :func:`build` turns a case into a request.
Cases with ``local=True`` need those files (durations and pixel sizes are measured); the others
are pure URLs. Client tests reuse the table to prove each case is refused with zero HTTP requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedance_nb import errors
from seedance_nb.materials import Material
from seedance_nb.problems import Problem
from seedance_nb.requests import ImageRequest, VideoRequest
from seedance_nb.validation import check

IMG = "https://example.com/photo.jpg"
IMG2 = "https://example.com/dog.webp"
VID = "https://example.com/motion.mp4"
AUD = "https://example.com/music.mp3"


@dataclass(frozen=True)
class Local:
    """A file of the ``media`` fixture, by name, with an optional kind and role."""

    name: str
    role: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class RuleCase:
    id: str
    source: str
    provider: str
    kwargs: Mapping[str, Any]
    field: str
    kind: str = "video"
    will_upload: bool = False  # the caller promises to upload local media (simulator path)
    local: bool = field(default=False)


def _media(value: Any, media: Mapping[str, Path]) -> Any:
    if isinstance(value, Local):
        path = media[value.name]
        if value.kind:
            return Material(source=path, kind=value.kind, role=value.role)  # type: ignore[arg-type]
        return Material.of(path, role=value.role)  # type: ignore[arg-type]
    if isinstance(value, list):
        return [_media(v, media) for v in value]
    return value


def build(case: RuleCase, media: Mapping[str, Path] | None = None) -> VideoRequest | ImageRequest:
    """The request of ``case`` (raises ``errors.ValidationError`` for construction-time rules)."""
    kwargs = {k: _media(v, media or {}) for k, v in case.kwargs.items()}
    cls = VideoRequest if case.kind == "video" else ImageRequest
    return cls(**kwargs)


def problems_of(case: RuleCase, media: Mapping[str, Path] | None = None) -> list[Problem]:
    """Every problem the case's request has (construction or ``check``)."""
    try:
        request = build(case, media)
    except errors.ValidationError as exc:
        return list(exc.problems)
    return check(request, case.provider, will_upload=case.will_upload)


def _has_local(value: Any) -> bool:
    return isinstance(value, Local) or (
        isinstance(value, list) and any(isinstance(i, Local) for i in value)
    )


def _v(id: str, source: str, provider: str, field: str, **kwargs: Any) -> RuleCase:
    local = any(_has_local(v) for v in kwargs.values())
    kwargs.setdefault("prompt", "a calm ocean wave")
    upload = kwargs.pop("_upload", local)
    return RuleCase(id, source, provider, kwargs, field, "video", upload, local)


def _i(id: str, source: str, provider: str, field: str, **kwargs: Any) -> RuleCase:
    local = any(_has_local(v) for v in kwargs.values())
    kwargs.setdefault("prompt", "a watercolor fox")
    kwargs.setdefault("model", "seedream-4.5")
    upload = kwargs.pop("_upload", local)
    return RuleCase(id, source, provider, kwargs, field, "image", upload, local)


# One case per line reads as a table; the formatter would spread each over many lines.
# fmt: off
S000, S003, S004, F12, F19, F7 = "seed 000", "seed 003", "seed 004", "FACTS §1.2", "FACTS §1.9", "FACTS §7"
S002, F3 = "seed 002", "FACTS §3"
S2, S15, S10, S10F = "seedance-2.0", "seedance-1.5-pro", "seedance-1.0-pro", "seedance-1.0-pro-fast"
FAST = "seedance-2.0-fast"
ORDER_OF_13 = [IMG] * 9 + [VID] * 3 + [AUD]

VIDEO_CASES: list[RuleCase] = [
    # -- shared: model, dialect, prompt ---------------------------------------------------------
    _v("unknown-provider", "dialects", "openai", "provider", model=S2),
    _v("unknown-model", "catalog", "ark", "model", model="seedance-3.0"),
    _v("model-not-on-maxapi", F7, "maxapi", "model", model=S10),
    _v("model-not-on-openai-route", S003, "maxapi-openai", "model", model=S2),
    _v("image-model-for-video", "catalog", "ark", "model", model="seedream-4.5"),
    _v("typo-field", "request model", "ark", "resolutoin", model=S2, resolutoin="720p"),
    _v("prompt-required-text", S004, "ark", "prompt", model=S2, prompt=""),
    _v("prompt-required-maxapi", S000, "maxapi", "prompt", model=S2, prompt="", materials=[IMG]),
    _v("prompt-too-long", "guard", "ark", "prompt", model=S2, prompt="x" * 10_001),
    _v("at-n-past-materials", S000, "maxapi", "prompt", model=S2, prompt="@1 and @3", materials=[IMG, IMG2]),
    _v("at-image-n-past", F7, "maxapi", "prompt", model=S2, prompt="@image2 waves", materials=[IMG]),
    _v("at-tu-n-past", F7, "maxapi", "prompt", model=S2, prompt="@图3 跳舞", materials=[IMG, IMG2]),
    # -- materials, in seed 000's order ---------------------------------------------------------
    _v("materials-over-12", S000, "maxapi", "materials", model=S2, materials=ORDER_OF_13),
    _v("images-over-9", S000, "maxapi", "materials", model=S2, materials=[IMG] * 10),
    _v("video-total-over-15s", S000, "ark", "materials", model=S2, materials=[Local("video_8s"), Local("video_8s_b")]),
    _v("audio-total-over-15s", S000, "ark", "materials", model=S2, materials=[IMG, Local("audio_6s"), Local("audio_6s_b"), Local("audio_6s_c")]),
    _v("video-only-on-2.0", S000, "maxapi", "materials[1]", model=S15, materials=[IMG, VID]),
    _v("audio-only-on-2.0", S000, "ark", "materials[1]", model=S10, materials=[IMG, AUD]),
    _v("video-over-3", F12, "ark", "materials", model=S2, materials=[VID] * 4),
    _v("audio-over-3", F12, "ark", "materials", model=S2, materials=[IMG, AUD, AUD, AUD, AUD]),
    _v("audio-alone", F12, "ark", "materials", model=S2, materials=[AUD]),
    _v("video-too-long", F12, "ark", "materials[0]", model=S2, materials=[Local("video_16s")]),
    _v("video-too-short", F12, "ark", "materials[0]", model=S2, materials=[Local("video_1s")]),
    _v("video-over-50mb", F12, "ark", "materials[0]", model=S2, materials=[Local("video_51mb")]),
    _v("audio-over-15mb", F12, "ark", "materials[1]", model=S2, materials=[IMG, Local("audio_16mb")]),
    _v("video-unreadable", F12, "ark", "materials[0]", model=S2, materials=[Local("video_broken")]),
    _v("video-format", S000, "maxapi", "materials[1]", model=S2, materials=[IMG, Material.video("https://example.com/a.avi")]),
    _v("audio-format", S000, "maxapi", "materials[1]", model=S2, materials=[IMG, Material.audio("https://example.com/a.ogg")]),
    _v("image-format-maxapi", S000, "maxapi", "materials[0]", model=S2, materials=["https://example.com/scan.tiff"]),
    _v("image-format-local", S000, "maxapi", "materials[0]", model=S2, materials=[Local("tiff")]),
    _v("image-over-30mb", F12, "ark", "materials[0]", model=S2, materials=[Local("png_31mb")]),
    _v("image-side-under-300", F12, "ark", "materials[0]", model=S2, materials=[Local("png_small")]),
    _v("image-aspect", F12, "ark", "materials[0]", model=S2, materials=[Local("png_wide")]),
    _v("body-over-64mb", F12, "ark", "materials", model=S2, materials=[Local("png_25mb_a"), Local("png_25mb_b"), Local("png_25mb_c")]),
    _v("file-missing", "materials", "ark", "materials[0]", model=S2, materials=[Local("missing", kind="image")]),
    _v("local-video-needs-url", "seed 001", "ark", "materials[0]", model=S2, materials=[Local("video_2s")], _upload=False),
    _v("local-image-needs-url-maxapi", F7, "maxapi", "materials[0]", model=S2, materials=[Local("png")], _upload=False),
    # -- roles and modes ------------------------------------------------------------------------
    _v("role-kind-mismatch", "seed 001", "ark", "materials[0]", model=S2, materials=[Material.video(VID, role="first_frame")]),
    _v("last-frame-alone", S004, "ark", "materials", model=S2, materials=[Material.image(IMG, role="last_frame")]),
    _v("frame-and-reference-roles", S004, "ark", "materials", model=S2, materials=[Material.image(IMG, role="first_frame"), Material.image(IMG2, role="reference_image")]),
    _v("two-first-frames", S004, "ark", "materials", model=S2, materials=[Material.image(IMG, role="first_frame"), Material.image(IMG2, role="first_frame")]),
    _v("frames-mode-over-2", S004, "ark", "materials", model=S2, materials=[Material.image(IMG, role="first_frame"), IMG2, IMG]),
    _v("1.5-pro-max-2-images", S000, "maxapi", "materials", model=S15, materials=[IMG, IMG2, IMG]),
    _v("1.5-pro-no-references", S000, "ark", "materials", model=S15, materials=[Material.image(IMG, role="reference_image")]),
    _v("1.0-fast-no-last-frame", F19, "ark", "materials", model=S10F, materials=[IMG, IMG2]),
    _v("maxapi-roles-by-count", S000, "maxapi", "materials", model=S2, materials=[Material.image(IMG, role="reference_image"), Material.image(IMG2, role="reference_image")]),
    # -- resolution, ratio, duration, frames ----------------------------------------------------
    _v("fast-no-1080p", S004, "ark", "resolution", model=FAST, resolution="1080p"),
    _v("1.5-pro-no-1080p", F19, "ark", "resolution", model=S15, resolution="1080p"),
    _v("resolution-enum", S004, "ark", "resolution", model=S2, resolution="4k"),
    _v("openai-no-1080p", S003, "maxapi-openai", "resolution", model=FAST, resolution="1080p"),
    _v("ratio-enum", S004, "ark", "ratio", model=S2, ratio="2:1"),
    _v("maxapi-no-21-9", F7, "maxapi", "ratio", model=S2, ratio="21:9"),
    _v("maxapi-no-adaptive", F7, "maxapi", "ratio", model=S2, ratio="adaptive"),
    _v("openai-no-adaptive", S003, "maxapi-openai", "ratio", model=FAST, ratio="adaptive"),
    _v("1.0-adaptive-text", S004, "ark", "ratio", model=S10, ratio="adaptive"),
    _v("2.0-duration-over-15", S004, "ark", "duration", model=S2, duration=16),
    _v("2.0-duration-under-4", S004, "ark", "duration", model=S2, duration=3),
    _v("1.5-duration-over-12", S004, "ark", "duration", model=S15, duration=13),
    _v("1.5-duration-auto", F19, "ark", "duration", model=S15, duration=-1),
    _v("1.0-duration-under-2", S004, "ark", "duration", model=S10, duration=1),
    _v("1.0-duration-auto", S004, "ark", "duration", model=S10, duration=-1),
    _v("maxapi-1.5-duration-5-or-10", F7, "maxapi", "duration", model=S15, duration=6),
    _v("maxapi-duration-range", F7, "maxapi", "duration", model=S2, duration=3),
    _v("maxapi-duration-auto", F7, "maxapi", "duration", model=S2, duration=-1),
    _v("openai-duration-range", S003, "maxapi-openai", "duration", model=FAST, duration=16),
    _v("frames-not-on-2.0", S004, "ark", "frames", model=S2, frames=57),
    _v("frames-not-on-1.5", S004, "ark", "frames", model=S15, frames=57),
    _v("frames-25-plus-4n", S004, "ark", "frames", model=S10, frames=58),
    _v("frames-range", S004, "ark", "frames", model=S10, frames=293),
    _v("frames-with-duration", S004, "ark", "duration", model=S10, frames=57, duration=5),
    # -- options --------------------------------------------------------------------------------
    _v("seed-over-2^32-1", S004, "ark", "seed", model=S2, seed=2**32),
    _v("seed-under-minus-1", S004, "ark", "seed", model=S2, seed=-2),
    _v("camera-fixed-not-2.0", S004, "ark", "camera_fixed", model=S2, camera_fixed=True),
    _v("camera-fixed-references", S004, "ark", "camera_fixed", model=S15, camera_fixed=True, materials=[Material.image(IMG, role="reference_image")]),
    _v("draft-only-1.5", S004, "ark", "draft", model=S2, draft=True),
    _v("draft-480p-only", S004, "ark", "resolution", model=S15, draft=True, resolution="720p"),
    _v("draft-needs-480p-set", S004, "ark", "resolution", model=S15, draft=True),
    _v("draft-no-last-frame", S004, "ark", "return_last_frame", model=S15, draft=True, resolution="480p", return_last_frame=True),
    _v("draft-no-flex", S004, "ark", "service_tier", model=S15, draft=True, resolution="480p", service_tier="flex"),
    _v("draft-task-only-1.5", F12, "ark", "draft_task_id", model=S2, draft_task_id="cgt-20260101000000-abcde"),
    _v("draft-task-no-materials", F12, "ark", "materials", model=S15, draft_task_id="cgt-20260101000000-abcde", materials=[IMG]),
    _v("draft-and-draft-task", F12, "ark", "draft", model=S15, draft=True, resolution="480p", draft_task_id="cgt-20260101000000-abcde"),
    _v("no-flex-on-2.0", S004, "ark", "service_tier", model=S2, service_tier="flex"),
    _v("service-tier-enum", S004, "ark", "service_tier", model=S15, service_tier="fast"),
    _v("priority-only-2.0", S004, "ark", "priority", model=S15, priority=1),
    _v("priority-not-2.0-fast", S004, "ark", "priority", model=FAST, priority=1),
    _v("priority-range", S004, "ark", "priority", model=S2, priority=10),
    _v("priority-not-with-flex", S004, "ark", "priority", model=S2, priority=3, service_tier="flex"),
    _v("expires-under-3600", S004, "ark", "execution_expires_after", model=S2, execution_expires_after=3599),
    _v("expires-over-259200", S004, "ark", "execution_expires_after", model=S2, execution_expires_after=259_201),
    _v("generate-audio-model", S004, "ark", "generate_audio", model=S10, generate_audio=True),
    _v("tools-only-2.0", S004, "ark", "tools", model=S15, tools=["web_search"]),
    _v("tools-not-overseas", S004, "ark", "tools", model=S2, tools=["web_search"]),
    _v("tools-enum", F12, "ark", "tools", model="doubao-seedance-2-0-260128", tools=["code_interpreter"]),
    _v("safety-identifier-64", S004, "ark", "safety_identifier", model=S2, safety_identifier="u" * 65),
    _v("callback-url-scheme", S004, "ark", "callback_url", model=S2, callback_url="ftp://example.com/hook"),
    _v("maxapi-callback-internal", "FACTS §5.2", "maxapi", "callback_url", model=S2, callback_url="http://127.0.0.1:8000/hook"),
    # -- options a dialect cannot carry ---------------------------------------------------------
    _v("maxapi-no-service-tier", F7, "maxapi", "service_tier", model=S15, service_tier="flex"),
    _v("maxapi-no-priority", F7, "maxapi", "priority", model=S2, priority=1),
    _v("maxapi-no-seed", F7, "maxapi", "seed", model=S2, seed=7),
    _v("maxapi-no-generate-audio", F7, "maxapi", "generate_audio", model=S2, generate_audio=False),
    _v("fallback-only-maxapi", F7, "ark", "fallback", model=S2, fallback=True),
    _v("route-mode-only-openai", S003, "ark", "route_mode", model=S2, route_mode="mix"),
    _v("asset-delivery-only-openai", S003, "maxapi", "asset_delivery", model=S2, asset_delivery="mirror"),
    _v("openai-no-callback", S003, "maxapi-openai", "callback_url", model=FAST, callback_url="https://example.com/h"),
    _v("route-mode-enum", S003, "maxapi-openai", "route_mode", model=FAST, route_mode="cheapest"),
    _v("asset-delivery-enum", S003, "maxapi-openai", "asset_delivery", model=FAST, asset_delivery="cdn"),
]

SR45, SR40, SR50 = "seedream-4.5", "seedream-4.0", "seedream-5.0"

IMAGE_CASES: list[RuleCase] = [
    _i("image-prompt-required", F3, "ark", "prompt", prompt=""),
    _i("image-model-not-on-openai", S003, "maxapi-openai", "model"),
    _i("video-model-for-image", "catalog", "ark", "model", model=S2),
    _i("size-tier-per-model", F3, "ark", "size", model=SR45, size="1K"),
    _i("size-tier-3k-not-4.0", F3, "ark", "size", model=SR40, size="3K"),
    _i("size-area-min", F3, "ark", "size", model=SR40, size="512x512"),
    _i("size-area-min-4.5", F3, "ark", "size", model=SR45, size="1024x1024"),
    _i("size-area-max", F3, "ark", "size", model=SR40, size="5000x5000"),
    _i("size-aspect", F3, "ark", "size", model=SR40, size="8192x256"),
    _i("size-not-tier-or-wxh", F3, "ark", "size", size="big"),
    _i("size-mixed-with-ratio", F3, "ark", "size", size="2K", ratio="16:9"),
    _i("maxapi-no-pixel-size", F7, "maxapi", "size", size="2048x2048"),
    _i("image-ratio-enum", F7, "maxapi", "ratio", ratio="5:4"),
    _i("resolution-per-model", F3, "ark", "resolution", model=SR45, resolution="1k"),
    _i("maxapi-resolution-5-lite", F7, "maxapi", "resolution", model=SR50, resolution="4k"),
    _i("maxapi-resolution-enum", F7, "maxapi", "resolution", model=SR50, resolution="3k"),
    _i("ratio-resolution-area", F3, "ark", "resolution", model=SR40, ratio="16:9", resolution="1k"),
    _i("maxapi-n-range", F7, "maxapi", "n", n=0),
    _i("maxapi-n-5-lite", F7, "maxapi", "n", model=SR50, n=5),
    _i("ark-n-range", F3, "ark", "n", n=16),
    _i("ark-n-needs-sequential", F3, "ark", "n", n=3, sequential="disabled"),
    _i("ark-n-vs-max-images", F3, "ark", "n", n=3, sequential="auto", max_images=4),
    _i("max-images-range", F3, "ark", "max_images", sequential="auto", max_images=16),
    _i("max-images-needs-auto", F3, "ark", "max_images", max_images=4),
    _i("refs-plus-generated-15", F3, "ark", "max_images", images=[IMG] * 5, sequential="auto", max_images=11),
    _i("maxapi-refs-plus-n-15", F7, "maxapi", "n", images=[IMG] * 5, n=11),
    _i("refs-max-14", F3, "ark", "images", images=[IMG] * 15),
    _i("refs-max-10-on-4.0", F3, "ark", "images", model=SR40, images=[IMG] * 11),
    _i("sequential-enum", F3, "ark", "sequential", sequential="yes"),
    _i("image-seed-range", F3, "ark", "seed", seed=2**31),
    _i("response-format-enum", F3, "ark", "response_format", response_format="png"),
    _i("guidance-scale-old-models", F3, "ark", "guidance_scale", guidance_scale=2.5),
    _i("optimize-prompt-enum", F3, "ark", "optimize_prompt", optimize_prompt="slow"),
    _i("output-format-5.0-only", F3, "ark", "output_format", output_format="png"),
    _i("output-format-enum", F3, "ark", "output_format", model=SR50, output_format="webp"),
    _i("image-tools-5.0-only", F3, "ark", "tools", tools=["web_search"]),
    _i("image-maxapi-no-seed", F7, "maxapi", "seed", seed=1),
    _i("maxapi-no-watermark", F7, "maxapi", "watermark", watermark=False),
    _i("maxapi-no-sequential", F7, "maxapi", "sequential", sequential="auto"),
    _i("ref-image-tiny", F3, "ark", "images[0]", images=[Local("png_tiny")]),
    _i("ref-image-over-10mb", F3, "ark", "images[0]", images=[Local("png_11mb")]),
    _i("ref-image-format-4.0", F3, "ark", "images[0]", model=SR40, images=[Local("webp")]),
    _i("ref-image-local-maxapi", S002, "maxapi", "images[0]", images=[Local("png")], _upload=False),
    _i("ref-not-an-image", S002, "ark", "images[0]", images=[Material.video(VID)]),
]

# fmt: on

CASES: list[RuleCase] = VIDEO_CASES + IMAGE_CASES
