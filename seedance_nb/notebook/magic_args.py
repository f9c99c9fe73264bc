"""From a ``%%seedance`` cell to a request: the magic's options, materials and prompt.

:func:`build` is the parse half of the magic (jupysql's shape): it turns the parsed options, the
cell body and the user's namespace into a :class:`Cell` holding a validated-shape request, raising
:class:`UsageError` (shown without a traceback) for anything the user must fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from IPython.core.error import UsageError

from .. import catalog, errors
from . import template

DEFAULT_VIDEO_MODEL = "seedance-2.0"

_VIDEO_ONLY = {
    "duration": "--duration",
    "generate_audio": "--audio/--no-audio",
    "return_last_frame": "--last-frame",
    "video": "--video",
    "audio_ref": "--audio-ref",
    "first_frame": "--first-frame",
    "last_frame_image": "--last-frame-image",
}
_IMAGE_ONLY = {"size": "--size", "n": "-n/--count"}


@dataclass(frozen=True)
class Cell:
    """What one ``%%seedance`` cell asks for."""

    request: Any  # VideoRequest | ImageRequest
    provider: str | None
    out: str | None
    dry_run: bool
    embed: bool


def build(args: Any, body: str, user_ns: Mapping[str, Any]) -> Cell:
    """Parse the options ``args`` (from ``magic_arguments``) and the cell ``body``."""
    from ..materials import Material
    from ..requests import ImageRequest, VideoRequest

    prompt = _prompt(body, user_ns)
    model = args.model or DEFAULT_VIDEO_MODEL
    spec = catalog.find(model)
    if spec is None:
        problem = catalog.model_problem(model, args.provider or "ark")
        fix = problem.fix if problem else "run %seedance models"
        raise UsageError(f"unknown model {model!r}. Fix: {fix}")
    if args.out is not None and not args.out.isidentifier():
        raise UsageError(f"-o needs a variable name, got {args.out!r}")

    common = {"model": model, "prompt": prompt, "seed": args.seed, "tags": list(args.tag or [])}
    common["ratio"] = args.ratio
    common["resolution"] = args.resolution
    if spec.kind == "image":
        _refuse(args, _VIDEO_ONLY, f"{spec.short} makes images")
        images = [_material(v, user_ns, None, "image") for v in args.image or []]
        make: Any = ImageRequest
        fields = {**common, "images": images, "size": args.size, "n": args.n}
    else:
        _refuse(args, _IMAGE_ONLY, f"{spec.short} makes videos")
        materials: list[Material] = []
        materials += [
            _material(v, user_ns, "first_frame", "image") for v in _list(args.first_frame)
        ]
        materials += [
            _material(v, user_ns, "last_frame", "image") for v in _list(args.last_frame_image)
        ]
        materials += [_material(v, user_ns, None, None) for v in args.image or []]
        materials += [_material(v, user_ns, "reference_video", "video") for v in args.video or []]
        materials += [
            _material(v, user_ns, "reference_audio", "audio") for v in args.audio_ref or []
        ]
        make = VideoRequest
        fields = {
            **common,
            "materials": materials,
            "duration": args.duration,
            "generate_audio": args.generate_audio,
            "return_last_frame": True if args.last_frame else None,
        }
    try:
        request = make(**{k: v for k, v in fields.items() if v is not None})
    except errors.ValidationError as exc:
        raise UsageError(str(exc)) from None
    return Cell(request, args.provider, args.out, bool(args.dry_run), bool(args.embed))


def _prompt(body: str, user_ns: Mapping[str, Any]) -> str:
    text = body.strip()
    if not text:
        raise UsageError("the prompt goes in the cell body, below the %%seedance line")
    try:
        return template.fill(text, user_ns)
    except template.TemplateError as exc:
        raise UsageError(str(exc)) from None


def _list(value: Any) -> list[Any]:
    return [] if value is None else [value]


def _refuse(args: Any, names: Mapping[str, str], why: str) -> None:
    used = [flag for name, flag in names.items() if getattr(args, name, None) not in (None, [])]
    if used:
        raise UsageError(f"{', '.join(used)} cannot be used: {why}. Fix: remove it or pick -m")


def _material(value: str, user_ns: Mapping[str, Any], role: Any, kind: str | None) -> Any:
    """A Material from a URL, a path, or the name of a notebook variable."""
    from ..materials import Material

    source: Any
    if value.isidentifier() and value in user_ns:
        source = _from_variable(value, user_ns[value])
    elif value.lower().startswith(("http://", "https://", "data:")):
        source = value
    else:
        path = Path(value).expanduser()
        if not path.is_file():
            raise UsageError(
                f"{value!r} is neither a URL, a file, nor a notebook variable. "
                "Fix: give an http(s) URL, an existing path, or the name of a variable holding "
                "a PIL image, bytes or a finished task"
            )
        source = path
    try:
        if kind == "image":
            return Material.image(source, role=role)
        if kind == "video":
            return Material.video(source, role=role)
        if kind == "audio":
            return Material.audio(source, role=role)
        return Material.of(source, role=role)
    except (ValueError, errors.ValidationError) as exc:
        raise UsageError(f"{value}: {exc}") from None


def _from_variable(name: str, obj: Any) -> Any:
    """A variable's value as a material source; a finished task gives its last frame or image."""
    from ..materials import Material

    if isinstance(obj, Material):
        return obj.source
    files = getattr(obj, "files", None)
    if files is not None and hasattr(obj, "request"):
        images = [
            Path(f) for f in files if Path(f).suffix.lower() in (".png", ".jpg", ".jpeg", ".webp")
        ]
        if not images:
            raise UsageError(
                f"task {name!r} has no saved image yet (a video task needs --last-frame to return "
                f"its last frame). Fix: `await {name}` first, or rerun it with --last-frame"
            )
        return images[-1]
    return obj
