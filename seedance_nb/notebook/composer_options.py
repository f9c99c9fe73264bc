"""What each Composer control offers, and what happens to the chosen values when the model changes.

Every control gets its choices as ``[value, label]`` pairs and the words for "unset" (the model's
default), so the view needs no knowledge of models. When the model changes, every value the new
model accepts is kept; a value it does not accept is set back to the default with a notice that
names the field, the old value and why. Values that mean something else on another model (the
seed, and everything between a video and an image model) are remembered per model instead of
carried over.

>>> carry({"resolution": "1080p", "duration": 5}, "seedance-2.0", "seedance-2.0-fast", {},
...       {"options": ["resolution", "duration"], "kind": "video",
...        "choices": {"resolution": [["480p", "480p"], ["720p", "720p"]],
...                    "duration": [[5, "5"]]}, "blank": {"resolution": "default (720p)"}})[1]
['resolution 1080p is not offered by seedance-2.0-fast (it offers 480p, 720p): set to default (720p)']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import catalog
from ..catalog_sizes import IMAGE_SIZES

AUTO_DURATION = "auto (the model chooses)"
# Values that depend on the model itself: a seed gives another picture on another model.
_PER_MODEL = {"seed"}


def choices(spec: Any, caps: Any, provider: str) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """``({option: [[value, label], ...]}, {option: label of the default})`` for one model."""
    if spec.kind == "video":
        durations: list[Any] = [[-1, AUTO_DURATION]] if caps.auto_duration else []
        durations += [[d, str(d)] for d in caps.durations]
        return (
            {
                "resolution": _same(caps.resolutions),
                "ratio": _same(caps.ratios),
                "duration": durations,
            },
            {
                "resolution": _default(caps.default_resolution),
                "ratio": _default(caps.default_ratio),
                "duration": _default(caps.default_duration),
            },
        )
    if provider == "ark":
        # ModelArk takes a size: a tier, or WxH (presets from the model's size table);
        # ratio + resolution are turned into a WxH by the package.
        sizes: list[Any] = [[tier, f"{tier} (ratio from the prompt)"] for tier in caps.size_tiers]
        table = IMAGE_SIZES.get(spec.pixel_table, {})
        for tier in caps.size_tiers:
            for ratio, (w, h) in table.get(tier, {}).items():
                sizes.append([f"{w}x{h}", f"{w}x{h} ({ratio}, {tier})"])
        tiers = caps.size_tiers
        return (
            {"size": sizes, "ratio": _same(caps.ratios), "resolution": _same(tiers)},
            {
                "size": _default(caps.default_size),
                "ratio": "default (1:1)",
                "resolution": _default("2K" if "2K" in tiers else (tiers[0] if tiers else None)),
            },
        )
    return (
        {"ratio": _same(caps.ratios), "resolution": _same(caps.resolutions)},
        {"ratio": _default(caps.default_ratio), "resolution": _default(caps.default_resolution)},
    )


def _same(values: Any) -> list[list[Any]]:
    return [[v, str(v)] for v in values]


def _default(value: Any) -> str:
    return "default" if value is None else f"default ({value})"


def refusal(name: str, value: Any, form: Mapping[str, Any], model: str) -> str | None:
    """Why ``model`` (its ``form``) does not take ``value`` for ``name``; None when it does."""
    if name not in form["options"]:
        kind = form.get("kind", "video")
        return f"{model} has no {name} option ({kind} model)"
    listed = form.get("choices", {}).get(name)
    if listed and all(str(value) != str(v) for v, _label in listed):
        shown = ", ".join(label for _v, label in listed[:8])
        more = ", …" if len(listed) > 8 else ""
        return f"{value} is not offered by {model} (it offers {shown}{more})"
    if name == "n" and form.get("n_range"):
        low, high = form["n_range"]
        if isinstance(value, int) and not low <= value <= high:
            return f"{model} makes {low} to {high} images, not {value}"
    return None


def carry(
    options: Mapping[str, Any],
    old_model: str,
    new_model: str,
    memory: Mapping[str, Mapping[str, Any]],
    form: Mapping[str, Any],
) -> tuple[dict[str, Any], list[str]]:
    """The options for ``new_model`` and the notices of what could not come along.

    ``memory`` holds what each model had when it was last chosen: per-model values come back from
    it, and nothing is carried between a video and an image model.
    """
    old_spec, new_spec = catalog.find(old_model), catalog.find(new_model)
    same_kind = (old_spec.kind if old_spec else "video") == form.get("kind", "video")
    kept: dict[str, Any] = {
        k: v for k, v in memory.get(new_model, {}).items() if refusal(k, v, form, new_model) is None
    }
    notices: list[str] = []
    if new_spec is None or old_model == new_model:
        return kept, notices
    stays = []
    for name, value in options.items():
        if value in (None, ""):
            continue
        if name in _PER_MODEL or not same_kind:
            if kept.get(name) != value:
                stays.append(f"{name} {value}")
            continue
        why = refusal(name, value, form, new_model)
        if why is None:
            kept[name] = value
            continue
        blank = form.get("blank", {}).get(name, "default")
        notices.append(f"{name} {why}: set to {blank}")
    if stays:
        notices.append(
            f"{', '.join(stays)}: kept with {old_model} for when you choose it again, "
            f"not carried to {new_model}"
        )
    return kept, notices


def admit(
    options: Mapping[str, Any], form: Mapping[str, Any], model: str
) -> tuple[dict[str, Any], list[str]]:
    """``options`` the model takes, and a notice for each one it does not (its name, value, why)."""
    kept: dict[str, Any] = {}
    notices: list[str] = []
    for name, value in options.items():
        if value in (None, ""):
            continue
        why = refusal(name, value, form, model)
        if why is None:
            kept[name] = value
        else:
            blank = form.get("blank", {}).get(name, "default")
            notices.append(f"{name} {why}: set to {blank}")
    return kept, notices


def choice_prices(
    request: Any, form: Mapping[str, Any], provider: str, volcengine: bool
) -> dict[str, dict[str, str]]:
    """``{option: {value: "≈ ¥5.01"}}``: what the request would cost with each choice of a
    list; only where a price is known for the region, so nothing is shown as free."""
    from .. import cost
    from .facts import money

    table = cost.default_prices()  # read the user's file once, not once per choice
    priced: dict[str, dict[str, str]] = {}
    for name, pairs in form.get("choices", {}).items():
        if name not in form.get("options", ()):
            continue
        shown: dict[str, str] = {}
        for value, _label in pairs:
            try:
                variant = request.with_changes(**{name: value})
            except Exception:  # a choice this request cannot take (validation says why)
                continue
            est = cost.estimate(variant, provider, table, volcengine=volcengine)
            if est.amount is not None:
                shown[str(value)] = "≈ " + money(est.amount, est.currency)
        if shown:
            priced[name] = shown
    return priced
