"""Plain facts about a task, shared by the live card, the static result and the provenance.

Everything here reads a task handle (``seedance_nb.lifecycle.Task``) and returns JSON-able values
or short strings. It never reads settings, so no API key can reach an output through it.
"""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from .. import __version__

_CURRENCY_SIGNS = {"USD": "$", "CNY": "¥", "EUR": "€"}
_VIDEO_SUFFIXES = {".mp4", ".mov", ".webm", ".m4v"}
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif"}
_PROMPT_SHORT = 120


@dataclass(frozen=True)
class Media:
    """One result file on disk, as a card or a static result shows it."""

    kind: str  # "video" | "image" | "last_frame"
    path: Path
    mime: str

    def relative(self, base: Path | None = None) -> str:
        """The path relative to ``base`` (default: the notebook's folder), as a URL path."""
        base = notebook_dir() if base is None else base
        try:
            rel = os.path.relpath(self.path.resolve(), base.resolve())
        except ValueError:  # another drive on Windows
            rel = str(self.path.resolve())
        return quote(Path(rel).as_posix())

    def servable(self, base: Path | None = None) -> bool:
        """Whether Jupyter's file server can serve it at that relative path: inside the
        notebook's folder and not in a hidden folder (those answer 404 by default)."""
        parts = Path(self.relative(base)).parts
        return (
            bool(parts)
            and not parts[0].startswith("/")
            and not any(p.startswith(".") for p in parts)
        )


def notebook_dir() -> Path:
    """The folder of the running notebook: Jupyter tells the kernel its path
    (``JPY_SESSION_NAME``), which survives an ``os.chdir``; else the working directory."""
    session = os.environ.get("JPY_SESSION_NAME")
    if session:
        path = Path(session)
        if path.is_absolute() and path.parent.is_dir():
            return path.parent
    return Path.cwd()


def status_word(task: Any) -> str:
    """``queued``, ``running``, ``succeeded``... or the phase while there is no status yet."""
    status = getattr(task, "status", None)
    if status is None:
        return str(getattr(task, "phase", None) or "submitting")
    return str(getattr(status, "value", status))


def is_terminal(task: Any) -> bool:
    status = getattr(task, "status", None)
    return bool(getattr(status, "terminal", False))


def succeeded(task: Any) -> bool:
    return status_word(task) == "succeeded"


def money(amount: float | None, currency: str | None) -> str:
    """``$0.76``, ``¥5.20`` or ``0.76 XYZ``; empty when unknown."""
    if amount is None:
        return ""
    sign = _CURRENCY_SIGNS.get((currency or "USD").upper())
    return f"{sign}{amount:,.2f}" if sign else f"{amount:,.2f} {currency}"


def cost_text(task: Any) -> str:
    """What the task cost, or what it is estimated to cost, in one short phrase."""
    cost, tokens = getattr(task, "cost", None), getattr(task, "tokens", None)
    estimate = getattr(task, "estimate", None)
    currency = getattr(task, "currency", None) or getattr(estimate, "currency", None)
    if cost is not None:
        text = money(_amount(cost), currency)
        return text + (f" ({tokens:,} tokens)" if tokens else "")
    if estimate is not None and getattr(estimate, "amount", None) is not None:
        est_tokens = getattr(estimate, "tokens", None)
        text = "≈ " + money(estimate.amount, currency) + " estimated"
        return text + (f" ({est_tokens:,} tokens)" if est_tokens else "")
    return ""


def _amount(cost: Any) -> float | None:
    value = getattr(cost, "amount", cost)
    return None if value is None else float(value)


def prompt_of(task: Any) -> str:
    prompt = getattr(task, "prompt", None)
    if not isinstance(prompt, str):
        prompt = getattr(getattr(task, "request", None), "prompt", "")
    return prompt or ""


def prompt_short(prompt: str, limit: int = _PROMPT_SHORT) -> str:
    text = " ".join(prompt.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def options(request: Any) -> dict[str, Any]:
    """The generation options the user set, JSON-able, without model, prompt and materials."""
    record = _record(request)
    skip = {"kind", "model", "prompt", "mode", "materials", "tags", "parent_id"}
    return {k: v for k, v in record.items() if k not in skip and v is not None}


def materials(request: Any) -> list[str]:
    """One short line per input material (never its content)."""
    items = getattr(request, "materials", None) or getattr(request, "images", None) or []
    return [m.summary() if hasattr(m, "summary") else str(m) for m in items]


def _record(request: Any) -> dict[str, Any]:
    if request is None:
        return {}
    if hasattr(request, "to_record"):
        return dict(request.to_record())
    return {}


def media(task: Any) -> list[Media]:
    """The task's local result files, videos first, each with its kind and mime type."""
    found: list[Media] = []
    kind = getattr(task, "kind", None) or getattr(getattr(task, "request", None), "kind", "video")
    is_video_task = str(kind) == "video"
    from ..lifecycle import team_media

    mine = getattr(getattr(getattr(task, "_manager", None), "history", None), "media_dir", None)
    for raw in getattr(task, "files", None) or []:
        path = Path(raw)
        if mine is not None:  # a file of the team media folder: this member's own copy
            path = team_media.local_copy(path, Path(mine))
        suffix = path.suffix.lower()
        if suffix in _VIDEO_SUFFIXES:
            kind = "video"
        elif suffix in _IMAGE_SUFFIXES:
            kind = "last_frame" if is_video_task else "image"
        else:
            continue
        mime = mimetypes.types_map.get(suffix, "application/octet-stream")
        found.append(Media(kind, path, mime))
    found.sort(key=lambda m: {"video": 0, "image": 1, "last_frame": 2}[m.kind])
    return found


def remote_urls(task: Any) -> list[tuple[str, str]]:
    """``(kind, url)`` of result URLs a browser could load (the in-process simulator's cannot)."""
    urls = []
    for asset in getattr(task, "assets", None) or ():
        url = str(getattr(asset, "url", ""))
        host = urlsplit(url).hostname or ""
        if url.startswith(("http://", "https://")) and not host.endswith(".invalid"):
            urls.append((str(asset.kind), url))
    return urls


def seed(task: Any) -> int | None:
    """The seed the provider reports, else the one requested."""
    for holder in (task, getattr(task, "snapshot", None), getattr(task, "request", None)):
        value = getattr(holder, "seed", None)
        if isinstance(value, int):
            return value
    return None


def iso(value: Any) -> str | None:
    """An ISO-8601 UTC timestamp from a datetime or epoch seconds."""
    if value is None:
        return None
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, tz=timezone.utc)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat(timespec="seconds")
    return str(value)


def provenance(task: Any, base: Path | None = None) -> dict[str, Any]:
    """Where a result came from: stored in the output's metadata under ``"seedance_nb"``."""
    request = getattr(task, "request", None)
    estimate = getattr(task, "estimate", None)
    cost = getattr(task, "cost", None)
    return {
        "version": __version__,
        "task_id": getattr(task, "id", None),
        "provider": getattr(task, "provider", None),
        "model": getattr(task, "model", None) or getattr(request, "model", None),
        "mode": str(getattr(task, "mode", None) or getattr(request, "mode", "") or ""),
        "prompt": prompt_of(task),
        "options": options(request),
        "materials": materials(request),
        "seed": seed(task),
        "status": status_word(task),
        "error_code": getattr(task, "error_code", None),
        "tokens": getattr(task, "tokens", None),
        "cost": _amount(cost) if cost is not None else None,
        "estimated_cost": getattr(estimate, "amount", None),
        "currency": getattr(task, "currency", None) or getattr(estimate, "currency", None),
        "submitted_at": iso(getattr(task, "submitted_at", None)),
        "finished_at": iso(getattr(task, "finished_at", None)),
        "files": [m.relative(base) for m in media(task)],
        "parent_id": getattr(task, "parent_id", None) or getattr(request, "parent_id", None),
        "tags": list(getattr(task, "tags", None) or getattr(request, "tags", None) or []),
    }
