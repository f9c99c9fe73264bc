"""Seedance rules: options per model and dialect (seed 004, FACTS §1.2, §1.9, §7, seed 003)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse

from .modes import Mode
from .problems import Problem
from .requests import VideoRequest
from .rule_context import Context, one_of
from .validation_media import video_material_problems

SEED_MAX = 2**32 - 1
EXPIRES_RANGE = (3600, 259_200)
ROUTE_MODES = ("official", "official-cheap", "mix")
ASSET_DELIVERY = ("mirror",)
_REFERENCE_MODES = (Mode.MULTI_REFERENCE, Mode.MULTIMODAL)


def video_problems(ctx: Context) -> list[Problem]:
    """All Seedance problems of ``ctx.request`` beyond the shared ones."""
    problems = video_material_problems(ctx)
    for rule in (_resolution, _ratio, _duration, _frames, _draft, _tiers, _switches, _strings):
        problems += rule(ctx)
    return problems


def _req(ctx: Context) -> VideoRequest:
    assert isinstance(ctx.request, VideoRequest)
    return ctx.request


def _resolution(ctx: Context) -> list[Problem]:
    value, caps = _req(ctx).resolution, ctx.caps
    if not ctx.is_set("resolution") or value in caps.resolutions:
        return []
    more = ctx.or_models(lambda c: value in c.resolutions)
    where = "" if ctx.provider == "ark" else f" on {ctx.provider}"
    rule = f"{ctx.model} does not offer {value}{where}"
    best_first = sorted(caps.resolutions, key=lambda r: -int(r.rstrip("p")))
    return [Problem("resolution", rule, f"use {one_of(best_first)}{more}")]


def _ratio(ctx: Context) -> list[Problem]:
    req, caps = _req(ctx), ctx.caps
    if not ctx.is_set("ratio"):
        return []
    if req.ratio not in caps.ratios:
        more = ctx.or_models(lambda c: req.ratio in c.ratios)
        rule = f"{ctx.model} on {ctx.provider} does not offer ratio {req.ratio}"
        return [Problem("ratio", rule, f"use {one_of(caps.ratios)}{more}")]
    if req.ratio == "adaptive" and caps.adaptive_needs_image and not req.materials:
        rule = f"{ctx.model} offers adaptive only for image-to-video"
        return [Problem("ratio", rule, "pick a ratio such as 16:9, or add a first-frame image")]
    return []


def _duration(ctx: Context) -> list[Problem]:
    value, caps = _req(ctx).duration, ctx.caps
    if not ctx.is_set("duration") or value in caps.durations:
        return []
    if value == -1 and caps.auto_duration:
        return []
    low, high = caps.min_duration, caps.max_duration
    allowed = (
        one_of([str(d) for d in caps.durations]) if len(caps.durations) < 4 else f"{low}-{high}"
    )
    auto = " or -1 (the model chooses)" if caps.auto_duration else ""
    rule = f"{ctx.model} on {ctx.provider} takes durations {allowed} s{auto}, not {value}"
    fix = f"use {allowed} s{auto}"
    if value == -1:
        fix = f"pick {allowed} s" + ctx.or_models(lambda c: c.auto_duration)
    return [Problem("duration", rule, fix)]


def _frames(ctx: Context) -> list[Problem]:
    req, caps = _req(ctx), ctx.caps
    if not ctx.is_set("frames") or req.frames is None:
        return []
    if not caps.frames:
        low, high = caps.min_duration, caps.max_duration
        rule = f"{ctx.model} does not take frames (only Seedance 1.0 models do)"
        return [Problem("frames", rule, f"use duration ({low}-{high} s)")]
    problems = []
    if not (29 <= req.frames <= 289 and (req.frames - 25) % 4 == 0):
        nearest = min(range(29, 290, 4), key=lambda f: abs(f - req.frames))  # type: ignore[operator]
        rule = f"frames must be 25 + 4n within [29, 289], not {req.frames}"
        problems.append(Problem("frames", rule, f"use {nearest} ({nearest / 24:.3f} s)"))
    if ctx.is_set("duration"):
        # The API silently lets frames win; refusing both avoids a surprise length.
        rule = "frames and duration are both set (frames would win)"
        problems.append(Problem("duration", rule, "set only one of them"))
    return problems


def _draft(ctx: Context) -> list[Problem]:
    req, caps = _req(ctx), ctx.caps
    problems = []
    if ctx.is_set("draft") and req.draft:
        if not caps.draft:
            fix = "remove draft" + ctx.or_models(lambda c: c.draft)
            problems.append(Problem("draft", f"{ctx.model} has no draft mode", fix))
        else:
            if req.resolution != "480p":
                # seed 004: drafts are 480p; any other resolution is an error. The default is
                # 720p, so 480p must be set explicitly.
                rule = "draft videos are 480p only"
                problems.append(Problem("resolution", rule, "set resolution='480p'"))
            if req.return_last_frame:
                rule = "draft mode cannot return the last frame"
                problems.append(Problem("return_last_frame", rule, "remove return_last_frame"))
            if req.service_tier == "flex":
                rule = "draft mode does not run on the flex tier"
                problems.append(Problem("service_tier", rule, "remove service_tier"))
            if req.draft_task_id:
                rule = "draft=True makes a draft; draft_task_id turns one into the final video"
                problems.append(Problem("draft", rule, "use one of them"))
    if ctx.is_set("draft_task_id"):
        if not caps.draft:
            fix = "remove it" + ctx.or_models(lambda c: c.draft)
            rule = f"{ctx.model} has no draft mode, so no draft_task_id"
            problems.append(Problem("draft_task_id", rule, fix))
        elif req.materials:
            rule = "a final video from a draft reuses the draft's media"
            problems.append(Problem("materials", rule, "remove the materials"))
    return problems


def _tiers(ctx: Context) -> list[Problem]:
    req, caps = _req(ctx), ctx.caps
    problems = []
    if ctx.is_set("service_tier"):
        if not caps.service_tiers:
            rule = f"{ctx.model} runs online only and does not take service_tier"
            problems.append(Problem("service_tier", rule, "remove service_tier"))
        elif req.service_tier not in caps.service_tiers:
            rule = f"service_tier must be {one_of(caps.service_tiers)}"
            problems.append(Problem("service_tier", rule, "use default or flex"))
    if ctx.is_set("priority") and req.priority is not None:
        if not caps.priority:
            rule = f"{ctx.model} does not take priority (only Seedance 2.0)"
            problems.append(Problem("priority", rule, "remove priority, or model seedance-2.0"))
        elif not 0 <= req.priority <= 9:
            problems.append(Problem("priority", "priority must be 0-9", "use 0 to 9"))
        if req.service_tier == "flex":
            rule = "priority cannot be combined with the flex tier"
            problems.append(Problem("priority", rule, "remove priority or service_tier"))
    if ctx.is_set("execution_expires_after") and req.execution_expires_after is not None:
        low, high = EXPIRES_RANGE
        if not low <= req.execution_expires_after <= high:
            rule = f"execution_expires_after must be within [{low}, {high}] seconds"
            problems.append(Problem("execution_expires_after", rule, f"use {low} to {high}"))
    if ctx.is_set("seed") and req.seed is not None and not -1 <= req.seed <= SEED_MAX:
        rule = f"seed must be within [-1, {SEED_MAX}]"
        problems.append(Problem("seed", rule, "use -1 (random) or a value in range"))
    return problems


def _switches(ctx: Context) -> list[Problem]:
    req, caps = _req(ctx), ctx.caps
    problems = []
    # False for these switches is the documented default ("off"), harmless on any model: seed
    # 001 itself sends camera_fixed=false to Seedance 2.0.
    if ctx.is_set("generate_audio") and req.generate_audio and not caps.generate_audio:
        rule = f"{ctx.model} makes silent video (generate_audio: 2.0 family and 1.5 pro only)"
        fix = "remove generate_audio" + ctx.or_models(lambda c: c.generate_audio)
        problems.append(Problem("generate_audio", rule, fix))
    if ctx.is_set("camera_fixed") and req.camera_fixed:
        if not caps.camera_fixed:
            rule = f"{ctx.model} does not take camera_fixed"
            fix = "remove it; describe the camera in the prompt instead"
            problems.append(Problem("camera_fixed", rule, fix))
        elif req.mode in _REFERENCE_MODES:
            rule = "camera_fixed is not supported with reference images"
            problems.append(Problem("camera_fixed", rule, "remove camera_fixed"))
    if ctx.is_set("return_last_frame") and req.return_last_frame and not caps.return_last_frame:
        rule = f"{ctx.model} cannot return the last frame"
        problems.append(Problem("return_last_frame", rule, "remove return_last_frame"))
    if ctx.is_set("tools") and req.tools is not None:
        problems += _tools(ctx, req.tools)
    return problems


def _tools(ctx: Context, tools: list[str]) -> list[Problem]:
    caps = ctx.caps
    if not caps.tools:
        fix = "remove tools" + ctx.or_models(lambda c: bool(c.tools))
        return [Problem("tools", f"{ctx.model} takes no tools (2.0 family only)", fix)]
    unknown = [t for t in tools if t not in caps.tools]
    if unknown:
        return [Problem("tools", f"unknown tool(s) {unknown}", f"use {one_of(caps.tools)}")]
    if not ctx.volcengine:
        # seed 004: "Overseas nodes currently do not support web_search". The BytePlus id is
        # what is sent by default, so tools need an explicit Volcengine choice.
        rule = "web_search is not available on BytePlus (overseas) hosts"
        fix = "remove tools, or call Volcengine (model 'doubao-...' id / volcengine=True)"
        return [Problem("tools", rule, fix)]
    return []


def _strings(ctx: Context) -> list[Problem]:
    req = _req(ctx)
    problems = []
    ident = req.safety_identifier
    if ctx.is_set("safety_identifier") and ident and (len(ident) > 64 or not ident.isascii()):
        rule = "safety_identifier must be an ASCII string of at most 64 characters"
        problems.append(Problem("safety_identifier", rule, "pass a hash of the user id"))
    if ctx.is_set("callback_url") and req.callback_url is not None:
        problems += _callback(ctx, req.callback_url)
    if ctx.is_set("route_mode") and req.route_mode not in ROUTE_MODES:
        rule = f"route_mode must be {one_of(ROUTE_MODES)}"
        problems.append(Problem("route_mode", rule, "use mix, official or official-cheap"))
    if ctx.is_set("asset_delivery") and req.asset_delivery not in ASSET_DELIVERY:
        rule = "asset_delivery takes only 'mirror' (seed 003)"
        problems.append(Problem("asset_delivery", rule, "use 'mirror' or leave it unset"))
    return problems


def _callback(ctx: Context, url: str) -> list[Problem]:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return [Problem("callback_url", "callback_url must be an http(s) URL", "pass https://...")]
    if ctx.provider == "maxapi" and _is_internal(parsed.hostname):
        # FACTS §5.2: maxapi rejects localhost / intranet callback URLs (SSRF guard).
        rule = "maxapi refuses localhost and intranet callback URLs"
        return [Problem("callback_url", rule, "use a public URL (or poll instead)")]
    return []


def _is_internal(host: str) -> bool:
    if host == "localhost" or host.endswith((".local", ".internal", ".localhost")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local
