"""The model catalog: one table that drives validation, the CLI and the widgets.

Each :class:`ModelSpec` says which wire ids a model has on each API dialect and what ModelArk (the
fullest dialect) accepts; :func:`capabilities` narrows that to one dialect. Sources: the seed
documents first, then FACTS §1.9 / §3 / §7. Where sources disagree the stricter reading is taken and
the row says so.

>>> spec = resolve("seedance-2.0-fast", "ark")
>>> wire_id(spec, "ark"), wire_id(spec, "ark", volcengine=True)
('dreamina-seedance-2-0-fast-260128', 'doubao-seedance-2-0-fast-260128')
>>> capabilities(spec, "maxapi-openai").resolutions
('720p', '480p')
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from . import errors
from .catalog_models import MODELS
from .catalog_sizes import IMAGE_SIZES, VIDEO_SIZES, parse_wxh
from .modes import Mode
from .problems import Problem

PROVIDERS = ("ark", "maxapi", "maxapi-openai")


@dataclass(frozen=True)
class Capabilities:
    """What one model accepts on one dialect. Empty tuples / ``False`` mean "not offered"."""

    provider: str
    wire_ids: tuple[str, ...]
    options: frozenset[str]  # request fields this dialect can carry at all
    modes: frozenset[Mode]
    resolutions: tuple[str, ...] = ()
    default_resolution: str | None = None
    ratios: tuple[str, ...] = ()
    default_ratio: str | None = None
    durations: tuple[int, ...] = ()  # every accepted explicit duration, seconds
    auto_duration: bool = False  # duration=-1 lets the model choose
    default_duration: int | None = None
    frames: bool = False
    adaptive_needs_image: bool = False  # 1.0 models: "adaptive" only for image-to-video
    max_images: int = 0
    max_videos: int = 0
    max_audios: int = 0
    draft: bool = False
    generate_audio: bool = False
    camera_fixed: bool = False
    return_last_frame: bool = False
    service_tiers: tuple[str, ...] = ()  # () = the field cannot be set
    priority: bool = False
    tools: tuple[str, ...] = ()
    fps: int = 24
    image_formats: tuple[str, ...] = ()  # accepted input image formats (Pillow names, lower)
    # Seedream only
    size_tiers: tuple[str, ...] = ()
    pixel_area: tuple[int, int] | None = None
    default_size: str | None = None
    max_refs: int = 0
    n_range: tuple[int, int] | None = None
    max_images_range: tuple[int, int] | None = None
    seed: bool = False
    output_formats: tuple[str, ...] = ()

    @property
    def last_frame(self) -> bool:
        return Mode.FIRST_LAST_FRAME in self.modes

    @property
    def reference_images(self) -> bool:
        return Mode.MULTI_REFERENCE in self.modes

    @property
    def min_duration(self) -> int | None:
        return min(self.durations) if self.durations else None

    @property
    def max_duration(self) -> int | None:
        return max(self.durations) if self.durations else None


@dataclass(frozen=True)
class ModelSpec:
    """One model: its names on each dialect and what ModelArk accepts for it (``native``).

    ``ids[dialect]`` lists accepted wire ids, the first being the one sent; for ``"ark"`` the
    BytePlus id comes first and the Volcengine ``doubao-`` id second.
    """

    short: str
    kind: Literal["video", "image"]
    title: str
    ids: Mapping[str, tuple[str, ...]]
    family: str  # "2.0", "1.5", "1.0" (video) or "4.0", "4.5", "5.0" (image)
    pixel_table: str  # seed 004 family ("1.0" | "1.5/2.0") or the Seedream table name
    native: Capabilities
    dialects: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def providers(self) -> tuple[str, ...]:
        return tuple(p for p in PROVIDERS if p in self.ids)


def _spec(row: Mapping[str, Any]) -> ModelSpec:
    native = Capabilities(provider="ark", wire_ids=row["ids"]["ark"], **row["native"])
    return ModelSpec(**{**row, "native": native})


_SPECS: tuple[ModelSpec, ...] = tuple(_spec(row) for row in MODELS)


def _names() -> dict[str, ModelSpec]:
    names: dict[str, ModelSpec] = {}
    for spec in _SPECS:
        names[spec.short.lower()] = spec
        for ids in spec.ids.values():
            for wire in ids:
                names.setdefault(wire.lower(), spec)
    return names


_BY_NAME = _names()


def check_provider(provider: str) -> None:
    """Raise :class:`errors.ConfigError` unless ``provider`` is one of :data:`PROVIDERS`."""
    if provider not in PROVIDERS:
        raise errors.ConfigError(
            f"unknown provider {provider!r}; use one of: {', '.join(PROVIDERS)}"
        )


def _builtin(name: str) -> ModelSpec | None:
    return _BY_NAME.get(name.strip().lower())


def user_models() -> tuple[ModelSpec, ...]:
    """The models of the user's ``catalog.toml`` (see ``seedance_nb.catalog_user``)."""
    from . import catalog_user

    return catalog_user.specs(_builtin)


def is_user_model(spec: ModelSpec) -> bool:
    """Whether ``spec`` comes from the user's ``catalog.toml``."""
    return spec not in _SPECS


def find(name: str) -> ModelSpec | None:
    """The model a short name or any dialect's wire id names, or ``None``.

    Built-in models first, then the user's ``catalog.toml``.
    """
    found = _builtin(name)
    if found is not None:
        return found
    key = name.strip().lower()
    for spec in user_models():
        if key == spec.short.lower() or any(
            key == w.lower() for ids in spec.ids.values() for w in ids
        ):
            return spec
    return None


def model_problem(name: str, provider: str) -> Problem | None:
    """Why ``name`` cannot be used on ``provider`` (unknown, or not offered there), or ``None``."""
    spec = find(name)
    if spec is None:
        close = difflib.get_close_matches(name.lower(), list(_BY_NAME), n=3, cutoff=0.5)
        from .catalog_user import entry_hint

        hint = f"did you mean {' or '.join(close)}? " if close else ""
        return Problem(
            "model",
            f"unknown model {name!r}",
            f"{hint}run `seedance models` to list them; if it is a new model, {entry_hint(name)}",
        )
    if provider not in spec.ids:
        others = [s.short for s in models_for(provider) if s.kind == spec.kind]
        elsewhere = " or ".join(repr(p) for p in spec.providers)
        fix = f"use one of {', '.join(others)}, or provider {spec.providers[0]!r}"
        if not others:
            fix = f"use provider {elsewhere}: {provider} has no {spec.kind} models"
        where = ", ".join(spec.providers)
        return Problem("model", f"{spec.short} is not offered on {provider} (only on {where})", fix)
    return None


def resolve(name: str, provider: str) -> ModelSpec:
    """The model ``name`` refers to on ``provider``.

    ``name`` is a short name (``"seedance-2.0"``) or a wire id of any dialect
    (``"doubao-seedance-2-0-260128"``). Unknown names, or models the dialect does not offer, raise
    :class:`errors.ValidationError` naming close matches.

    >>> resolve("doubao-seedream-4-5-251128", "ark").short
    'seedream-4.5'
    """
    check_provider(provider)
    problem = model_problem(name, provider)
    if problem is not None:
        raise errors.ValidationError([problem])
    spec = find(name)
    assert spec is not None
    return spec


resolve_model = resolve  # the name docs/architecture.md uses


def capabilities(spec: ModelSpec, provider: str) -> Capabilities:
    """What ``spec`` accepts on ``provider`` (ModelArk's abilities narrowed by the dialect)."""
    check_provider(provider)
    if provider not in spec.ids:
        problem = model_problem(spec.short, provider)
        raise errors.ValidationError([problem] if problem else [])
    return replace(
        spec.native,
        provider=provider,
        wire_ids=spec.ids[provider],
        **spec.dialects.get(provider, {}),
    )


def wire_id(spec: ModelSpec, provider: str, *, volcengine: bool = False) -> str:
    """The model id sent on ``provider``; ``volcengine=True`` picks the ``doubao-`` id on ark."""
    ids = capabilities(spec, provider).wire_ids
    if volcengine and provider == "ark":
        return next((i for i in ids if i.startswith("doubao-")), ids[0])
    return ids[0]


def models_for(provider: str | None = None) -> list[ModelSpec]:
    """Every model, or the models a dialect offers, video first.

    >>> [s.short for s in models_for("maxapi-openai")]
    ['seedance-2.0-fast']
    """
    if provider is not None:
        check_provider(provider)
    every = sorted((*_SPECS, *user_models()), key=lambda s: s.kind != "video")  # stable
    return [s for s in every if provider is None or provider in s.ids]


def models(provider: str | None = None) -> list[ModelSpec]:
    """The catalog, as ``seedance_nb.models()``: every model, or those ``provider`` offers.

    >>> [s.short for s in models("maxapi") if s.kind == "image"]
    ['seedream-4.0', 'seedream-4.5', 'seedream-5.0']
    """
    return models_for(provider)


def video_size(
    spec: ModelSpec, resolution: str | None, ratio: str | None
) -> tuple[int, int] | None:
    """Output width × height from seed 004's table; ``None`` for ``adaptive`` or unknown values.

    ``None`` resolution/ratio mean the model's ModelArk defaults.

    >>> video_size(resolve("seedance-2.0", "ark"), "720p", "16:9")
    (1280, 720)
    """
    resolution = resolution or spec.native.default_resolution
    ratio = ratio or spec.native.default_ratio
    if spec.kind != "video" or resolution is None or ratio is None:
        return None
    table = VIDEO_SIZES.get(spec.pixel_table)  # type: ignore[call-overload]
    return None if table is None else table.get(resolution, {}).get(ratio)


def image_size(
    spec: ModelSpec,
    *,
    size: str | None = None,
    ratio: str | None = None,
    resolution: str | None = None,
) -> tuple[int, int]:
    """Output width × height of a Seedream request.

    ``size`` is a tier (``"2K"``) or ``"WxH"``; otherwise ``ratio`` + ``resolution`` (``"2k"``)
    pick a row of the size table. A tier without a ratio is taken as square, which is what the
    model does when the prompt names no ratio. Unknown values raise ``ValueError``.

    >>> image_size(resolve("seedream-4.0", "ark"), ratio="16:9", resolution="2k")
    (2560, 1440)
    """
    if size is not None:
        exact = parse_wxh(size)
        if exact is not None:
            return exact
        resolution = size
    default = spec.native.default_size or "2048x2048"
    if resolution is None and ratio is None:
        parsed = parse_wxh(default)
        assert parsed is not None
        return parsed
    tier = (resolution or "2K").upper()
    table = IMAGE_SIZES.get(spec.pixel_table, {})  # type: ignore[call-overload]
    try:
        return table[tier][ratio or "1:1"]
    except KeyError:
        raise ValueError(
            f"{spec.short} has no size for tier {tier!r} and ratio {ratio or '1:1'!r}"
        ) from None
