"""Seedream rules: sizes, counts and options (FACTS §3, §7, seed 002; mirrors where noted)."""

from __future__ import annotations

import re

from . import catalog
from .catalog_sizes import parse_wxh
from .problems import Problem
from .requests import ImageRequest
from .rule_context import Context, one_of
from .validation_media import image_material_problems

SEED_MAX = 2**31 - 1
ASPECT_RANGE = (1 / 16, 16.0)
MAX_TOTAL_IMAGES = 15  # reference + generated images
SEQUENTIAL = ("auto", "disabled")
RESPONSE_FORMATS = ("url", "b64_json")
OPTIMIZE_MODES = ("standard", "fast")
_TIER = re.compile(r"^\d+k$", re.IGNORECASE)


def image_problems(ctx: Context) -> list[Problem]:
    """All Seedream problems of ``ctx.request`` beyond the shared ones."""
    problems = image_material_problems(ctx)
    for rule in (_size, _ratio_resolution, _counts, _options):
        problems += rule(ctx)
    return problems


def _req(ctx: Context) -> ImageRequest:
    assert isinstance(ctx.request, ImageRequest)
    return ctx.request


def _size(ctx: Context) -> list[Problem]:
    req, caps = _req(ctx), ctx.caps
    if not ctx.is_set("size") or req.size is None:
        return []
    if req.ratio is not None or req.resolution is not None:
        rule = "size cannot be combined with ratio or resolution"
        return [Problem("size", rule, "use either size, or ratio + resolution")]
    if _TIER.match(req.size):
        tiers = caps.size_tiers if ctx.provider == "ark" else caps.resolutions
        if req.size.upper() not in (t.upper() for t in tiers):
            more = ctx.or_models(lambda c: req.size.upper() in c.size_tiers)  # type: ignore[union-attr]
            rule = f"{ctx.model} does not offer size {req.size}"
            return [Problem("size", rule, f"use {one_of(tiers)}{more}")]
        return []
    exact = parse_wxh(req.size)
    if ctx.provider != "ark":
        rule = f"{ctx.provider} takes ratio and resolution, not pixel sizes"
        return [Problem("size", rule, "use ratio='16:9' and resolution='2k' (for example)")]
    if exact is None:
        rule = f"size {req.size!r} is neither a tier nor WIDTHxHEIGHT"
        fix = f"use {one_of(caps.size_tiers)}, or WIDTHxHEIGHT such as 2048x2048"
        return [Problem("size", rule, fix)]
    return _pixels(ctx, "size", exact)


def _pixels(ctx: Context, where: str, size: tuple[int, int]) -> list[Problem]:
    width, height = size
    low, high = ctx.caps.pixel_area or (0, 1 << 62)
    problems = []
    if not low <= width * height <= high:
        rule = f"{width}x{height} is {width * height} px; {ctx.model} takes {low}-{high} px"
        problems.append(Problem(where, rule, "pick a size within that area (e.g. 2048x2048)"))
    if height == 0 or not ASPECT_RANGE[0] <= width / height <= ASPECT_RANGE[1]:
        rule = f"{width}x{height} is outside the aspect range 1/16-16"
        problems.append(Problem(where, rule, "pick a less extreme shape"))
    return problems


def _ratio_resolution(ctx: Context) -> list[Problem]:
    req, caps = _req(ctx), ctx.caps
    if req.size is not None:
        return []  # _size already refuses size combined with ratio/resolution: one message
    problems = []
    if ctx.is_set("ratio") and req.ratio not in caps.ratios:
        rule = f"{ctx.model} does not offer ratio {req.ratio}"
        problems.append(Problem("ratio", rule, f"use {one_of(caps.ratios)}"))
    tiers = caps.size_tiers if ctx.provider == "ark" else caps.resolutions
    resolution = req.resolution
    offered = [t.upper() for t in tiers]
    if ctx.is_set("resolution") and resolution and resolution.upper() not in offered:
        more = ctx.or_models(lambda c: resolution.upper() in c.size_tiers)
        rule = f"{ctx.model} on {ctx.provider} does not offer resolution {resolution}"
        fix = f"use {one_of([t.lower() for t in tiers])}{more}"
        problems.append(Problem("resolution", rule, fix))
    if problems or req.size is not None or ctx.provider != "ark" or req.ratio is None:
        return problems
    # ModelArk has no ratio field: ratio + resolution become a WxH size, which must be legal.
    size = catalog.image_size(ctx.spec, ratio=req.ratio, resolution=resolution or "2K")
    return _pixels(ctx, "resolution", size)


def _counts(ctx: Context) -> list[Problem]:
    req, caps = _req(ctx), ctx.caps
    problems = []
    if ctx.is_set("n") and req.n is not None and caps.n_range:
        low, high = caps.n_range
        if not low <= req.n <= high:
            rule = f"{ctx.model} on {ctx.provider} makes {low}-{high} images per request"
            problems.append(Problem("n", rule, f"use n between {low} and {high}"))
    if ctx.is_set("sequential") and req.sequential not in SEQUENTIAL:
        problems.append(Problem("sequential", "sequential must be auto or disabled", "fix it"))
    if ctx.is_set("max_images") and req.max_images is not None and caps.max_images_range:
        low, high = caps.max_images_range
        if not low <= req.max_images <= high:
            rule = f"max_images must be {low}-{high}"
            problems.append(Problem("max_images", rule, f"use {low} to {high}"))
        if req.sequential != "auto":
            # Documented to take effect only with sequential "auto"; refusing avoids a silent no-op.
            rule = "max_images only applies with sequential='auto'"
            problems.append(Problem("max_images", rule, "set sequential='auto'"))
    if ctx.is_set("n") and (req.n or 1) > 1 and ctx.provider == "ark":
        # ModelArk makes several images only through sequential ("group") generation.
        if req.sequential == "disabled":
            rule = "n > 1 needs sequential generation, which sequential='disabled' turns off"
            problems.append(Problem("n", rule, "remove sequential or set n=1"))
        if req.max_images is not None and req.max_images != req.n:
            rule = f"n={req.n} and max_images={req.max_images} disagree"
            problems.append(Problem("n", rule, "set only one of them"))
    # Mirrors: references + generated images <= 15. With sequential "auto" and no count the
    # model itself stops at 15, so only explicit counts are refused.
    for field in ("n", "max_images"):
        wanted = getattr(req, field)
        if ctx.is_set(field) and wanted is not None and len(req.images) + wanted > MAX_TOTAL_IMAGES:
            rule = f"{len(req.images)} reference + {wanted} generated images exceed 15"
            problems.append(Problem(field, rule, f"ask for at most {15 - len(req.images)}"))
    return problems


def _options(ctx: Context) -> list[Problem]:
    req, caps = _req(ctx), ctx.caps
    problems = []
    if ctx.is_set("seed") and req.seed is not None and not -1 <= req.seed <= SEED_MAX:
        rule = f"seed must be within [-1, {SEED_MAX}]"
        problems.append(Problem("seed", rule, "use -1 (random) or a value in range"))
    if ctx.is_set("response_format") and req.response_format not in RESPONSE_FORMATS:
        rule = "response_format must be url or b64_json"
        problems.append(Problem("response_format", rule, "use url or b64_json"))
    if ctx.is_set("guidance_scale"):
        # guidance_scale belongs to the older Seedream 3.0 / SeedEdit 3.0 models.
        rule = f"{ctx.model} does not take guidance_scale"
        problems.append(Problem("guidance_scale", rule, "remove guidance_scale"))
    if ctx.is_set("optimize_prompt") and req.optimize_prompt not in OPTIMIZE_MODES:
        rule = "optimize_prompt must be standard or fast"
        problems.append(Problem("optimize_prompt", rule, "use standard or fast"))
    if ctx.is_set("output_format") and req.output_format not in caps.output_formats:
        if caps.output_formats:
            fix = f"use {one_of(caps.output_formats)}"
        else:
            fix = "remove it" + ctx.or_models(lambda c: bool(c.output_formats))
        rule = f"{ctx.model} does not offer output_format {req.output_format}"
        problems.append(Problem("output_format", rule, fix))
    if ctx.is_set("tools") and req.tools is not None:
        unknown = [t for t in req.tools if t not in caps.tools]
        if unknown:
            fix = f"use {one_of(caps.tools)}" if caps.tools else "remove tools"
            fix += "" if caps.tools else ctx.or_models(lambda c: bool(c.tools))
            rule = f"{ctx.model} does not offer tool(s) {unknown}"
            problems.append(Problem("tools", rule, fix))
    return problems
