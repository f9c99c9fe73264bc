"""The static face of a task: HTML that needs no kernel and no widget state.

A finished video becomes a poster (a small JPEG of its first frame, always embedded, so GitHub and
nbviewer show something even where a local path does not resolve) plus a ``<video controls>``
whose ``src`` is the local file relative to the notebook, or a data URL when the file is small
(``embed_limit``) or embedding was asked for. Images work the same way. The provenance is both
visible in the HTML and stored in the output metadata (see :func:`facts.provenance`).
"""

from __future__ import annotations

import base64
import html
import io
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import facts

EMBED_LIMIT = 128 * 1024  # bytes: files up to this size are embedded by default
POSTER_SIDE = 320  # pixels, longest side of the poster JPEG

_BOX = (
    "font-family:system-ui,sans-serif;font-size:13px;border:1px solid #d0d7de;"
    "border-radius:6px;padding:8px 10px;max-width:660px"
)
_MUTED = "color:#57606a"
# Explicit, because notebook front ends right-align and stripe output tables.
_CELL = "text-align:left;vertical-align:top;padding:1px 0;background:none"


def data_url(path: Path, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def poster_jpeg(path: Path, side: int = POSTER_SIDE) -> bytes | None:
    """A small JPEG of a video's first frame or of an image; ``None`` when it cannot be read."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _poster(str(path), stat.st_mtime_ns, stat.st_size, side)


@lru_cache(maxsize=256)
def _poster(path: str, _mtime: int, _size: int, side: int) -> bytes | None:
    from PIL import Image

    try:
        if Path(path).suffix.lower() in (".mp4", ".mov", ".webm", ".m4v"):
            image = _first_frame(path)
        else:
            with Image.open(path) as opened:
                image = opened.convert("RGB")
    except Exception:  # a damaged or unreadable file gets no poster, never an error
        return None
    if image is None:
        return None
    image.thumbnail((side, side))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70, optimize=True)
    return out.getvalue()


def _first_frame(path: str) -> Any:
    import av

    with av.open(path) as container:
        for frame in container.decode(video=0):
            return frame.to_image().convert("RGB")
    return None


def poster_data_url(path: Path) -> str | None:
    jpeg = poster_jpeg(path)
    return None if jpeg is None else "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()


def media_src(item: facts.Media, *, embed: bool, embed_limit: int, base: Path | None) -> str:
    """A data URL when asked for or small enough, else the path relative to the notebook."""
    try:
        size = item.path.stat().st_size
    except OSError:
        return item.relative(base)
    if embed or size <= embed_limit:
        return data_url(item.path, item.mime)
    return item.relative(base)


def html_for(
    task: Any,
    *,
    embed: bool = False,
    embed_limit: int | None = None,
    base: Path | None = None,
) -> str:
    """The static HTML of a task in its current state (``embed_limit`` defaults to
    :data:`EMBED_LIMIT`)."""
    e = html.escape
    embed_limit = EMBED_LIMIT if embed_limit is None else embed_limit
    request = getattr(task, "request", None)
    head = " · ".join(
        bit
        for bit in (
            f"<b>{e(str(facts.provenance(task)['model'] or ''))}</b>",
            e(str(getattr(task, "mode", None) or getattr(request, "mode", "") or "")),
            _status_badge(task),
            e(facts.cost_text(task)),
        )
        if bit
    )
    body = [f'<div style="margin-bottom:6px">{head}</div>']
    body += _media_html(task, embed=embed, embed_limit=embed_limit, base=base)
    if facts.status_word(task) in ("failed", "expired", "cancelled", "unknown"):
        body.append(_error_html(task))
    body.append(_provenance_table(task, base))
    uid = e(str(getattr(task, "uid", "") or ""))
    return (
        f'<div class="seedance-result" data-seedance-task="{uid}" style="{_BOX}">'
        + "".join(body)
        + "</div>"
    )


def _status_badge(task: Any) -> str:
    word = facts.status_word(task)
    color = {"succeeded": "#1a7f37", "failed": "#cf222e", "expired": "#9a6700"}.get(word, "#57606a")
    return f'<span class="seedance-status" style="color:{color}">{html.escape(word)}</span>'


def _media_html(task: Any, *, embed: bool, embed_limit: int, base: Path | None) -> list[str]:
    parts = []
    e = html.escape
    for item in facts.media(task):
        src = e(media_src(item, embed=embed, embed_limit=embed_limit, base=base))
        poster = poster_data_url(item.path)
        if item.kind == "video":
            poster_attr = f' poster="{poster}"' if poster else ""
            # The <img> inside shows where <video> is stripped (GitHub's sanitiser).
            fallback = f'<img src="{poster}" alt="first frame" width="320">' if poster else ""
            parts.append(
                f'<video controls preload="metadata" src="{src}"{poster_attr} '
                f'style="max-width:100%;width:640px;display:block">{fallback}</video>'
            )
        else:
            width = "160" if item.kind == "last_frame" else "640"
            label = "last frame" if item.kind == "last_frame" else "result image"
            parts.append(
                f'<img src="{src}" alt="{label}" style="max-width:100%;width:{width}px;'
                f'display:block;margin-top:4px">'
            )
    if not parts and facts.succeeded(task):
        links = [f'<a href="{e(url)}">{e(kind)}</a>' for kind, url in facts.remote_urls(task)]
        note = "result not saved locally yet"
        parts.append(
            f'<div style="{_MUTED}">{note}{": " + ", ".join(links) if links else ""}</div>'
        )
    if not facts.is_terminal(task):
        parts.append(
            f'<div style="{_MUTED}">the result appears here when the task finishes '
            "(run any cell, or <code>await task</code>, to refresh a saved copy)</div>"
        )
    return parts


def _error_html(task: Any) -> str:
    code = getattr(task, "error_code", None)
    message = getattr(task, "error_message", None) or getattr(task, "raw_status", "") or ""
    shown = f"<b>{html.escape(str(code))}</b>: " if code else ""
    return f'<div class="seedance-error" style="color:#cf222e">{shown}{html.escape(str(message))}</div>'


def _provenance_table(task: Any, base: Path | None) -> str:
    info = facts.provenance(task, base)
    options = ", ".join(f"{k}={v}" for k, v in info["options"].items())
    rows = [
        ("prompt", info["prompt"]),
        ("model", f"{info['model']} on {info['provider']}"),
        ("options", options),
        ("materials", "; ".join(info["materials"])),
        ("seed", info["seed"]),
        ("task", info["task_id"]),
        ("submitted", info["submitted_at"]),
        ("tags", ", ".join(info["tags"])),
        ("parent", info["parent_id"]),
    ]
    cells = "".join(
        f'<tr><td style="{_MUTED};{_CELL};padding-right:8px">{k}</td>'
        f'<td style="{_CELL};white-space:pre-wrap">{html.escape(str(v))}</td></tr>'
        for k, v in rows
        if v not in (None, "", [])
    )
    return f'<table class="seedance-provenance" style="margin-top:6px;border:0">{cells}</table>'


def plain_text(task: Any) -> str:
    """The ``text/plain`` face: one line a terminal or a log can show."""
    bits = [
        str(facts.provenance(task)["model"] or ""),
        facts.status_word(task),
        f"task {getattr(task, 'id', None) or '(not created yet)'}",
    ]
    files = [str(m.path) for m in facts.media(task)]
    if files:
        bits.append(", ".join(files))
    prompt = facts.prompt_short(facts.prompt_of(task), 60)
    return " · ".join(bits) + (f" · “{prompt}”" if prompt else "")
