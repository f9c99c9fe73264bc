"""Static grids: a Gallery or a TaskGroup as HTML that needs no kernel and no widget state.

Each cell shows the poster (embedded, small), the prompt, the status and only the parameters
that differ between the cells, with the task id; the output's metadata holds each task's
provenance under ``"seedance_nb_group"`` (groups) or each row under ``"seedance_nb_gallery"``
(``"seedance_nb"`` stays the key of one task's provenance). A saved comparison grid is so
visible on GitHub, nbviewer, in exported HTML and after a kernel restart.

>>> data, metadata = group_bundle(group)      # what displaying a TaskGroup shows
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

from . import facts, static

THUMB_SIDE = 240
_GRID = "display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:8px"
_CELL = "border:1px solid #d0d7de;border-radius:4px;padding:6px;font-size:12px"
_MUTED = "color:#57606a"


def grid_html(items: list[dict[str, Any]], title: str, *, css: str = "") -> str:
    """The grid of ``items`` (``thumb`` data URL, ``prompt``, ``status``, ``diff``, ``id``,
    ``error``, ``files``) under ``title``."""
    e = html.escape
    cells = []
    for item in items:
        thumb = item.get("thumb") or ""
        picture = (
            f'<img src="{e(thumb)}" alt="poster" style="width:100%;display:block">'
            if thumb
            else f'<div style="{_MUTED};padding:20px 0;text-align:center">no picture</div>'
        )
        diff = ", ".join(f"{k}={v}" for k, v in (item.get("diff") or {}).items())
        links = " ".join(
            f'<a href="{e(path)}">{e(Path(path).suffix.lstrip(".") or "file")}</a>'
            for path in item.get("files") or ()
        )
        lines = [
            picture,
            f"<div>{e(facts.prompt_short(item.get('prompt') or '', 160))}</div>",
            f'<div style="{_MUTED}">{e(item.get("status") or "")}'
            + (f" · {e(item['error'])}" if item.get("error") else "")
            + (f" · {e(diff)}" if diff else "")
            + "</div>",
            f'<div style="{_MUTED}"><code>{e(item.get("id") or "")}</code> {links}</div>',
        ]
        cells.append(f'<div class="seedance-grid-cell" style="{_CELL}">{"".join(lines)}</div>')
    body = "".join(cells) or f'<div style="{_MUTED}">nothing to show</div>'
    return (
        f'<div class="seedance-static-grid {css}" style="font-family:system-ui,sans-serif">'
        f'<div style="margin-bottom:4px"><b>{e(title)}</b></div>'
        f'<div style="{_GRID}">{body}</div></div>'
    )


def thumb(path: Path) -> str:
    jpeg = static.poster_jpeg(path, THUMB_SIDE)
    return "" if jpeg is None else "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()


def differing(options: list[dict[str, Any]]) -> list[str]:
    """Option names whose values are not the same in every cell."""
    names = sorted({k for o in options for k in o})
    return [n for n in names if len({json.dumps(o.get(n), sort_keys=True) for o in options}) > 1]


def group_items(tasks: list[Any], base: Path | None = None) -> list[dict[str, Any]]:
    """One grid cell per task, with the parameters that differ between them."""
    options = [
        {**facts.options(getattr(t, "request", None)), "model": facts.provenance(t)["model"]}
        for t in tasks
    ]
    names = differing(options)
    items = []
    for task, opts in zip(tasks, options, strict=True):
        media = facts.media(task)
        items.append(
            {
                "thumb": thumb(media[0].path) if media else "",
                "prompt": facts.prompt_of(task),
                "status": facts.status_word(task),
                "error": getattr(task, "error_code", None) or "",
                "id": getattr(task, "id", None) or "",
                "diff": {n: opts.get(n) for n in names},
                "files": [m.relative(base) for m in media],
            }
        )
    return items


def group_bundle(group: Any, base: Path | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(data, metadata)`` of a TaskGroup: the static grid, a text summary, each provenance."""
    tasks = list(group)
    counts = ", ".join(f"{n} {s}" for s, n in group.counts().items())
    title = f"{getattr(group, 'tag', 'group')}: {len(tasks)} tasks ({counts})"
    data = {
        "text/plain": f"TaskGroup {title}",
        "text/html": grid_html(group_items(tasks, base), title),
    }
    return data, {"seedance_nb_group": {"tag": getattr(group, "tag", None),
                                        "tasks": [facts.provenance(t, base) for t in tasks]}}  # fmt: skip


def gallery_bundle(items: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(data, metadata)`` of a Gallery's current grid (hidden beside the live one)."""
    title = f"Gallery: {len(items)} results"
    data = {
        "text/plain": title,
        "text/html": grid_html(items, title, css="seedance-saved-copy"),
    }
    rows = [{k: v for k, v in item.items() if k != "thumb"} for item in items]
    return data, {"seedance_nb_gallery": rows}


def show_group(group: Any) -> str:
    """Display ``group`` as its static grid, kept current as its tasks change."""
    from . import display

    return display.show_static(
        group,
        lambda: group_bundle(group),
        lambda: tuple(display._state(t) for t in group),
        group.observe,
    )
