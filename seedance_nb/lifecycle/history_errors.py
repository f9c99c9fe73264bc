"""Why the history database cannot be used, and how to fix it, in one message."""

from __future__ import annotations

from pathlib import Path

from ..errors import HistoryError


def history_error(path: Path, exc: BaseException, busy_timeout: float) -> HistoryError:
    """What went wrong with the history file, and how to fix it, in one message."""
    text = str(exc)
    low = text.lower()
    elsewhere = "or set SEEDANCE_HOME to another folder"
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        why = (
            f"the history {path} is corrupt ({text}). Fix: move it aside "
            f"(mv '{path}' '{path}.broken') and run again, {elsewhere}"
        )
    elif "locked" in low or "busy" in low:
        why = (
            f"the history {path} stayed locked by another process for {busy_timeout:g} s. Fix: "
            f"finish or close the other kernel or command using it, {elsewhere}"
        )
    elif "readonly" in low or "read-only" in low or isinstance(exc, PermissionError):
        why = (
            f"the history {path} is read-only ({text}). Fix: make it and its folder writable, "
            f"{elsewhere}"
        )
    else:
        why = (
            f"the history {path} cannot be opened or written ({type(exc).__name__}: {text}). "
            f"Fix: check that {path.parent} is a writable folder, {elsewhere}"
        )
    return HistoryError(why + "; nothing was sent", path=str(path))
