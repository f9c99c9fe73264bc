"""Rules about the media themselves: counts, kinds, roles, formats, sizes and durations.

Local files are measured (Pillow for images, PyAV for video/audio durations); remote URLs are
checked by what their extension says, and their durations cannot be known before sending.
"""

from __future__ import annotations

from .materials import Material
from .media_probe import extension
from .modes import Mode, video_mode
from .problems import Problem
from .requests import ImageRequest, VideoRequest
from .rule_context import Context, one_of

MAX_MATERIALS = 12  # seed 000, checked first, in this order: count, images, video s, audio s
MAX_TOTAL_SECONDS = 15.0
VIDEO_SECONDS = (2.0, 15.0)  # per reference video, FACTS §1.2
MAX_VIDEOS = MAX_AUDIOS = 3
MAX_BODY_BYTES = 64 * 1024 * 1024  # FACTS §1.2: a ModelArk request body is at most 64 MB
_MB = 1024 * 1024
# FACTS §1.2 [M] limits for Seedance input images, and the container formats of references.
SEEDANCE_IMAGE_BYTES, SEEDANCE_IMAGE_SIDE, SEEDANCE_IMAGE_ASPECT = 30 * _MB, (300, 6000), (0.4, 2.5)
VIDEO_FORMATS = {"ark": (".mp4", ".mov")}
VIDEO_FORMATS_OTHER = (".mp4", ".mov", ".m4v")  # seed 000 adds .m4v
AUDIO_FORMATS = (".mp3", ".wav")
MAX_VIDEO_BYTES, MAX_AUDIO_BYTES = 50 * _MB, 15 * _MB
# Seedream inputs (mirrors of the Seedream docs): <= 10 MB, sides > 14 px, <= 6000x6000 px.
SEEDREAM_MAX_BYTES, SEEDREAM_MAX_PIXELS = 10 * _MB, 6000 * 6000

_ROLE_KIND = {
    "first_frame": "image",
    "last_frame": "image",
    "reference_image": "image",
    "reference_video": "video",
    "reference_audio": "audio",
}


def video_material_problems(ctx: Context) -> list[Problem]:
    """Problems of a video request's materials, aggregate rules first (seed 000's order)."""
    assert isinstance(ctx.request, VideoRequest)
    items = ctx.request.materials
    images = [m for m in items if m.kind == "image"]
    videos = [m for m in items if m.kind == "video"]
    audios = [m for m in items if m.kind == "audio"]
    caps = ctx.caps
    problems: list[Problem] = []
    if len(items) > MAX_MATERIALS:
        problems.append(_agg(f"at most {MAX_MATERIALS} materials, not {len(items)}", "drop some"))
    if len(images) > caps.max_images:
        rule = f"{ctx.model} takes at most {caps.max_images} image(s), not {len(images)}"
        more = ctx.or_models(lambda c: c.max_images >= len(images))
        problems.append(_agg(rule, f"use fewer images{more}"))
    for kind, group in (("video", videos), ("audio", audios)):
        total = sum(m.duration_seconds() or 0.0 for m in group)
        if total > MAX_TOTAL_SECONDS:
            rule = f"total {kind} duration is {total:.1f} s, more than {MAX_TOTAL_SECONDS:g} s"
            problems.append(_agg(rule, f"trim or drop {kind} references"))
    if caps.max_videos or caps.max_audios:
        if len(videos) > MAX_VIDEOS:
            problems.append(_agg(f"at most {MAX_VIDEOS} videos", "drop some videos"))
        if len(audios) > MAX_AUDIOS:
            problems.append(_agg(f"at most {MAX_AUDIOS} audio clips", "drop some audio"))
        if audios and not (images or videos):
            rule = "audio cannot be the only material"
            problems.append(_agg(rule, "add an image or a video for it to accompany"))
        if ctx.provider == "maxapi-openai" and (videos or audios) and not images:
            # Seed 003 is silent on what multi_ref needs; its own simulator reads "1-9 images".
            # Stricter reading: at least one image beside video/audio references on this route.
            rule = "maxapi-openai's multi_ref mode needs at least one image"
            problems.append(_agg(rule, "add a reference image, or use provider 'ark'"))
    problems += _roles(ctx, items, len(images))
    for index, item in enumerate(items):
        problems += _video_item(ctx, index, item)
    problems += _body_size(ctx, items)
    return problems


def image_material_problems(ctx: Context) -> list[Problem]:
    """Problems of a Seedream request's reference images."""
    assert isinstance(ctx.request, ImageRequest)
    items, caps = ctx.request.images, ctx.caps
    problems: list[Problem] = []
    if len(items) > caps.max_refs:
        rule = f"{ctx.model} takes at most {caps.max_refs} reference images, not {len(items)}"
        problems.append(Problem("images", rule, "drop some images"))
    aspect = (1 / 3, 3.0) if ctx.spec.family == "4.0" else (1 / 16, 16.0)
    for index, item in enumerate(items):
        where = f"images[{index}]"
        if item.kind != "image":
            problems.append(Problem(where, f"a {item.kind} is not an image", "pass images only"))
            continue
        problems += _where_it_lives(ctx, where, item)
        problems += _image_limits(ctx, where, item, SEEDREAM_MAX_BYTES, aspect)
        size = item.pixel_size()
        if size and (min(size) <= 14 or size[0] * size[1] > SEEDREAM_MAX_PIXELS):
            rule = f"image is {size[0]}x{size[1]}; sides must exceed 14 px, area <= 6000x6000"
            problems.append(Problem(where, rule, "resize the image"))
    problems += _body_size(ctx, items)
    return problems


def _agg(rule: str, fix: str) -> Problem:
    return Problem("materials", rule, fix)


def _roles(ctx: Context, items: list[Material], image_count: int) -> list[Problem]:
    assert isinstance(ctx.request, VideoRequest)
    roles = [m.role for m in items if m.role]
    problems: list[Problem] = []
    frames = {"first_frame", "last_frame"} & set(roles)
    if frames and any(r.startswith("reference_") for r in roles):
        rule = "first/last frame roles cannot be mixed with reference roles"
        problems.append(_agg(rule, "use frames only, or references only"))
    for role in ("first_frame", "last_frame"):
        if roles.count(role) > 1:
            problems.append(_agg(f"more than one {role}", f"mark a single image as {role}"))
    if "last_frame" in roles and "first_frame" not in roles and image_count < 2:
        problems.append(_agg("a last frame needs a first frame", "add a first-frame image"))
    mode = ctx.request.mode
    if frames and mode is Mode.FIRST_LAST_FRAME and image_count > 2:
        problems.append(_agg("frame mode takes 2 images at most", "drop the extra images"))
    if image_count <= ctx.caps.max_images and mode not in ctx.caps.modes:
        problems += _mode_problem(ctx, mode)
    if ctx.provider != "ark" and roles:
        # maxapi and the OpenAI-style route choose the mode by count and cannot carry roles.
        counted = video_mode([m.with_role(None) for m in items])
        if counted is not mode:
            rule = f"{ctx.provider} picks {counted.value} for these materials, not {mode.value}"
            problems.append(_agg(rule, "remove the roles, or use provider 'ark'"))
    return problems


def _mode_problem(ctx: Context, mode: Mode) -> list[Problem]:
    if mode is Mode.MULTI_REFERENCE:
        rule = f"{ctx.model} takes images only as first/last frame, not as references"
        fix = "drop the reference_image roles" + ctx.or_models(lambda c: c.reference_images)
        return [_agg(rule, fix)]
    if mode is Mode.FIRST_LAST_FRAME:
        rule = f"{ctx.model} takes no last frame (first frame only)"
        return [_agg(rule, "use one image" + ctx.or_models(lambda c: c.last_frame))]
    return []  # multimodal is reported per video/audio item; draft by the draft rules


def _video_item(ctx: Context, index: int, item: Material) -> list[Problem]:
    where = f"materials[{index}]"
    if item.role and _ROLE_KIND[item.role] != item.kind:
        rule = f"role {item.role} needs an {_ROLE_KIND[item.role]}, not a {item.kind}"
        return [Problem(where, rule, "fix the role or the material")]
    if item.kind != "image" and not ctx.caps.max_videos:
        rule = f"{ctx.model} takes no {item.kind}; video and audio need the 2.0 family"
        fix = f"remove it{ctx.or_models(lambda c: c.max_videos > 0)}"
        return [Problem(where, rule, fix)]
    problems = _where_it_lives(ctx, where, item)
    if item.kind == "image":
        aspect = SEEDANCE_IMAGE_ASPECT
        problems += _image_limits(ctx, where, item, SEEDANCE_IMAGE_BYTES, aspect, exclusive=True)
        size, (low, high) = item.pixel_size(), SEEDANCE_IMAGE_SIDE
        if size and not (low <= min(size) and max(size) <= high):
            rule = f"image is {size[0]}x{size[1]}; each side must be {low}-{high} px"
            problems.append(Problem(where, rule, "resize the image"))
        return problems
    formats = VIDEO_FORMATS.get(ctx.provider, VIDEO_FORMATS_OTHER)
    formats = formats if item.kind == "video" else AUDIO_FORMATS
    problems += _extension(where, item, formats)
    cap = MAX_VIDEO_BYTES if item.kind == "video" else MAX_AUDIO_BYTES
    size_bytes = item.byte_size()
    if size_bytes is not None and size_bytes > cap:
        rule = f"{item.kind} is {size_bytes / _MB:.1f} MB, more than {cap // _MB} MB"
        problems.append(Problem(where, rule, "compress or trim it"))
    if item.is_local and item.exists():
        seconds = item.duration_seconds()
        if seconds is None:
            rule = f"cannot read this {item.kind}'s duration"
            problems.append(Problem(where, rule, "pass a valid mp4/mov or mp3/wav file"))
        elif item.kind == "video" and not VIDEO_SECONDS[0] <= seconds <= VIDEO_SECONDS[1]:
            rule = f"a reference video must last 2-15 s, this one lasts {seconds:.1f} s"
            problems.append(Problem(where, rule, "trim or replace it"))
    return problems


def _where_it_lives(ctx: Context, where: str, item: Material) -> list[Problem]:
    if item.is_local and not item.exists():
        return [Problem(where, f"file not found: {item.path}", "check the path")]
    if item.is_local and not ctx.will_upload and needs_url(item, ctx.provider):
        rule = f"{ctx.provider} takes {item.kind}s only as URLs, not local files"
        fix = "upload it and pass the https:// URL (the simulator uploads for you)"
        return [Problem(where, rule, fix)]
    return []


def needs_url(material: Material, provider: str) -> bool:
    """Whether ``material`` must be uploaded and passed as an ``http(s)`` URL on ``provider``.

    ModelArk takes images inline as base64 data URLs but videos and audio only as URLs (seed 001);
    maxapi takes only URLs (``mediaUrls`` / ``imageUrls``); the OpenAI-style route documents no
    inline media, so URLs are required there too.

    >>> needs_url(Material.image("photo.png"), "ark"), needs_url(Material.video("a.mp4"), "ark")
    (False, True)
    """
    if not material.is_local:
        return False
    return not (provider == "ark" and material.kind == "image")


def _image_limits(
    ctx: Context,
    where: str,
    item: Material,
    max_bytes: int,
    aspect: tuple[float, float],
    *,
    exclusive: bool = False,
) -> list[Problem]:
    problems: list[Problem] = []
    formats = ctx.caps.image_formats
    fmt = item.image_format()
    if fmt is not None and fmt not in formats:
        problems.append(Problem(where, f"{fmt} images are not accepted", f"use {one_of(formats)}"))
    elif fmt is None and item.is_local and item.exists():
        problems.append(Problem(where, "not a readable image", f"use {one_of(formats)}"))
    elif not item.is_local:
        names = tuple("." + f for f in formats) + ((".jpg",) if "jpeg" in formats else ())
        problems += _extension(where, item, names)
    size_bytes = item.byte_size()
    if size_bytes is not None and size_bytes >= max_bytes:
        rule = f"image is {size_bytes / _MB:.1f} MB; it must be under {max_bytes // _MB} MB"
        problems.append(Problem(where, rule, "compress it"))
    size = item.pixel_size()
    low, high = aspect
    ratio = size[0] / size[1] if size and size[1] else None
    inside = ratio is None or (low < ratio < high if exclusive else low <= ratio <= high)
    if size and not inside:
        rule = f"image aspect {size[0]}x{size[1]} is outside {low:.3g}-{high:.3g}"
        problems.append(Problem(where, rule, "crop it"))
    return problems


def _extension(where: str, item: Material, allowed: tuple[str, ...]) -> list[Problem]:
    ext = extension(item.url_or_none or str(item.path or ""))
    if ext and ext not in allowed:
        return [Problem(where, f"{ext} files are not accepted here", f"use {one_of(allowed)}")]
    return []


def _body_size(ctx: Context, items: list[Material]) -> list[Problem]:
    if ctx.provider != "ark":
        return []
    inline = [m.byte_size() or 0 for m in items if m.is_local and m.kind == "image"]
    encoded = sum(size * 4 // 3 for size in inline)
    if encoded > MAX_BODY_BYTES:
        rule = f"inline images make the body ~{encoded // _MB} MB; the limit is 64 MB"
        return [Problem("materials" if ctx.spec.kind == "video" else "images", rule, "use URLs")]
    return []
