"""Cost estimates: tokens from the documented formulas, money from a price table you can override.

Video tokens = width × height × frames / 1024 with frames = 24 × duration + 1 (FACTS §6: this
reproduces the observed 108 900 tokens of a 5 s 720p 16:9 video exactly); input video seconds
are billed too. Image tokens = width × height / 256 per image. Every guess the estimate makes is
listed in ``Estimate.assumptions``.

The default prices are secondary sources (FACTS §6) and may be stale: set your own with
``set_default_prices(PriceTable.default().with_price("ark", "seedance-2.0", per_million_tokens=...))``.

>>> from seedance_nb.requests import VideoRequest
>>> estimate(VideoRequest(prompt="a wave", resolution="720p", ratio="16:9", duration=5)).tokens
108900
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from . import catalog, errors
from .catalog import Capabilities, ModelSpec
from .requests import ImageRequest, VideoRequest

FLEX_FACTOR = 0.5  # service_tier="flex" costs 50 % of online inference (FACTS §6)
MAX_INPUT_VIDEO_SECONDS = 15.0


@dataclass(frozen=True)
class Estimate:
    """What a request is expected to cost. ``None`` where it cannot be known."""

    tokens: int | None
    amount: float | None
    currency: str | None
    assumptions: tuple[str, ...] = ()

    def __str__(self) -> str:
        tokens = "? tokens" if self.tokens is None else f"{self.tokens:,} tokens"
        money = "" if self.amount is None else f" ≈ {self.amount:.4g} {self.currency}"
        return tokens + money


@dataclass(frozen=True)
class Price:
    """How one model is billed on one dialect. Unset prices are unknown, not free."""

    currency: str = "USD"
    per_million_tokens: float | None = None
    per_million_tokens_video_input: float | None = None  # 2.0 family, when a video is referenced
    per_million_tokens_silent: float | None = None  # 1.5 pro with generate_audio=False
    per_generation: float | None = None
    per_image: float | None = None
    note: str = ""


_FACTS = "FACTS §6, secondary, may be stale"


class PriceTable:
    """Prices per ``(provider, model short name)``; immutable, so tables can be shared.

    >>> table = PriceTable.default().with_price("maxapi", "seedance-2.0", per_generation=0.6)
    >>> table.get("maxapi", "seedance-2.0").per_generation
    0.6
    """

    def __init__(self, prices: Mapping[tuple[str, str], Price] | None = None) -> None:
        self._prices = dict(prices or {})

    @classmethod
    def default(cls) -> PriceTable:
        """The built-in prices (FACTS §6; secondary sources, possibly stale)."""
        return cls(
            {
                ("ark", "seedance-2.0"): Price(
                    "CNY", 46.0, 28.0, note=f"Volcengine list price ({_FACTS})"
                ),
                ("ark", "seedance-2.0-fast"): Price(
                    "CNY", 37.0, 22.0, note=f"Volcengine list price ({_FACTS})"
                ),
                ("ark", "seedance-1.5-pro"): Price(
                    "USD", 2.4, per_million_tokens_silent=1.2, note=f"BytePlus price ({_FACTS})"
                ),
                ("ark", "seedance-1.0-pro"): Price("USD", 2.5, note=f"BytePlus price ({_FACTS})"),
                ("maxapi-openai", "seedance-2.0-fast"): Price(
                    "USD", per_generation=0.45, note="route mix, seed 003"
                ),
            }
        )

    def get(self, provider: str, model: str) -> Price | None:
        """The price of ``model`` (short name) on ``provider``, or ``None`` when unknown."""
        return self._prices.get((provider, model))

    def with_price(self, provider: str, model: str, **fields: Any) -> PriceTable:
        """A copy with ``(provider, model)``'s price set or changed (fields of :class:`Price`)."""
        current = self._prices.get((provider, model), Price(note="set by user"))
        return PriceTable({**self._prices, (provider, model): replace(current, **fields)})


_default_prices = PriceTable.default()


def set_default_prices(table: PriceTable) -> None:
    """Use ``table`` whenever :func:`estimate` is called without ``prices``."""
    global _default_prices
    _default_prices = table


def default_prices() -> PriceTable:
    """The table :func:`estimate` uses by default."""
    return _default_prices


def estimate(
    request: VideoRequest | ImageRequest, provider: str = "ark", prices: PriceTable | None = None
) -> Estimate:
    """Expected tokens and cost of ``request`` on ``provider``; guesses are in ``assumptions``."""
    try:
        spec = catalog.resolve(request.model, provider)
        caps = catalog.capabilities(spec, provider)
    except (errors.ValidationError, errors.ConfigError) as exc:
        return Estimate(None, None, None, (f"cannot estimate: {exc}",))
    notes: list[str] = []
    if isinstance(request, VideoRequest):
        tokens = _video_tokens(request, provider, spec, caps, notes)
    else:
        tokens = _image_tokens(request, provider, spec, notes)
    price = (prices or _default_prices).get(provider, spec.short)
    amount = _amount(request, provider, tokens, price, notes)
    return Estimate(tokens, amount, price.currency if price else None, tuple(notes))


def _video_tokens(
    req: VideoRequest, provider: str, spec: ModelSpec, caps: Capabilities, notes: list[str]
) -> int | None:
    resolution = req.resolution or caps.default_resolution
    if provider != "ark" and (req.resolution is None or req.ratio is None):
        # Only ModelArk documents its defaults; elsewhere they are our guess.
        notes.append(f"unset resolution/ratio: assumed {resolution} {caps.default_ratio}")
    size = req.output_size(provider)
    if size is None:
        notes.append("ratio adaptive: assumed 16:9")
        size = catalog.video_size(spec, resolution, "16:9")
    if size is None:
        notes.append(f"no pixel size for {resolution}: tokens unknown")
        return None
    if req.frames is not None and caps.frames:
        frames = req.frames
    else:
        seconds = req.duration if req.duration is not None else caps.default_duration or 5
        if seconds == -1:
            seconds = caps.max_duration or 15
            notes.append(f"duration -1 (model chooses): assumed the longest, {seconds} s")
        frames = 24 * seconds + 1
    videos = [m for m in req.materials if m.kind == "video"]
    if videos:
        measured = [m.duration_seconds() for m in videos]
        if any(s is None for s in measured):
            seconds_in = MAX_INPUT_VIDEO_SECONDS
            notes.append("input video length unknown (URL): assumed 15 s, the most allowed")
        else:
            seconds_in = sum(s or 0.0 for s in measured)
        frames += math.ceil(24 * seconds_in)
        notes.append("input video seconds are billed with the output (FACTS §6)")
    if req.draft:
        notes.append("draft priced as a normal 480p video (docs only say drafts cost less)")
    width, height = size
    return math.ceil(width * height * frames / 1024)


def _image_tokens(
    req: ImageRequest, provider: str, spec: ModelSpec, notes: list[str]
) -> int | None:
    size = req.output_size(provider)
    if size is None:
        notes.append("unknown output size: tokens unknown")
        return None
    count = _image_count(req, provider)
    if provider == "ark" and req.sequential == "auto" and (req.n or 1) == 1:
        notes.append(f"sequential images: assumed the most the model may make, {count}")
    if req.size is None and req.ratio is None and provider != "ark":
        notes.append("no ratio given: assumed 1:1")
    width, height = size
    return math.ceil(width * height / 256) * count


def _image_count(req: ImageRequest, provider: str) -> int:
    if provider == "ark" and req.sequential == "auto" and (req.n or 1) == 1:
        return req.max_images or max(1, 15 - len(req.images))
    return req.n or 1


def _amount(
    req: VideoRequest | ImageRequest,
    provider: str,
    tokens: int | None,
    price: Price | None,
    notes: list[str],
) -> float | None:
    if price is None:
        notes.append(f"no price known for {req.model} on {provider}: set one with with_price()")
        return None
    if price.note:
        notes.append(f"price: {price.note}")
    if provider == "maxapi-openai" and isinstance(req, VideoRequest):
        if req.route_mode not in (None, "mix"):
            notes.append(f"price known only for route mix, not {req.route_mode}")
            return None
        if req.route_mode is None:
            notes.append("route chosen by the API key's settings: priced as mix")
    if price.per_generation is not None:
        return price.per_generation
    if price.per_image is not None and isinstance(req, ImageRequest):
        return price.per_image * _image_count(req, provider)
    if tokens is None or price.per_million_tokens is None:
        return None
    rate = price.per_million_tokens
    if isinstance(req, VideoRequest):
        has_video = any(m.kind == "video" for m in req.materials)
        if has_video and price.per_million_tokens_video_input is not None:
            rate = price.per_million_tokens_video_input
        if req.generate_audio is False and price.per_million_tokens_silent is not None:
            rate = price.per_million_tokens_silent
        if req.service_tier == "flex":
            rate *= FLEX_FACTOR
            notes.append("flex tier: 50 % of the online price")
    return tokens / 1_000_000 * rate
