"""Turning command-line arguments, or a request body exactly as the documents write it, into a request."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..problems import Problem


def add_request_arguments(parser: argparse.ArgumentParser) -> None:
    """The options shared by ``validate``, ``estimate`` and ``submit``."""
    group = parser.add_argument_group("request")
    group.add_argument(
        "--body", type=Path, help="a JSON request body as the API documents write it"
    )
    group.add_argument("-m", "--model", help="short name (seedance-2.0) or the dialect's own id")
    group.add_argument("--prompt", help="the prompt text")
    group.add_argument("--image", action="append", default=[], help="image URL or path (repeat)")
    group.add_argument("--video", action="append", default=[], help="reference video (repeat)")
    group.add_argument("--audio-ref", action="append", default=[], help="reference audio (repeat)")
    group.add_argument("--first-frame", help="image used as the first frame")
    group.add_argument("--last-frame-image", help="image used as the last frame")
    group.add_argument("--resolution")
    group.add_argument("--ratio")
    group.add_argument("--duration", type=int)
    group.add_argument("--frames", type=int)
    group.add_argument("--seed", type=int)
    group.add_argument("--size", help="Seedream size: 2K, 4K or WxH")
    group.add_argument("-n", type=int, dest="n", help="Seedream: number of images")
    audio = group.add_mutually_exclusive_group()
    audio.add_argument("--audio", dest="generate_audio", action="store_true", default=None)
    audio.add_argument("--no-audio", dest="generate_audio", action="store_false")
    group.add_argument("--last-frame", dest="return_last_frame", action="store_true", default=None)
    group.add_argument("--tag", action="append", default=[], help="tag for the history (repeat)")
    group.add_argument(
        "-O",
        "--option",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="any other request field, VALUE as JSON where it parses (e.g. -O watermark=true)",
    )


def _option_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def request_from_args(args: argparse.Namespace) -> Any:
    """A VideoRequest or ImageRequest from the arguments (or ``--body``)."""
    from ..requests import ImageRequest, VideoRequest

    if args.body is not None:
        return request_from_body(args.body, args.provider)
    if not args.model:
        raise ValidationError([Problem("model", "a model is required", "pass -m seedance-2.0")])
    from .. import catalog

    spec = catalog.find(args.model)
    extra: dict[str, Any] = {}
    for item in args.option:
        field, sep, value = item.partition("=")
        if not sep:
            raise ValidationError(
                [Problem(field, "an option needs FIELD=VALUE", f"write -O {field}=VALUE")]
            )
        extra[field.strip().replace("-", "_")] = _option_value(value)
    common = {
        "model": args.model,
        "prompt": args.prompt,
        "seed": args.seed,
        "tags": list(args.tag),
        **extra,
    }
    if spec is not None and spec.kind == "image":
        fields = {
            **common,
            "images": [_material(src) for src in args.image],
            "size": args.size,
            "ratio": args.ratio,
            "resolution": args.resolution,
            "n": args.n,
        }
        return ImageRequest(**_set(fields))
    materials = [_material(src, "first_frame") for src in _one(args.first_frame)]
    materials += [_material(src, "last_frame") for src in _one(args.last_frame_image)]
    materials += [_material(src) for src in args.image]
    materials += [_material(src, "reference_video", "video") for src in args.video]
    materials += [_material(src, "reference_audio", "audio") for src in args.audio_ref]
    fields = {
        **common,
        "materials": materials,
        "resolution": args.resolution,
        "ratio": args.ratio,
        "duration": args.duration,
        "frames": args.frames,
        "generate_audio": args.generate_audio,
        "return_last_frame": args.return_last_frame,
    }
    return VideoRequest(**_set(fields))


def _set(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None and v != []}


def _one(value: str | None) -> list[str]:
    return [value] if value else []


def _material(src: str, role: Any = None, kind: str | None = None) -> Any:
    from ..materials import Material

    source: Any = src
    if "://" not in src and not src.startswith("data:"):
        source = Path(src).expanduser()
    if kind == "video":
        return Material.video(source, role=role)
    if kind == "audio":
        return Material.audio(source, role=role)
    return Material.of(source, role=role) if role else Material.of(source)


def request_from_body(path: Path, provider: str | None) -> Any:
    """Parse a documented request body; its shape says which dialect wrote it."""
    from ..requests import ImageRequest, VideoRequest

    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(
            [Problem("--body", f"cannot read {path}: {exc}", "pass a JSON file")]
        ) from None
    if not isinstance(body, dict):
        raise ValidationError([Problem("--body", "the body is not a JSON object", "fix the file")])
    if "content" in body:
        return VideoRequest.from_ark_body(body)
    if "input" in body:
        is_image = str(body.get("model", "")).startswith("seedream")
        return (ImageRequest if is_image else VideoRequest).from_maxapi_body(body)
    if "mode" in body or str(body.get("model", "")).startswith("model/"):
        return VideoRequest.from_openai_body(body)
    if "prompt" in body:
        return ImageRequest.from_ark_body(body)
    raise ValidationError(
        [
            Problem(
                "--body",
                "not a documented request shape (no content, input or prompt)",
                "pass a ModelArk create body, a task API submit body or a Seedream body",
            )
        ]
    )


def provider_for_body(path: Path | None, provider: str | None) -> str | None:
    """The dialect a documented body belongs to, when the user did not say."""
    if provider or path is None:
        return provider
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return provider
    if isinstance(body, dict) and "input" in body:
        return "maxapi"
    if isinstance(body, dict) and (
        "mode" in body or str(body.get("model", "")).startswith("model/")
    ):
        return "maxapi-openai"
    return "ark" if isinstance(body, dict) else provider
