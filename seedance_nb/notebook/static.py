"""The static face of a task: HTML that needs no kernel and no widget state.

A finished video becomes a ``<video controls>`` whose ``src`` is its file relative to the
notebook (``seedance-media/...``), or a data URL when the file is small (:data:`EMBED_LIMIT`) or
embedding was asked for (``--embed``). Its poster (the first frame, a small JPEG) is always
embedded, and inside the ``<video>`` an animated preview (a few frames, WebP) shows where the
player is stripped (GitHub). Images work the same way. The provenance is both visible in the
HTML and stored in the output metadata (see :func:`facts.provenance`); failures, cancellations
and expiries show what happened, the provider's code and message, and what was charged.

A task that has not settled gets the same box with its last known state and the one line that
brings it up to date (``%seedance show ID``): what a notebook saved mid-task shows once its kernel
is gone.
"""

from __future__ import annotations

import base64
import html
import logging
import os
from pathlib import Path
from typing import Any

from . import facts, preview
from .preview import POSTER_SIDE, poster_jpeg  # noqa: F401  (re-exported: the Gallery uses it)

log = logging.getLogger("seedance_nb")

# Files up to this size are embedded (a data URL); larger ones are linked by relative path. A
# notebook of ten linked results stays well under 2 MB (posters and previews are embedded).
# ``SEEDANCE_EMBED_LIMIT`` (bytes, read when an output is made) changes it.
EMBED_LIMIT = 256 * 1024  # bytes


def default_embed_limit() -> int:
    """The size up to which result files are embedded: ``$SEEDANCE_EMBED_LIMIT`` or
    :data:`EMBED_LIMIT`."""
    raw = os.environ.get("SEEDANCE_EMBED_LIMIT", "").strip()
    try:
        return max(0, int(raw)) if raw else EMBED_LIMIT
    except ValueError:
        log.warning(
            "SEEDANCE_EMBED_LIMIT=%r is not a number of bytes; using %d. Fix: e.g. "
            "SEEDANCE_EMBED_LIMIT=262144",
            raw,
            EMBED_LIMIT,
        )
        return EMBED_LIMIT


_BOX = (
    "font-family:system-ui,sans-serif;font-size:13px;border:1px solid #d0d7de;"
    "border-radius:6px;padding:8px 10px;max-width:660px"
)
_MUTED = "color:#57606a"
# Explicit, because notebook front ends right-align and stripe output tables.
_CELL = "text-align:left;vertical-align:top;padding:1px 0;background:none"


def data_url(path: Path, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def poster_data_url(path: Path) -> str | None:
    jpeg = poster_jpeg(path)
    return None if jpeg is None else preview.data_url(jpeg, "image/jpeg")


def poster_b64(task: Any) -> str | None:
    """The first result's poster as base64 (an output's ``image/jpeg``), or None."""
    for item in facts.media(task):
        jpeg = poster_jpeg(item.path)
        if jpeg is not None:
            return base64.b64encode(jpeg).decode("ascii")
    return None


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
    :func:`default_embed_limit`)."""
    e = html.escape
    embed_limit = default_embed_limit() if embed_limit is None else embed_limit
    request = getattr(task, "request", None)
    head = " · ".join(
        bit
        for bit in (
            f"<b>{e(str(facts.provenance(task)['model'] or ''))}</b>",
            e(str(getattr(task, "mode", None) or getattr(request, "mode", "") or "")),
            _status_badge(task),
            e(charged(task)),
        )
        if bit
    )
    body = [f'<div style="margin-bottom:6px">{head}</div>']
    body += _media_html(task, embed=embed, embed_limit=embed_limit, base=base)
    if facts.status_word(task) in ("failed", "expired", "cancelled", "unknown"):
        body.append(_error_html(task))
    body.append(_provenance_table(task, base))
    uid = e(str(getattr(task, "uid", "") or ""))
    css = "seedance-result" if facts.is_terminal(task) else "seedance-result seedance-pending"
    return (
        f'<div class="{css}" data-seedance-task="{uid}" style="{_BOX}">' + "".join(body) + "</div>"
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
            # The <img> inside shows where <video> is stripped (GitHub's sanitiser): a few frames
            # of motion, or at least the poster.
            moving = preview.preview_webp(item.path)
            still = preview.data_url(moving, "image/webp") if moving else poster
            fallback = (
                f'<img class="seedance-preview" src="{still}" alt="preview of the video" '
                f'width="{preview.PREVIEW_SIDE * 5 // 3}">'
                if still
                else ""
            )
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
        parts.append(_pending_html(task))
    return parts


def charged(task: Any) -> str:
    """What the task cost; once it has ended without a reported cost, say so (an estimate
    would read as a charge)."""
    if facts.is_terminal(task) and getattr(task, "cost", None) is None:
        tokens = getattr(task, "tokens", None)
        if tokens:  # billed, but this region publishes no price for the model
            return f"{tokens:,} tokens (no price known)"
        return "no charge reported"
    return facts.cost_text(task)


def refresh_line(task: Any) -> str:
    """The one line that re-renders ``task`` from the history in a new kernel."""
    ident = getattr(task, "id", None) or getattr(task, "uid", None) or ""
    return f"%seedance show {ident}".strip()


# When the kernel that ran the cell is gone, JupyterLab (and Notebook 7) render the live card's
# output as the bare text "Error displaying widget: model not found" on an element with no
# children; a live card always has some. This output already says what happened and how to bring
# it up to date, so it hides that message in the outputs after it (trusted notebooks apply styles;
# elsewhere the message stays, under this explanation).
_HIDE_DEAD_CARD = (
    "<style>.jp-OutputArea-child:has(.seedance-last-known) ~ .jp-OutputArea-child > "
    ".jp-OutputArea-output.jupyter-widgets:not(:has(*)) { display: none; }</style>"
)


def _pending_html(task: Any) -> str:
    word = html.escape(facts.status_word(task))
    line = html.escape(refresh_line(task))
    return (
        _HIDE_DEAD_CARD
        + f'<div class="seedance-last-known" style="{_MUTED}">last known state: <b>{word}</b>. '
        "The live view needs the kernel that ran this cell; if it is gone (the notebook was "
        f"saved while the task ran), run <code>%load_ext seedance_nb</code> then "
        f"<code>{line}</code> to show its current state and result.</div>"
    )


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


def plain_text(task: Any, base: Path | None = None) -> str:
    """The ``text/plain`` face: one line a terminal or a log can show (paths relative to the
    notebook, never absolute)."""
    bits = [
        str(facts.provenance(task)["model"] or ""),
        facts.status_word(task),
        f"task {getattr(task, 'id', None) or '(not created yet)'}",
    ]
    files = [m.relative(base) for m in facts.media(task)]
    if files:
        bits.append(", ".join(files))
    prompt = facts.prompt_short(facts.prompt_of(task), 60)
    return " · ".join(bits) + (f" · “{prompt}”" if prompt else "")


def markdown(task: Any, base: Path | None = None) -> str:
    """The ``text/markdown`` face: a short summary with relative links to the files."""
    info = facts.provenance(task, base)
    head = f"**{info['model'] or ''}** · {info['status']}"
    cost = charged(task)
    if cost:
        head += f" · {cost}"
    lines = [head]
    if info["error_code"] or getattr(task, "error_message", None):
        lines.append(
            f"`{info['error_code'] or 'error'}`: {getattr(task, 'error_message', '') or ''}"
        )
    prompt = facts.prompt_short(info["prompt"], 200).replace("\n", " ")
    if prompt:
        lines.append(f"> {prompt}")
    links = [f"[{m.kind}]({m.relative(base)})" for m in facts.media(task)]
    if links:
        lines.append(" · ".join(links))
    lines.append(f"task `{info['task_id'] or '(not created yet)'}`")
    if not facts.is_terminal(task):
        lines.append(f"last known state; to bring it up to date: `{refresh_line(task)}`")
    return "\n\n".join(lines)
