"""Cost estimates: tokens from the documented formulas, money from a price table you can override.

Video tokens = width × height × frames / 1024 with frames = 24 × duration + 1 (FACTS §6: this
reproduces the observed 108 900 tokens of a 5 s 720p 16:9 video exactly); input video seconds
are billed too. Image tokens = width × height / 256 per image. Every guess the estimate makes is
listed in ``Estimate.assumptions``.

The default prices are secondary sources (FACTS §6) and may be stale, and they are per region
(BytePlus in USD, Volcengine in CNY; see ``seedance_nb.prices``): put your own in ``prices.toml`` in
the config folder, or ``set_default_prices(PriceTable.default().with_price("byteplus", ...))``.

>>> from seedance_nb.requests import VideoRequest
>>> estimate(VideoRequest(prompt="a wave", resolution="720p", ratio="16:9", duration=5)).tokens
108900
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import catalog, errors
from .catalog import Capabilities, ModelSpec
from .prices import Price, PriceTable, region
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
    price_basis: str = ""  # where the price comes from and its date; "" when unknown

    def __str__(self) -> str:
        tokens = "? tokens" if self.tokens is None else f"{self.tokens:,} tokens"
        money = "" if self.amount is None else f" ≈ {self.amount:.4g} {self.currency}"
        return tokens + money


_default_prices: PriceTable | None = None  # None: the built-in table and the user's file


def set_default_prices(table: PriceTable | None) -> None:
    """Use ``table`` whenever :func:`estimate` is called without ``prices`` (None: the default)."""
    global _default_prices
    _default_prices = table


def default_prices() -> PriceTable:
    """The table :func:`estimate` uses by default: yours, or the built-in one with your
    ``prices.toml`` (config folder) on top."""
    return _default_prices if _default_prices is not None else PriceTable.default().with_user_file()


def estimate(
    request: VideoRequest | ImageRequest,
    provider: str = "ark",
    prices: PriceTable | None = None,
    *,
    volcengine: bool | None = None,
) -> Estimate:
    """Expected tokens and cost of ``request`` on ``provider``; guesses are in ``assumptions``.

    On ``ark`` the price is BytePlus's (USD), or Volcengine's (CNY) with ``volcengine=True``;
    ``None`` follows the configured base URL (``SEEDANCE_BASE_URL``). The estimate is local and
    needs no key.
    """
    if volcengine is None:
        volcengine = provider == "ark" and _configured_volcengine()
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
    where = region(provider, volcengine=volcengine)
    price = (prices or default_prices()).get(where, spec.short)
    amount = _amount(request, provider, tokens, price, notes, where)
    return Estimate(
        tokens,
        amount,
        price.currency if price else None,
        tuple(notes),
        f"{where} price, {price.basis()}" if price else "",
    )


def _configured_volcengine() -> bool:
    from .config import resolve_settings

    try:
        return resolve_settings("ark", api_key="-").volcengine  # the key is never used here
    except errors.ConfigError:
        return False


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
    where: str,
) -> float | None:
    if price is None:
        from . import user_files

        file = user_files.shown(user_files.PRICES_FILE)
        notes.append(
            f"no {where} price known for {req.model}: add one to {file} "
            f'([[price]] region = "{where}", model = "{req.model}", currency, '
            "per_million_tokens)"
        )
        return None
    notes.append(f"price: {where}, {price.basis()}")
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
