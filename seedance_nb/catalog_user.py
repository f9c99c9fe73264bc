"""Models a user adds in ``catalog.toml`` (config folder), so a new model id needs no new release.

ByteDance ships new model ids often. An entry names the new id and an existing model it is like
(same family, same request shape); it may override that model's limits::

    [[model]]
    id = "dreamina-seedance-2-0-mini-260415"   # the id the API takes
    like = "seedance-2.0-fast"                 # an existing model of the same family
    short = "seedance-2.0-mini"                # optional: a short name (default: the id)
    title = "Seedance 2.0 mini"                # optional
    providers = ["ark"]                        # optional: default, the dialects `like` has
    [model.limits]                             # optional: what differs from `like`
    resolutions = ["480p", "720p"]
    durations = [4, 5, 6, 7, 8]

User entries show in ``seedance models`` marked ``user``. The file is read again when it changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from typing import Any

from . import errors, user_files

_LIMITS = {
    "resolutions", "default_resolution", "ratios", "default_ratio", "durations", "auto_duration",
    "default_duration", "frames", "max_images", "max_videos", "max_audios", "draft",
    "generate_audio", "camera_fixed", "return_last_frame", "service_tiers", "size_tiers",
    "default_size", "max_refs", "n_range", "seed",
}  # fmt: skip
_cache: tuple[tuple[str, int], tuple[Any, ...]] | None = None


def entry_hint(name: str) -> str:
    """The entry a user adds for an unknown id, in one line (for error messages)."""
    file = user_files.shown(user_files.CATALOG_FILE)
    return f'add it to {file}: [[model]] id = "{name}" and like = "<a model of its family>"'


def specs(find_builtin: Callable[[str], Any]) -> tuple[Any, ...]:
    """The user's models as ``ModelSpec`` rows (read again when the file changes)."""
    global _cache
    file = user_files.path(user_files.CATALOG_FILE)
    try:
        stamp = (str(file), file.stat().st_mtime_ns)
    except OSError:
        return ()
    if _cache is not None and _cache[0] == stamp:
        return _cache[1]
    document = user_files.read(user_files.CATALOG_FILE)
    made = tuple(
        _spec(entry, number, find_builtin)
        for number, entry in enumerate(document.get("model", []), start=1)
    )
    _cache = (stamp, made)
    return made


def _spec(entry: Any, number: int, find_builtin: Callable[[str], Any]) -> Any:
    where = f"{user_files.shown(user_files.CATALOG_FILE)}, model #{number}"
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise errors.ConfigError(f'{where} has no id. Fix: add id = "the model id the API takes"')
    like = find_builtin(str(entry.get("like", "")))
    if like is None:
        raise errors.ConfigError(
            f"{where} ({entry['id']}): like = {entry.get('like')!r} is not a known model. "
            'Fix: name an existing model of its family, e.g. like = "seedance-2.0"'
        )
    limits = dict(entry.get("limits") or {})
    unknown = sorted(set(limits) - _LIMITS)
    if unknown:
        raise errors.ConfigError(
            f"{where} ({entry['id']}): unknown limits {', '.join(unknown)}. "
            f"Fix: use {', '.join(sorted(_LIMITS))}"
        )
    tuples = {f.name for f in fields(like.native) if f.type.startswith("tuple")}
    limits = {k: tuple(v) if k in tuples and isinstance(v, list) else v for k, v in limits.items()}
    providers = entry.get("providers") or list(like.providers)
    strange = [p for p in providers if p not in like.ids]
    if strange:
        raise errors.ConfigError(
            f"{where} ({entry['id']}): {like.short} is not offered on {', '.join(strange)}. "
            f"Fix: use providers among {', '.join(like.providers)}"
        )
    wire = str(entry["id"])
    return replace(
        like,
        short=str(entry.get("short") or wire),
        title=str(entry.get("title") or wire),
        ids={p: (wire,) for p in providers},
        native=replace(like.native, wire_ids=(wire,), **limits),
        dialects={p: v for p, v in like.dialects.items() if p in providers},
        notes=(f"user entry in {user_files.CATALOG_FILE}, like {like.short}",),
    )
