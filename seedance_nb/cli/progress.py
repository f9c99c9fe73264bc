"""Live progress for the CLI: one updating line per task on a terminal, plain lines when piped.

On a terminal (``rich``) each task shows its status, the time since it was sent, the time left by
the estimate and, while results are saved, the bytes written so far. Piped (a log, CI), a plain
line is printed only when a task's status changes, so logs stay short and greppable. Progress
goes to stderr: stdout keeps the report (and ``--json``).

>>> watch([task], timeout=600)   # returns when every task is done or the time is up
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

TICK = 0.25


def clock(seconds: float | None) -> str:
    """``1:05`` (or ``1:02:03``) for a number of seconds."""
    total = max(0, int(seconds or 0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def size(count: int) -> str:
    """``12.3 MB`` for a number of bytes."""
    value = float(count)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"  # pragma: no cover - the loop always returns


def saved_bytes(task: Any) -> int:
    """Bytes of the task's results on disk: saved files and the parts being written."""
    total = sum(int(d.get("size") or 0) for d in _downloads(task) if d.get("state") == "saved")
    if getattr(task, "phase", "") == "downloading":
        folder = _media_dir(task)
        if folder is not None:
            for part in folder.glob(".part-*"):
                # A part may be finished (renamed) between the listing and the stat.
                with contextlib.suppress(OSError):
                    total += part.stat().st_size
    return total


def _downloads(task: Any) -> tuple[dict[str, Any], ...]:
    try:
        return tuple(getattr(task, "downloads", ()) or ())
    except Exception:  # a task rebuilt without its files
        return ()


def _media_dir(task: Any) -> Path | None:
    history = getattr(getattr(task, "_manager", None), "history", None)
    folder = getattr(history, "media_dir", None)
    return folder if isinstance(folder, Path) else None


def word(task: Any) -> str:
    """The task's status in one word; ``saving`` while a finished task's results are written."""
    status = getattr(task, "status", None)
    text = getattr(status, "value", None) or str(getattr(task, "phase", "") or "submitting")
    if getattr(task, "phase", "") == "downloading":
        return f"{text}, saving"
    return str(text)


def line(task: Any) -> str:
    """``cgt-1234  running  0:42  about 1:18 left`` (and ``3.1 MB saved`` while saving)."""
    name = getattr(task, "id", None) or f"#{getattr(task, 'uid', '?')}"
    parts = [str(name), word(task), clock(getattr(task, "elapsed", 0.0))]
    done = bool(getattr(task, "done", False))
    eta = None if done else getattr(task, "eta", None)
    if isinstance(eta, (int, float)):
        parts.append(f"about {clock(eta)} left")
    elif not done and not getattr(getattr(task, "status", None), "terminal", True):
        parts.append("taking longer than usual")
    saved = saved_bytes(task)
    if saved:
        parts.append(f"{size(saved)} saved")
    return "  ".join(parts)


def watch(
    tasks: Sequence[Any],
    *,
    timeout: float | None = None,
    stream: IO[str] | None = None,
    live: bool | None = None,
) -> None:
    """Show the tasks' progress until all are done or ``timeout`` seconds have passed."""
    from rich.console import Console

    console = Console(file=stream or sys.stderr, highlight=False)
    live = console.is_terminal if live is None else live
    deadline = None if timeout is None else time.monotonic() + timeout

    def finished() -> bool:
        return all(bool(getattr(t, "done", False)) for t in tasks) or (
            deadline is not None and time.monotonic() >= deadline
        )

    if not live:
        _plain(tasks, console.file, finished)
        return
    from rich.live import Live
    from rich.text import Text

    def view() -> Text:
        return Text("\n".join(line(t) for t in tasks))

    with Live(view(), console=console, refresh_per_second=4, transient=False) as shown:
        while not finished():
            time.sleep(TICK)
            shown.update(view())
        shown.update(view())


def _plain(tasks: Sequence[Any], out: IO[str], finished: Any) -> None:
    said: dict[int, str] = {}
    while True:
        for index, task in enumerate(tasks):
            now = word(task)
            if said.get(index) != now:
                said[index] = now
                print(line(task), file=out, flush=True)
        if finished():
            return
        time.sleep(TICK)
