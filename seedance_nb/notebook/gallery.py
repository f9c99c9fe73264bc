"""``Gallery``: past results from the history as a grid (JS in ``js/gallery.js``).

Filter by words in the prompt, model and tag; each cell shows a thumbnail, the prompt and only the
options that differ between the cells shown, with Re-run (same request, new task) and Fork (a
Composer filled in from it). What those open appears below the grid.

Events from the view: ``refresh``, ``rerun`` and ``fork`` (with the row's ``uid``), and ``play``
(a thumbnail was clicked: the file's bytes go back in a message, so widget state never holds media).
Re-run and Fork carry the ``ticket`` the view showed and are handled once per ticket: a double
click, or a repeated event, sends one create, not two. A Re-run keeps the tags of its row, so it
stays in the view it came from.

>>> Gallery(tag="storyboard")
"""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Callable
from typing import Any

import anywidget
import ipywidgets
import traitlets as t

from .. import errors
from . import assets, display, static
from .task_card import MAX_MESSAGE_BYTES

THUMB_SIDE = 240
_SKIP_OPTIONS = {"kind", "mode", "prompt", "materials", "images", "tags", "parent_id"}


class Gallery(anywidget.AnyWidget):
    """A grid of results with filters, the options that differ, Re-run and Fork."""

    _esm = assets.path("gallery.js")
    _css = assets.path("style.css")

    items = t.List(t.Dict()).tag(sync=True)
    text = t.Unicode("").tag(sync=True)
    model_name = t.Unicode("").tag(sync=True)
    tag = t.Unicode("").tag(sync=True)
    models = t.List(t.Unicode()).tag(sync=True)
    tags = t.List(t.Unicode()).tag(sync=True)
    limit = t.Int(48).tag(sync=True)
    message = t.Unicode("").tag(sync=True)
    ticket = t.Unicode("").tag(sync=True)  # the key the next Re-run/Fork click must carry

    def __init__(
        self,
        *,
        text: str = "",
        model: str = "",
        tag: str = "",
        limit: int = 48,
        frame: Callable[..., Any] | None = None,
        manager: Any = None,
        **kwargs: Any,
    ) -> None:
        self._frame = frame
        self._manager = manager
        self._rows: dict[int, dict[str, Any]] = {}
        self.below = ipywidgets.VBox()
        super().__init__(
            text=text, model_name=model, tag=tag, limit=limit, ticket=secrets.token_hex(8), **kwargs
        )
        self.reload()
        self.observe(lambda _change: self.reload(), names=["text", "model_name", "tag", "limit"])
        self.on_msg(self._on_message)
        self._box = ipywidgets.VBox([self, self.below])

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self._box._repr_mimebundle_(**kwargs)

    def _ipython_display_(self) -> None:
        """A static copy of the grid (for when the kernel is gone; hidden beside the live one,
        kept current as the grid changes), then the live grid."""
        from IPython.display import display as show

        from . import grid

        display.show_static(
            self,
            lambda: grid.gallery_bundle(list(self.items)),
            lambda: (tuple(json.dumps(i, sort_keys=True, default=str) for i in self.items),),
            lambda callback: self.observe(lambda _change: callback(self), names=["items"]),
        )
        show(self._box)

    # -- data ------------------------------------------------------------------------------------
    def _history(self, **filters: Any) -> Any:
        if self._frame is not None:
            return self._frame(**filters)
        from .. import lifecycle

        return lifecycle.history(**filters)

    def reload(self) -> None:
        """Read the history again with the current filters."""
        everything = self._history()
        self.models = (
            sorted({str(m) for m in everything["model"].dropna()}) if len(everything) else []
        )
        self.tags = sorted({str(x) for tags in everything.get("tags", []) for x in _tuple(tags)})
        filters = {
            "text": self.text or None,
            "model": self.model_name or None,
            "tag": self.tag or None,
        }
        table = self._history(**{k: v for k, v in filters.items() if v is not None})
        rows = [_row(r) for r in table.head(self.limit).to_dict("records")]
        self._rows = {r["uid"]: r for r in rows}
        differing = _differing([r["options"] for r in rows])
        self.items = [_item(r, differing) for r in rows]

    # -- actions ---------------------------------------------------------------------------------
    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        event, uid = content.get("event"), content.get("uid")
        if event == "refresh":
            self.reload()
        elif event == "play" and uid in self._rows:
            self._send_file(uid)
        elif event in ("rerun", "fork"):
            self._click(event, uid, content.get("key"))

    def _click(self, event: str, uid: Any, key: Any) -> None:
        """A Re-run or Fork click: handled once for the ticket it carries, repeats dropped."""
        if not key or key != self.ticket:
            return  # a second event for a click already handled (or from a stale view)
        try:
            if uid in self._rows:
                (self.rerun if event == "rerun" else self.fork)(uid)
        except (errors.SeedanceError, ValueError) as exc:
            what = "Re-run" if event == "rerun" else "Fork"
            why = re.sub(r"task #\d+", "this task", str(exc))  # row numbers mean nothing here
            self.message = f"{what} of {_name(self._rows[uid])} failed: {why}"
        finally:
            self.ticket = secrets.token_hex(8)  # the view enables its buttons again

    def _send_file(self, uid: int) -> None:
        from pathlib import Path

        files = self._rows[uid]["files"]
        if not files:
            self.send({"event": "play", "uid": uid, "error": "no saved result"})
            return
        path = Path(files[0])
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.send({"event": "play", "uid": uid, "error": f"cannot read {path.name}: {exc}"})
            return
        if len(data) > MAX_MESSAGE_BYTES:
            self.send(
                {"event": "play", "uid": uid, "error": f"{path.name} is too large to play here"}
            )
            return
        mime = "video/mp4" if path.suffix.lower() in (".mp4", ".m4v", ".mov") else "image/*"
        self.send({"event": "play", "uid": uid, "mime": mime}, buffers=[data])

    def rerun(self, uid: int) -> Any:
        """Submit the row's request again (a new task, its parent and tags kept); show its card."""
        row = self._rows[uid]
        task = _rerun(self._manager)(row["id"] or uid, tags=list(row["tags"]))
        self.below.children = (display.card_for(task), *self.below.children)
        self.message = f"re-ran {_name(row)}"
        return task

    def fork(self, uid: int) -> Any:
        """Open a Composer filled in from the row, below the grid."""
        from .composer import Composer

        row = self._rows[uid]
        options = {k: v for k, v in row["options"].items() if k not in ("model",)}
        composer = Composer(
            row["prompt"],
            row["model"],
            provider=row["provider"] or None,
            options=options,
            materials=[m for m in row["materials"]],
            manager=self._manager,
        )
        self.below.children = (composer._box, *self.below.children)
        self.message = f"forked {_name(row)}: edit it below"
        return composer


def _name(row: dict[str, Any]) -> str:
    """How a message names a task: its prompt (short) and its id, never a row number."""
    prompt = row["prompt"] if len(row["prompt"]) <= 60 else row["prompt"][:59] + "…"
    ident = f" (task {row['id']})" if row["id"] else ""
    return f"“{prompt}”{ident}" if prompt else (f"task {row['id']}" if row["id"] else "a task")


def _rerun(manager: Any) -> Callable[..., Any]:
    method = getattr(manager, "rerun", None)
    if callable(method):
        return method
    from .. import lifecycle

    return lifecycle.rerun


def _tuple(value: Any) -> tuple[Any, ...]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return (value,)
    return tuple(value)


def _clean(value: Any) -> Any:
    """pandas' missing values become None; numpy scalars become Python ones."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _row(record: dict[str, Any]) -> dict[str, Any]:
    params = _clean(record.get("params"))
    try:
        options = json.loads(params) if isinstance(params, str) else dict(params or {})
    except ValueError:
        options = {}
    materials = [
        m["source"]
        for m in options.get("materials", []) or []
        if isinstance(m, dict)
        and not m.get("local")
        and str(m.get("source", "")).startswith("http")
    ]
    shown = {k: v for k, v in options.items() if k not in _SKIP_OPTIONS and v is not None}
    shown["model"] = _clean(record.get("model"))
    return {
        "uid": int(record["uid"]),
        "id": _clean(record.get("id")),
        "provider": _clean(record.get("provider")) or "",
        "model": _clean(record.get("model")) or "",
        "kind": _clean(record.get("kind")) or "video",
        "prompt": _clean(record.get("prompt")) or "",
        "status": _clean(record.get("status")) or _clean(record.get("phase")) or "",
        "files": [str(f) for f in _tuple(record.get("files"))],
        "tags": [str(x) for x in _tuple(record.get("tags"))],
        "error": _clean(record.get("error_code")) or "",
        "submitted": _clean(record.get("submitted_at")),
        "options": shown,
        "materials": materials,
    }


def _differing(options: list[dict[str, Any]]) -> list[str]:
    """Option names whose values are not the same in every cell."""
    names = sorted({k for o in options for k in o})
    return [n for n in names if len({json.dumps(o.get(n), sort_keys=True) for o in options}) > 1]


def _item(row: dict[str, Any], differing: list[str]) -> dict[str, Any]:
    from pathlib import Path

    thumb = ""
    if row["files"]:
        jpeg = static.poster_jpeg(Path(row["files"][0]), THUMB_SIDE)
        if jpeg is not None:
            import base64

            thumb = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
    when = row["submitted"]
    return {
        "uid": row["uid"],
        "id": row["id"] or "",
        "kind": row["kind"],
        "playable": bool(row["files"]),
        "model": row["model"],
        "prompt": row["prompt"],
        "status": row["status"],
        "error": row["error"],
        "tags": row["tags"],
        "thumb": thumb,
        "diff": {n: row["options"].get(n) for n in differing},
        "when": when.isoformat(timespec="minutes") if hasattr(when, "isoformat") else "",
    }
