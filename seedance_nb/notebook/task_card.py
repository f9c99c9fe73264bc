"""``TaskCard``: the live view of one task (JS in ``js/task_card.js``).

The card subscribes to its task (``task.observe``) and copies what it shows into synced traits;
observer callbacks run on the kernel's event loop, and trait changes made there reach the browser
while the kernel is idle. The view counts elapsed time on by itself between updates, and a shared
ticker refreshes the progress estimate of running cards once a second.

User actions arrive as one named event each: ``{"event": "cancel"}``, and
``{"event": "media", "index": i}`` (the view asks for a result file; the bytes come back in a
message, so widget state never holds media).

>>> card = TaskCard(task)   # or simply display the task
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from typing import Any

import anywidget
import traitlets as t

from . import assets, facts

log = logging.getLogger("seedance_nb")

TICK_SECONDS = 1.0
MAX_MESSAGE_BYTES = 512 * 1024 * 1024  # never push more than this through the widget channel


class TaskCard(anywidget.AnyWidget):
    """Status, elapsed time, progress, Cancel, and the result of one task."""

    _esm = assets.path("task_card.js")
    _css = assets.path("style.css")

    uid = t.Unicode("").tag(sync=True)
    task_id = t.Unicode("").tag(sync=True)
    provider = t.Unicode("").tag(sync=True)
    model = t.Unicode("").tag(sync=True)
    mode = t.Unicode("").tag(sync=True)
    prompt = t.Unicode("").tag(sync=True)
    status = t.Unicode("submitting").tag(sync=True)
    raw_status = t.Unicode("").tag(sync=True)
    phase = t.Unicode("").tag(sync=True)
    running = t.Bool(True).tag(sync=True)
    progress = t.Float(0.0).tag(sync=True)
    elapsed = t.Float(0.0).tag(sync=True)  # seconds when last synced; the view counts on
    can_cancel = t.Bool(False).tag(sync=True)
    cancel_reason = t.Unicode("").tag(sync=True)
    cost = t.Unicode("").tag(sync=True)
    error_code = t.Unicode("").tag(sync=True)
    error_message = t.Unicode("").tag(sync=True)
    media = t.List(t.Dict()).tag(sync=True)  # [{index, kind, mime, name, url}]; url "" = ask
    notice = t.Unicode("").tag(sync=True)  # the outcome of a Cancel click
    detail = t.Unicode("").tag(sync=True)  # queue position, progress basis, polling trouble
    options = t.Unicode("").tag(sync=True)  # the request's options and seed, in one line

    def __init__(self, task: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.task = task
        self._files: list[Any] = []
        self.on_msg(self._on_message)
        self.sync_from(task)
        self._unsubscribe = task.observe(self.sync_from) if hasattr(task, "observe") else None
        if self.running:
            _ticker.add(self)

    # -- task → traits ---------------------------------------------------------------------------
    def sync_from(self, task: Any) -> None:
        """Copy the task's state into the traits (called on every task change)."""
        request = getattr(task, "request", None)
        progress = getattr(task, "progress", None)
        elapsed = getattr(task, "elapsed", None)
        found = facts.media(task)
        with self.hold_sync():
            self.uid = str(getattr(task, "uid", "") or "")
            self.task_id = str(getattr(task, "id", None) or "")
            self.provider = str(getattr(task, "provider", None) or "")
            self.model = str(getattr(task, "model", None) or getattr(request, "model", "") or "")
            self.mode = str(getattr(task, "mode", None) or getattr(request, "mode", "") or "")
            self.prompt = facts.prompt_of(task)
            self.options = options_line(task)
            self.status = facts.status_word(task)
            self.raw_status = str(getattr(task, "raw_status", None) or "")
            self.phase = str(getattr(task, "phase", None) or "")
            self.running = not facts.is_terminal(task)
            self.progress = 1.0 if facts.succeeded(task) else float(progress or 0.0)
            self.elapsed = float(elapsed or 0.0)
            self.can_cancel = bool(getattr(task, "can_cancel", False))
            self.cancel_reason = "" if self.can_cancel else _reason(task)
            self.cost = facts.cost_text(task) or _tokens_only(task)
            # A succeeded task has no error to show, whatever an earlier step recorded.
            failed = not facts.succeeded(task)
            self.error_code = str(getattr(task, "error_code", None) or "") if failed else ""
            self.error_message = str(getattr(task, "error_message", None) or "") if failed else ""
            self.detail = _detail(task)
            if [m.path for m in found] != self._files:
                self._files = [m.path for m in found]
                self.media = _media_entries(task, found)
        if not self.running:
            _ticker.discard(self)

    def tick(self) -> None:
        """Refresh the time-based values (progress estimate, elapsed) of a running task."""
        task = self.task
        with self.hold_sync():
            self.progress = float(getattr(task, "progress", None) or 0.0)
            self.elapsed = float(getattr(task, "elapsed", None) or 0.0)
            self.detail = _detail(task)

    # -- view → kernel ---------------------------------------------------------------------------
    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        event = content.get("event")
        if event == "cancel":
            self.request_cancel()
        elif event == "media":
            self._send_media(content.get("index"))

    def request_cancel(self) -> None:
        """What the Cancel button does: ask for the cancel, and say plainly if it cannot be."""
        task = self.task
        if not getattr(task, "can_cancel", False):
            self.notice = _reason(task) or "this task cannot be cancelled now"
            return
        try:
            task.cancel()  # in the kernel this schedules the request on the loop and returns
        except Exception as exc:  # the reason is shown on the card, not raised into the kernel
            self.notice = f"cancel failed: {exc}"
        else:
            self.notice = "cancel requested"
        self.sync_from(task)

    def _send_media(self, index: Any) -> None:
        items = self.media
        if not isinstance(index, int) or not 0 <= index < len(items):
            return
        item = items[index]
        if index >= len(self._files):  # a provider URL: the view loads it itself
            self.send({"event": "media", "index": index, "error": "no local copy"})
            return
        try:
            data = self._files[index].read_bytes()
        except OSError as exc:
            self.send({"event": "media", "index": index, "error": f"cannot read the file: {exc}"})
            return
        if len(data) > MAX_MESSAGE_BYTES:
            self.send({"event": "media", "index": index, "error": "file too large to show here"})
            return
        self.send({"event": "media", "index": index, "mime": item["mime"]}, buffers=[data])

    def close(self) -> None:
        _ticker.discard(self)
        if self._unsubscribe is not None:
            with contextlib.suppress(Exception):
                self._unsubscribe()
            self._unsubscribe = None
        super().close()


_UNITS = {"duration": "{} s", "frames": "{} frames", "n": "{} images", "seed": "seed {}"}
_WORDS = {"generate_audio": ("with audio", "silent"), "return_last_frame": ("last frame", "")}


def options_line(task: Any) -> str:
    """What was asked besides the prompt, in one line: "720p · 16:9 · 5 s · seed 42 · silent".

    The seed the provider reports (when it chose one) wins over the one asked for.
    """
    request = getattr(task, "request", None)
    chosen = facts.options(request) if request is not None else dict(getattr(task, "params", {}))
    chosen = {k: v for k, v in chosen.items() if k not in _SKIP and v is not None}
    reported = getattr(task, "seed", None)
    if isinstance(reported, int):
        chosen["seed"] = reported
    parts = []
    for name, value in chosen.items():
        if name in _WORDS:
            word = _WORDS[name][0 if value else 1]
            if word:
                parts.append(word)
        elif name == "duration" and value == -1:
            parts.append("duration chosen by the model")
        elif name in _UNITS:
            parts.append(_UNITS[name].format(value))
        else:
            parts.append(str(value))
    return " · ".join(parts)


def _tokens_only(task: Any) -> str:
    """The tokens used (or estimated) when no price is known for the task's region."""
    used = getattr(task, "tokens", None)
    if isinstance(used, int):
        return f"{used:,} tokens (no price known)"
    tokens = getattr(getattr(task, "estimate", None), "tokens", None)
    return f"≈ {tokens:,} tokens (no price known)" if isinstance(tokens, int) else ""


_SKIP = {"kind", "model", "prompt", "mode", "materials", "images", "tags", "parent_id"}


def _reason(task: Any) -> str:
    if facts.is_terminal(task):
        return f"the task has {facts.status_word(task)}"
    return str(getattr(task, "cancel_reason", None) or "")


def _detail(task: Any) -> str:
    if facts.is_terminal(task):
        return ""
    position = getattr(task, "queue_position", None)
    if isinstance(position, int):
        return (
            "next in the local queue" if position == 0 else f"{position} ahead in the local queue"
        )
    trouble = getattr(task, "poll_error", None)
    if trouble:
        return f"polling trouble, retrying: {trouble}"
    note = getattr(task, "progress_note", None)
    return str(note) if note else ""


def _media_entries(task: Any, found: list[facts.Media]) -> list[dict[str, Any]]:
    entries = [
        {"index": i, "kind": m.kind, "mime": m.mime, "name": m.path.name, "url": ""}
        for i, m in enumerate(found)
    ]
    if not entries:  # not saved locally (yet): show the provider's URL if a browser can load it
        for kind, url in facts.remote_urls(task):
            mime = "video/mp4" if kind == "video" else "image/*"
            entries.append(
                {"index": len(entries), "kind": kind, "mime": mime, "name": "", "url": url}
            )
    return entries


class _Ticker:
    """One loop task that refreshes the running cards' progress, and stops when none is left."""

    def __init__(self) -> None:
        self._cards: weakref.WeakSet[TaskCard] = weakref.WeakSet()
        self._job: asyncio.Task[None] | None = None

    def add(self, card: TaskCard) -> None:
        self._cards.add(card)
        if self._job is None or self._job.done():
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # no loop (a script, a test): progress moves with task updates only
            self._job = loop.create_task(self._run())

    def discard(self, card: TaskCard) -> None:
        self._cards.discard(card)

    async def _run(self) -> None:
        while self._cards:
            await asyncio.sleep(TICK_SECONDS)
            for card in list(self._cards):
                try:
                    card.tick()
                except Exception:  # a broken card must not stop the others
                    log.debug("card tick failed", exc_info=True)
                    self._cards.discard(card)


_ticker = _Ticker()
