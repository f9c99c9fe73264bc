"""Reading request bodies exactly as the API documents write them (for ``seedance validate``).

Each function turns one dialect's JSON body into keyword arguments for ``VideoRequest`` or
``ImageRequest``. JSON ``null`` counts as "not set" (the official SDK sends nulls for every unset
field, FACTS §1.2). Keys the document does not define are refused by name.
"""

from __future__ import annotations

from typing import Any

from . import errors
from .materials import Kind, Material
from .media_probe import kind_from_name
from .modes import OPENAI_MODES, Mode
from .problems import Problem

_ARK_VIDEO_FIELDS = {
    "callback_url",
    "return_last_frame",
    "service_tier",
    "execution_expires_after",
    "generate_audio",
    "draft",
    "tools",
    "safety_identifier",
    "priority",
    "resolution",
    "ratio",
    "duration",
    "frames",
    "seed",
    "camera_fixed",
    "watermark",
}
_ARK_CONTENT_KINDS: dict[str, Kind] = {
    "image_url": "image",
    "video_url": "video",
    "audio_url": "audio",
}
_ROLES = ("first_frame", "last_frame", "reference_image", "reference_video", "reference_audio")
_ARK_IMAGE_FIELDS = {"size", "seed", "response_format", "watermark", "guidance_scale"}
_ARK_IMAGE_FIELDS |= {"output_format", "tools"}
_MAXAPI_VIDEO_INPUT = {"prompt", "mediaUrls", "imageUrls", "ratio", "resolution", "duration"}
_MAXAPI_VIDEO_INPUT |= {"fallback"}
_MAXAPI_IMAGE_INPUT = {"prompt", "imageUrls", "ratio", "resolution", "n"}
# Seed 003 documents no field for input media; the adapter sends images / videos / audios, and
# these spellings are read back so such bodies can still be checked.
_OPENAI_MEDIA_KEYS: dict[str, Kind | None] = {
    "images": "image",
    "videos": "video",
    "audios": "audio",
    "image_urls": "image",
    "media_urls": None,
}
_OPENAI_FIELDS = {"prompt", "ratio", "duration", "mode", "resolution", "route_mode"}
_OPENAI_FIELDS |= {"asset_delivery", *_OPENAI_MEDIA_KEYS}


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise errors.ValidationError([Problem(where, "must be a JSON object", "pass {...}")])
    return {k: v for k, v in value.items() if v is not None}


def _unknown(body: dict[str, Any], known: set[str], where: str, doc: str) -> list[Problem]:
    return [
        Problem(f"{where}{key}", f"not a field of the {doc}", "remove it or fix its spelling")
        for key in body
        if key not in known
    ]


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise errors.ValidationError(problems)


def _url_material(url: Any, where: str) -> Material:
    if not isinstance(url, str) or not url:
        raise errors.ValidationError([Problem(where, "must be a URL string", "pass a URL")])
    # The maxapi endpoint picks the kind itself; an extension-less URL is taken as an image.
    return Material(source=url, kind=kind_from_name(url) or "image")


def ark_video(body: dict[str, Any]) -> dict[str, Any]:
    """``VideoRequest`` kwargs from a ModelArk ``/contents/generations/tasks`` body."""
    body = _object(body, "body")
    problems = _unknown(body, _ARK_VIDEO_FIELDS | {"model", "content"}, "", "ark video body")
    kwargs: dict[str, Any] = {k: v for k, v in body.items() if k in _ARK_VIDEO_FIELDS}
    kwargs["model"] = body.get("model", "")
    texts: list[str] = []
    materials: list[Material] = []
    content = body.get("content", [])
    if not isinstance(content, list):
        problems.append(Problem("content", "must be a list of items", "pass [{...}, ...]"))
        content = []
    for index, raw in enumerate(content):
        item = _object(raw, f"content[{index}]")
        kind = item.get("type")
        if kind == "text":
            texts.append(str(item.get("text", "")))
        elif kind in _ARK_CONTENT_KINDS:
            url = _object(item.get(kind, {}), f"content[{index}].{kind}").get("url")
            role = item.get("role")
            if role is not None and role not in _ROLES:
                problems.append(
                    Problem(f"content[{index}].role", f"unknown role {role!r}", f"use {_ROLES}")
                )
                role = None
            materials.append(
                Material(source=str(url or ""), kind=_ARK_CONTENT_KINDS[kind], role=role)
            )
        elif kind == "draft_task":
            kwargs["draft_task_id"] = _object(item.get("draft_task"), "draft_task").get("id")
        else:
            problems.append(
                Problem(
                    f"content[{index}].type",
                    f"unknown content type {kind!r}",
                    "use text, image_url, video_url, audio_url or draft_task",
                )
            )
    _raise_if(problems)
    kwargs["prompt"] = "\n".join(texts)
    kwargs["materials"] = materials
    return kwargs


def maxapi_video(body: dict[str, Any]) -> dict[str, Any]:
    """``VideoRequest`` kwargs from a maxapi ``/api/v1/task/submit`` Seedance body."""
    body = _object(body, "body")
    problems = _unknown(body, {"model", "callBackUrl", "input"}, "", "maxapi body")
    data = _object(body.get("input", {}), "input")
    problems += _unknown(data, _MAXAPI_VIDEO_INPUT, "input.", "maxapi Seedance input")
    _raise_if(problems)
    urls = data.get("mediaUrls", data.get("imageUrls", []))
    kwargs: dict[str, Any] = {
        "model": body.get("model", ""),
        "prompt": data.get("prompt", ""),
        "materials": [_url_material(u, f"input.mediaUrls[{i}]") for i, u in enumerate(urls)],
        "callback_url": body.get("callBackUrl"),
    }
    for key in ("ratio", "resolution", "duration", "fallback"):
        kwargs[key] = data.get(key)
    return kwargs


def openai_video(body: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """``VideoRequest`` kwargs and the body's ``mode`` from a ``/v1/videos/generations`` body."""
    body = _object(body, "body")
    _raise_if(_unknown(body, _OPENAI_FIELDS | {"model"}, "", "OpenAI-style video body"))
    materials: list[Material] = []
    for key, kind in _OPENAI_MEDIA_KEYS.items():
        value = body.get(key, [])
        for index, url in enumerate(value if isinstance(value, list) else [value]):
            item = _url_material(url, f"{key}[{index}]")
            materials.append(item if kind is None else Material(source=item.source, kind=kind))
    kwargs = {k: body.get(k) for k in _OPENAI_FIELDS - {"mode", *_OPENAI_MEDIA_KEYS}}
    kwargs["model"] = body.get("model", "")
    kwargs["prompt"] = body.get("prompt") or ""
    kwargs["materials"] = materials
    return kwargs, body.get("mode")


def check_openai_mode(stated: str | None, derived: Mode) -> None:
    """Refuse a body whose ``mode`` disagrees with what its media select."""
    expected = OPENAI_MODES.get(derived)
    if stated is not None and stated != expected:
        raise errors.ValidationError(
            [
                Problem(
                    "mode",
                    f"mode {stated!r} does not match the media given ({expected})",
                    f"use mode {expected!r}, or change the media",
                )
            ]
        )


def ark_image(body: dict[str, Any]) -> dict[str, Any]:
    """``ImageRequest`` kwargs from a ModelArk ``/images/generations`` body."""
    body = _object(body, "body")
    known = _ARK_IMAGE_FIELDS | {"model", "prompt", "image", "stream"}
    known |= {"sequential_image_generation", "sequential_image_generation_options"}
    known |= {"optimize_prompt_options"}
    problems = _unknown(body, known, "", "ark image body")
    if body.get("stream"):
        problems.append(
            Problem("stream", "streamed image responses are not supported", "remove stream")
        )
    _raise_if(problems)
    kwargs: dict[str, Any] = {k: v for k, v in body.items() if k in _ARK_IMAGE_FIELDS}
    kwargs["model"] = body.get("model", "")
    kwargs["prompt"] = body.get("prompt", "")
    images = body.get("image", [])
    kwargs["images"] = [
        Material.image(u) for u in (images if isinstance(images, list) else [images])
    ]
    kwargs["sequential"] = body.get("sequential_image_generation")
    options = _object(body.get("sequential_image_generation_options", {}), "options")
    kwargs["max_images"] = options.get("max_images")
    kwargs["optimize_prompt"] = _object(body.get("optimize_prompt_options", {}), "o").get("mode")
    return kwargs


def maxapi_image(body: dict[str, Any]) -> dict[str, Any]:
    """``ImageRequest`` kwargs from a maxapi ``/api/v1/task/submit`` Seedream body."""
    body = _object(body, "body")
    problems = _unknown(body, {"model", "callBackUrl", "input"}, "", "maxapi body")
    data = _object(body.get("input", {}), "input")
    problems += _unknown(data, _MAXAPI_IMAGE_INPUT, "input.", "maxapi Seedream input")
    _raise_if(problems)
    return {
        "model": body.get("model", ""),
        "prompt": data.get("prompt", ""),
        "images": [Material.image(u) for u in data.get("imageUrls", [])],
        "ratio": data.get("ratio"),
        "resolution": data.get("resolution"),
        "n": data.get("n"),
    }
