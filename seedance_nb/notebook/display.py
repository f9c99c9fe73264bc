"""Showing a task in a notebook output, and keeping that output current (``display_id``).

Showing a task makes two outputs. The first is static (no widget view): the task's last known
state, then its result (poster as ``image/jpeg``, ``text/html`` with poster, ``<video>`` and
provenance, a ``text/markdown`` and ``text/plain`` summary, the provenance in the metadata under
``"seedance_nb"``). The second, while the task has not settled, is the live :class:`TaskCard`;
the card hides the first while it lives (``js/task_card.js`` marks its output area). Once the task
has settled (finished, its files saved) the static output becomes the result and the live one is
emptied, so a saved notebook shows the result with no kernel and no widget state.

A notebook saved while a task ran, reopened once its kernel is gone, shows the static output's
last known state and the line that brings it up to date (``%seedance show ID``, which re-renders
the task from the history); see docs/sharing.md for why this and not saved widget state.

Updates made from the event loop (observer callbacks) carry the header of the cell that submitted
the task, and a headless runner (nbclient) ignores them. So every change is also marked *dirty*
and flushed from the foreground after each cell runs (an IPython ``post_run_cell`` hook): a
notebook that waits on a task (``await task``, ``task.wait()``, or any later cell) ends up with
the final static result. :func:`refresh` does the same on demand.

>>> show(task)            # what displaying a task does; returns the display id
>>> refresh(task)         # re-render every output of this task from the current cell
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import facts, static

log = logging.getLogger("seedance_nb")

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
METADATA_KEY = "seedance_nb"


@dataclass
class _Entry:
    task: Any
    display_ids: list[str] = field(default_factory=list)  # the static outputs
    live_ids: list[str] = field(default_factory=list)  # the card outputs (emptied once settled)
    embed: bool = False
    card: Any = None
    published: tuple[Any, ...] = ()  # state of the last bundle sent
    unsubscribe: Any = None
    # For other things shown statically (a TaskGroup, a Gallery): their bundle and state.
    render: Callable[[], tuple[dict[str, Any], dict[str, Any]]] | None = None
    snapshot: Callable[[], tuple[Any, ...]] | None = None


# One registry per kernel: outputs are a property of the kernel session, not of any object.
_entries: dict[int, _Entry] = {}
_dirty: set[int] = set()
_hooked: set[int] = set()


def _key(task: Any) -> int:
    # The handle's identity: local uids repeat across histories (two managers, tests). An entry
    # holds its task, so the id cannot be reused while the entry exists.
    return id(task)


def settled(task: Any) -> bool:
    """Nothing more will happen on its own: finished and its files saved (phase ``done``)."""
    phase = getattr(task, "phase", None)
    return phase == "done" if phase is not None else facts.is_terminal(task)


def _state(task: Any) -> tuple[Any, ...]:
    return (facts.status_word(task), getattr(task, "phase", None), len(facts.media(task)))


def card_for(task: Any) -> Any:
    """The one :class:`TaskCard` of ``task`` in this kernel (created on first use)."""
    entry = _entry(task)
    if entry.card is None:
        from .task_card import TaskCard

        entry.card = TaskCard(task)
    return entry.card


def static_bundle(
    task: Any, *, embed: bool | None = None, base: Path | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(data, metadata)`` of ``task``'s static output now: no widget view, nothing local."""
    entry = _entry(task)
    embed = entry.embed if embed is None else embed
    data: dict[str, Any] = {
        "text/plain": static.plain_text(task, base),
        "text/markdown": static.markdown(task, base),
        "text/html": static.html_for(task, embed=embed, base=base),
    }
    poster = static.poster_b64(task)
    if poster is not None:
        data["image/jpeg"] = poster  # shown where HTML is stripped or untrusted
    return data, {METADATA_KEY: facts.provenance(task, base)}


def live_bundle(task: Any) -> dict[str, Any]:
    """The live card's output (empty ``text/plain``: the static output says it all)."""
    view = card_for(task)._repr_mimebundle_()[0]
    return {WIDGET_MIME: view[WIDGET_MIME], "text/plain": ""}


# A live output once its task has settled: Lab hides a view with no model; others show nothing.
_EMPTIED = {WIDGET_MIME: {"version_major": 2, "version_minor": 0, "model_id": ""}, "text/plain": ""}


def mimebundle(
    task: Any, *, embed: bool | None = None, base: Path | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One bundle for ``task`` (``_repr_mimebundle_``): the static output, plus the card's view
    while the task has not settled."""
    data, metadata = static_bundle(task, embed=embed, base=base)
    if not settled(task):
        data[WIDGET_MIME] = live_bundle(task)[WIDGET_MIME]
    return data, metadata


def configure(task: Any, *, embed: bool) -> None:
    """Embed ``task``'s result files in its outputs whatever their size (``--embed``)."""
    _entry(task).embed = embed


def show(task: Any, *, embed: bool = False) -> str:
    """Display ``task`` (its static output, and its live card until it settles) and remember
    where; returns the static output's display id."""
    from IPython.display import display

    entry = _entry(task)
    entry.embed = entry.embed or embed
    _hook_shell()
    if entry.unsubscribe is None and hasattr(task, "observe"):
        entry.unsubscribe = task.observe(_on_change)
    display_id = uuid.uuid4().hex
    data, metadata = static_bundle(task)
    display(data, raw=True, metadata=metadata, display_id=display_id)
    entry.display_ids.append(display_id)
    if not settled(task):
        live_id = uuid.uuid4().hex
        display(live_bundle(task), raw=True, display_id=live_id)
        entry.live_ids.append(live_id)
    entry.published = _state(task)
    return display_id


def show_static(
    obj: Any,
    render: Callable[[], tuple[dict[str, Any], dict[str, Any]]],
    snapshot: Callable[[], tuple[Any, ...]],
    observe: Callable[[Callable[[Any], None]], Any],
) -> str:
    """Display ``render()`` for ``obj`` (a TaskGroup, a Gallery) and re-render it whenever
    ``snapshot()`` changes; ``observe(callback)`` subscribes to ``obj``'s changes."""
    from IPython.display import display

    entry = _entry(obj)
    entry.render, entry.snapshot = render, snapshot
    _hook_shell()
    if entry.unsubscribe is None:
        entry.unsubscribe = observe(lambda _changed: _on_change(obj)) or (lambda: None)
    display_id = uuid.uuid4().hex
    data, metadata = render()
    display(data, raw=True, metadata=metadata, display_id=display_id)
    entry.display_ids.append(display_id)
    entry.published = snapshot()
    return display_id


def refresh(task: Any) -> None:
    """Re-render every output showing ``task`` (call it from a cell: nbclient then sees it)."""
    entry = _entries.get(_key(task))
    _dirty.discard(_key(task))
    if entry is None or not entry.display_ids:
        return
    _publish(entry)


def flush() -> None:
    """Refresh every task whose state changed since its outputs were last rendered."""
    for key in list(_dirty):
        entry = _entries.get(key)
        _dirty.discard(key)
        if entry is not None and entry.display_ids:
            _publish(entry)


def forget(task: Any) -> None:
    """Stop tracking ``task``'s outputs (they stay as they are)."""
    entry = _entries.pop(_key(task), None)
    _dirty.discard(_key(task))
    if entry is not None and entry.unsubscribe is not None:
        entry.unsubscribe()


def _entry(task: Any) -> _Entry:
    key = _key(task)
    entry = _entries.get(key)
    if entry is None:
        entry = _entries[key] = _Entry(task)
    return entry


def _publish(entry: _Entry) -> None:
    from IPython.display import update_display

    data, metadata = entry.render() if entry.render else static_bundle(entry.task)
    for display_id in entry.display_ids:
        update_display(data, raw=True, metadata=metadata, display_id=display_id)
    if entry.snapshot is not None:
        entry.published = entry.snapshot()
        return
    if settled(entry.task):  # again on the flush after the next cell: nbclient sees that one
        for live_id in entry.live_ids:
            update_display(_EMPTIED, raw=True, display_id=live_id)
    entry.published = _state(entry.task)


def _on_change(task: Any) -> None:
    """Observer (event-loop thread): keep the static output at the task's last known state, and
    once the task settles turn it into the result and empty the card's output.

    Only a change of status, phase or files re-renders (the card shows progress itself). Live
    frontends apply the update at once; headless runners get it from the flush after the next
    cell.
    """
    entry = _entries.get(_key(task))
    if entry is None:
        return
    if (entry.snapshot() if entry.snapshot else _state(task)) == entry.published:
        return
    _dirty.add(_key(task))
    try:
        _publish(entry)
    except Exception:  # an output that cannot be updated must not break polling
        log.debug("could not update an output of task %s", getattr(task, "uid", "?"), exc_info=True)


def _hook_shell() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    shell = get_ipython()
    if shell is not None:
        install(shell)


def install(shell: Any) -> None:
    """Flush stale outputs after every cell of ``shell`` (idempotent)."""
    if id(shell) in _hooked:
        return
    shell.events.register("post_run_cell", _post_run_cell)
    _hooked.add(id(shell))


def uninstall(shell: Any) -> None:
    if id(shell) not in _hooked:
        return
    shell.events.unregister("post_run_cell", _post_run_cell)
    _hooked.discard(id(shell))


def _post_run_cell(result: Any = None) -> None:
    if _dirty:
        flush()


class TaskDisplay:
    """Something that shows a task: what ``%%seedance`` returns when the task cannot itself.

    ``.task`` is the task handle.
    """

    def __init__(self, task: Any, *, embed: bool = False) -> None:
        self.task = task
        self.embed = embed

    def _ipython_display_(self) -> None:
        show(self.task, embed=self.embed)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        return mimebundle(self.task, embed=self.embed)

    def __repr__(self) -> str:
        return static.plain_text(self.task)
