"""Local validation: every documented rule, checked before anything is sent.

:func:`check` returns every :class:`Problem` of a request on one dialect; :func:`validate` raises
:class:`seedance_nb.errors.ValidationError` carrying them. Each problem names the field, the rule
and the fix::

    resolution: seedance-2.0-fast does not offer 1080p. Fix: use 720p or 480p, or model seedance-2.0

Video rules live in ``validation_video``, image rules in ``validation_image``, checks of the
media themselves in ``validation_media``; this module holds the rules every request shares (model,
dialect, prompt, ``@N`` references, options a dialect cannot carry).

>>> from seedance_nb.requests import VideoRequest
>>> [str(p) for p in check(VideoRequest(model="seedance-2.0", prompt="x", frames=57), "ark")]
['frames: seedance-2.0 does not take frames (only Seedance 1.0 models do). Fix: use duration (4-15 s)']
"""

from __future__ import annotations

import re

from . import catalog, errors
from .modes import Mode
from .problems import Problem, Problems
from .requests import ImageRequest, VideoRequest
from .rule_context import Context
from .validation_image import image_problems
from .validation_media import needs_url
from .validation_video import video_problems

__all__ = ["Problem", "check", "needs_url", "validate"]

MAX_PROMPT_CHARS = 10_000  # Seedream mirror documents 1-10000; used for Seedance too as a guard

# Which dialects carry a field, for the fix text when another dialect cannot.
_ONLY_ON = {
    "fallback": "maxapi",
    "route_mode": "maxapi-openai",
    "asset_delivery": "maxapi-openai",
}
_FIXES = {
    ("sequential", "maxapi"): "use n (maxapi has no sequential mode)",
    ("max_images", "maxapi"): "use n (maxapi has no max_images)",
}


def check(
    request: VideoRequest | ImageRequest,
    provider: str,
    *,
    volcengine: bool = False,
    will_upload: bool = False,
) -> Problems:
    """Every problem of ``request`` on ``provider`` (an empty list means it may be sent).

    The list shows itself as a table in a notebook and as numbered lines in a terminal.

    ``volcengine=True`` says the ark host is Volcengine (cn-beijing), where Seedance's
    ``web_search`` tool exists; the BytePlus (overseas) host does not have it. A ``doubao-`` model
    id implies Volcengine. ``will_upload=True`` says the caller uploads local media that the
    dialect needs as URLs (see :func:`needs_url`), so those are not refused.
    """
    return Problems(_problems(request, provider, volcengine, will_upload))


def _problems(
    request: VideoRequest | ImageRequest, provider: str, volcengine: bool, will_upload: bool
) -> list[Problem]:
    if provider not in catalog.PROVIDERS:
        fix = f"use one of: {', '.join(catalog.PROVIDERS)}"
        return [Problem("provider", f"unknown provider {provider!r}", fix)]
    model_problem = catalog.model_problem(request.model, provider)
    if model_problem is not None:
        return [model_problem]
    spec = catalog.resolve(request.model, provider)
    if spec.kind != request.kind:
        other = "ImageRequest" if spec.kind == "image" else "VideoRequest"
        shorts = [s.short for s in catalog.models_for(provider) if s.kind == request.kind]
        fix = f"use {other} for it, or one of {', '.join(shorts)}"
        article = "an" if spec.kind == "image" else "a"
        return [Problem("model", f"{spec.short} is {article} {spec.kind} model", fix)]
    ctx = Context(
        request=request,
        provider=provider,
        spec=spec,
        caps=catalog.capabilities(spec, provider),
        volcengine=volcengine or request.model.lower().startswith("doubao-"),
        will_upload=will_upload,
    )
    problems = _carried(ctx)
    problems += _prompt(ctx)
    if isinstance(request, VideoRequest):
        problems += video_problems(ctx)
    else:
        problems += image_problems(ctx)
    return problems


def validate(
    request: VideoRequest | ImageRequest,
    provider: str,
    *,
    volcengine: bool = False,
    will_upload: bool = False,
) -> None:
    """Raise :class:`errors.ValidationError` listing every problem, or return quietly.

    >>> validate(VideoRequest(prompt="a calm ocean wave at sunrise"), "ark")
    """
    problems = check(request, provider, volcengine=volcengine, will_upload=will_upload)
    if problems:
        raise errors.ValidationError(problems)


def _carried(ctx: Context) -> list[Problem]:
    problems = []
    for name in ctx.request.fields_set():
        if name in ctx.caps.options:
            continue
        ctx.refused.add(name)
        where = _ONLY_ON.get(name, "ark")
        fix = _FIXES.get((name, ctx.provider), f"remove {name}, or use provider {where!r}")
        problems.append(Problem(name, f"{ctx.provider} cannot carry {name}", fix))
    return problems


def _control_character(text: str) -> Problem | None:
    """The first control character (other than tab and line breaks) or lone surrogate: some
    gateways cut the prompt there, others refuse it after charging nothing or something."""
    for i, char in enumerate(text):
        code = ord(char)
        if char in "\t\n\r":
            continue
        if code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF:
            before = text[max(0, i - 12) : i].replace("\n", " ")
            where = f" (after {before!r})" if before.strip() else ""
            return Problem(
                "prompt",
                f"the prompt has a control character U+{code:04X} at position {i + 1}{where}",
                "remove it (pasted text can carry invisible characters)",
            )
    return None


def _prompt(ctx: Context) -> list[Problem]:
    bad = _control_character(ctx.request.prompt or "")
    if bad is not None:
        return [bad]
    prompt = ctx.request.prompt.strip()
    mode = ctx.request.mode
    if not prompt:
        # ModelArk: text is optional once there are images/videos (seed 004); maxapi and the
        # OpenAI-style route document no request without one, so they require it (stricter).
        if mode in (Mode.TEXT, Mode.TEXT_TO_IMAGE, Mode.IMAGE_TO_IMAGE) or ctx.provider != "ark":
            return [Problem("prompt", "a prompt is required here", "describe what to generate")]
        return []
    if len(prompt) > MAX_PROMPT_CHARS:
        rule = f"the prompt has {len(prompt)} characters, more than {MAX_PROMPT_CHARS}"
        return [Problem("prompt", rule, "shorten it (the docs advise a few hundred words)")]
    return _references(ctx, prompt)


_POSITION_REF = re.compile(r"(?<![\w.@])@(\d+)(?!\d)")
_KIND_REF = re.compile(r"@(image|img|video|audio|图片|图|视频|音频)\s?(\d+)", re.IGNORECASE)
_KIND_WORDS = {"image": "image", "img": "image", "图片": "image", "图": "image"}
_KIND_WORDS |= {"video": "video", "视频": "video", "audio": "audio", "音频": "audio"}


def _references(ctx: Context, prompt: str) -> list[Problem]:
    media = ctx.request.inputs
    problems = []
    for match in _POSITION_REF.finditer(prompt):
        number = int(match.group(1))
        if not 1 <= number <= len(media):
            rule = f"{match.group(0)} points past the {len(media)} material(s) attached"
            fix = f"use @1 to @{len(media)}, or add materials" if media else "attach materials"
            problems.append(Problem("prompt", rule, fix))
    for match in _KIND_REF.finditer(prompt):
        kind = _KIND_WORDS[match.group(1).lower()]
        count = sum(1 for m in media if m.kind == kind)
        if not 1 <= int(match.group(2)) <= count:
            rule = f"{match.group(0)} points past the {count} {kind}(s) attached"
            problems.append(Problem("prompt", rule, f"refer to an attached {kind} or add one"))
    return problems
