"""Seedream on ModelArk: POST /images/generations rules (FACTS §3)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .tables import ARK_IMAGE_MODELS, ARK_VIDEO_MODELS, TIER_SCALE
from .values import Invalid, invalid, missing, opt_bool, opt_enum, opt_int, opt_str

SIZE = re.compile(r"^(\d+)x(\d+)$")
MAX_REFERENCES = 14
MAX_TOTAL = 15  # reference images + generated images
DEFAULT_GROUP = 3  # images made in "auto" mode when max_images is not given


@dataclass
class SeedreamRequest:
    model: str
    prompt: str
    images: list[str] = field(default_factory=list)
    tier: str | None = None  # 1K / 2K / 4K
    explicit: tuple[int, int] | None = None  # WxH
    seed: int = -1
    sequential: bool = False
    max_images: int | None = None
    response_format: str = "url"
    stream: bool = False
    watermark: bool = True
    output_format: str = "png"

    @property
    def count(self) -> int:
        if not self.sequential:
            return 1
        wanted = self.max_images if self.max_images is not None else DEFAULT_GROUP
        return max(1, min(wanted, MAX_TOTAL - len(self.images)))


def parse_images(body: Any) -> SeedreamRequest:
    if not isinstance(body, dict):
        raise invalid("body", "must be a JSON object")
    model = body.get("model")
    if model is None or model == "":
        raise missing("model")
    if not isinstance(model, str):
        raise invalid("model", "must be a string")
    if model in ARK_VIDEO_MODELS:
        raise invalid("model", f"model {model} does not support image generation")
    tiers = ARK_IMAGE_MODELS.get(model)
    if tiers is None:
        raise Invalid(
            f"The model or endpoint {model} does not exist or you do not have access to it.",
            param="model",
            code="InvalidEndpointOrModel.NotFound",
            status=404,
        )
    prompt = body.get("prompt")
    if prompt is None or prompt == "":
        raise missing("prompt")
    if not isinstance(prompt, str):
        raise invalid("prompt", "must be a string")
    request = SeedreamRequest(model=model, prompt=prompt)
    request.images = _references(body.get("image"))
    _size(body.get("size"), tiers, request)
    request.seed = opt_int(body, "seed", -1, -1, 2147483647)
    mode = opt_enum(body, "sequential_image_generation", ("auto", "disabled"))
    request.sequential = mode == "auto"
    options = body.get("sequential_image_generation_options")
    if options is not None:
        if not isinstance(options, dict):
            raise invalid("sequential_image_generation_options", "must be an object")
        request.max_images = opt_int(options, "max_images", None, 1, 15)
    wanted = request.max_images
    if request.sequential and wanted is not None and len(request.images) + wanted > MAX_TOTAL:
        raise invalid(
            "sequential_image_generation_options.max_images",
            "reference images plus generated images must be 15 or fewer",
        )
    request.response_format = opt_enum(body, "response_format", ("url", "b64_json")) or "url"
    request.stream = opt_bool(body, "stream", False)
    request.watermark = opt_bool(body, "watermark", True)
    request.output_format = opt_enum(body, "output_format", ("png", "jpeg")) or "png"
    opt_str(body, "optimize_prompt")  # type checks only; accepted and ignored
    guidance = body.get("guidance_scale")
    if guidance is not None and (
        isinstance(guidance, bool) or not isinstance(guidance, (int, float))
    ):
        raise invalid("guidance_scale", "must be a number")
    return request


def _references(image: Any) -> list[str]:
    if image is None:
        return []
    refs = [image] if isinstance(image, str) else image
    if not isinstance(refs, list) or not refs:
        raise invalid("image", "must be a URL or a non-empty list of URLs")
    if len(refs) > MAX_REFERENCES:
        raise invalid("image", f"at most {MAX_REFERENCES} reference images")
    for index, url in enumerate(refs):
        if not isinstance(url, str) or not url.startswith(("http://", "https://", "data:image/")):
            raise invalid(
                f"image[{index}]", "must be an http(s) URL or a data:image/...;base64 URL"
            )
    return refs


def _size(size: Any, tiers: tuple[str, ...], request: SeedreamRequest) -> None:
    if size is None:
        request.explicit = (2048, 2048)
        return
    if not isinstance(size, str):
        raise invalid("size", "must be a string")
    if size.upper() in TIER_SCALE:
        if size.upper() not in tiers:
            raise invalid(
                "size", f"{size} is not supported by model {request.model}; use {'/'.join(tiers)}"
            )
        request.tier = size.upper()
        return
    match = SIZE.match(size)
    if match is None:
        raise invalid("size", f"must be one of {'/'.join(tiers)} or WIDTHxHEIGHT")
    width, height = int(match.group(1)), int(match.group(2))
    if not 1024 * 1024 <= width * height <= 4096 * 4096:
        raise invalid("size", "total pixels must be within [1024x1024, 4096x4096]")
    if not 1 / 16 <= width / height <= 16:
        raise invalid("size", "aspect ratio must be within [1/16, 16]")
    request.explicit = (width, height)
