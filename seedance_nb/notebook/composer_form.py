"""The Composer's logic without the widget: which controls a model gets, and the request it makes.

>>> controls("seedance-2.0-fast", "maxapi-openai")["resolutions"]
['720p', '480p']
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

from .. import catalog, errors
from . import composer_options

# Controls the Composer offers, each shown only when the model and dialect carry it.
VIDEO_OPTIONS = ("resolution", "ratio", "duration", "seed", "generate_audio", "return_last_frame")
IMAGE_OPTIONS = ("size", "ratio", "resolution", "seed", "n")
THUMB_SIDE = 96


def model_choices(provider: str) -> list[dict[str, str]]:
    """``[{name, title, kind}]`` for every model ``provider`` offers, video first."""
    return [
        {"name": s.short, "title": s.title, "kind": s.kind} for s in catalog.models_for(provider)
    ]


def controls(model: str, provider: str) -> dict[str, Any]:
    """What the form offers for ``model`` on ``provider`` (empty lists: not offered)."""
    spec = catalog.resolve(model, provider)
    caps = catalog.capabilities(spec, provider)
    carried = caps.options
    offered = VIDEO_OPTIONS if spec.kind == "video" else IMAGE_OPTIONS
    roles = ["auto"]
    if spec.kind == "video":
        roles.append("first_frame")
        if caps.last_frame:
            roles.append("last_frame")
        if caps.reference_images:
            roles.append("reference_image")
        if caps.max_videos:
            roles.append("reference_video")
        if caps.max_audios:
            roles.append("reference_audio")
    elif caps.max_refs:
        roles.append("reference_image")
    listed, blank = composer_options.choices(spec, caps, provider)
    return {
        "kind": spec.kind,
        "options": [
            o for o in offered if o in carried and _offers(caps, o, spec.kind, provider, listed)
        ],
        "choices": listed,
        "blank": blank,
        "resolutions": list(caps.resolutions if spec.kind == "video" else ()),
        "default_resolution": caps.default_resolution,
        "ratios": list(caps.ratios),
        "default_ratio": caps.default_ratio,
        "durations": list(caps.durations),
        "auto_duration": caps.auto_duration,
        "default_duration": caps.default_duration,
        "sizes": list(caps.size_tiers),
        "default_size": caps.default_size,
        "n_range": list(caps.n_range) if caps.n_range else [],
        "roles": roles,
        "accepts_materials": len(roles) > 1,
    }


def _offers(caps: Any, option: str, kind: str, provider: str, listed: dict[str, Any]) -> bool:
    if option in listed and not listed[option]:
        return False  # nothing to choose from on this dialect (e.g. sizes off ModelArk)
    if option == "generate_audio":
        return bool(caps.generate_audio)
    if option == "return_last_frame":
        return bool(caps.return_last_frame)
    if option == "seed" and kind == "image":
        return bool(caps.seed)
    if option == "n":
        return caps.n_range is not None
    if option == "size":
        return bool(caps.size_tiers) and provider == "ark"
    return True


def build_request(model: str, prompt: str, options: Mapping[str, Any], materials: list[Any]) -> Any:
    """The request the form describes; raises :class:`errors.ValidationError` on bad values."""
    from ..requests import ImageRequest, VideoRequest

    spec = catalog.find(model)
    kind = spec.kind if spec is not None else "video"
    allowed = VIDEO_OPTIONS if kind == "video" else IMAGE_OPTIONS
    fields = {k: _coerce(k, v) for k, v in options.items() if k in allowed and v not in (None, "")}
    if kind == "image":
        return ImageRequest(model=model, prompt=prompt, images=list(materials), **fields)
    return VideoRequest(model=model, prompt=prompt, materials=list(materials), **fields)


def _coerce(name: str, value: Any) -> Any:
    if name in ("duration", "seed", "n"):
        try:
            return int(value)
        except (TypeError, ValueError):
            raise errors.ValidationError(
                [_problem(name, f"{value!r} is not a whole number", "enter a number")]
            ) from None
    if name in ("generate_audio", "return_last_frame"):
        return bool(value)
    return value


def _problem(field: str, rule: str, fix: str) -> Any:
    from ..problems import Problem

    return Problem(field, rule, fix)


def describe(material: Any, label: str | None = None) -> dict[str, Any]:
    """What an attachment shows: name, kind, role and a small thumbnail (data URL or "")."""
    return {
        "name": label or material.name,
        "kind": material.kind,
        "role": material.role or "auto",
        "thumb": thumbnail(material),
    }


def thumbnail(material: Any) -> str:
    """A small JPEG data URL of a local image or a video's first frame; "" otherwise."""
    if material.kind == "audio" or not material.is_local:
        return ""
    try:
        data = material.read_bytes()
        image = _first_frame(data) if material.kind == "video" else _image(data)
    except Exception:  # no thumbnail for content that cannot be decoded; validation says why
        return ""
    if image is None:
        return ""
    image.thumbnail((THUMB_SIDE, THUMB_SIDE))
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=70)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _image(data: bytes) -> Any:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as opened:
        return opened.convert("RGB")


def _first_frame(data: bytes) -> Any:
    import av

    with av.open(io.BytesIO(data)) as container:
        for frame in container.decode(video=0):
            return frame.to_image()
    return None
