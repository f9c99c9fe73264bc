"""Where result files go: a visible folder beside the notebook, which Jupyter's file server serves.

Results are saved in ``seedance-media/`` beside the notebook (the kernel's working directory), so
a saved notebook links them by relative path: ``/files/...`` answers for them in Jupyter, and the
links still resolve when the notebook and that folder are zipped or committed together. The
history database stays in ``.seedance/`` (or ``$SEEDANCE_HOME``).

| how                                  | result files go to                                     |
|--------------------------------------|--------------------------------------------------------|
| ``media_dir=`` (History, TaskManager)| that folder                                            |
| ``$SEEDANCE_MEDIA``                  | that folder                                            |
| default history                      | ``seedance-media/`` in the working directory           |
| an explicit history folder ``X/.seedance`` | ``X/seedance-media/``                            |
| any other explicit history folder    | ``seedance-media/`` inside it                          |

A team sharing one ledger can also set ``$SEEDANCE_TEAM_MEDIA``, a folder on a shared mount where
each result is saved once; each member still gets its own copy here (see :mod:`.team_media`).

Files are written with mode 0644 (readable by the file server and by whoever you share them
with). Histories made before this layout kept their files in ``.seedance/media/``, which the file
server hides; they are moved once, the history rows updated, and a message says so.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
from pathlib import Path

log = logging.getLogger("seedance_nb")

MEDIA_FOLDER = "seedance-media"
FILE_MODE = 0o644


def resolve(home: Path, media_dir: str | os.PathLike[str] | None, *, explicit: bool) -> Path:
    """The folder for result files of the history in ``home`` (see the table above)."""
    if media_dir is not None:
        return Path(media_dir).expanduser()
    env = os.environ.get("SEEDANCE_MEDIA")
    if env:
        return Path(env).expanduser()
    if not explicit:
        return Path.cwd() / MEDIA_FOLDER
    return (home.parent if home.name == ".seedance" else home) / MEDIA_FOLDER


def shareable(path: Path) -> None:
    """Make a saved result readable by the file server and by others (mode 0644)."""
    with contextlib.suppress(OSError):
        os.chmod(path, FILE_MODE)


def move_old_files(home: Path, media_dir: Path, conn: sqlite3.Connection) -> int:
    """Move files saved under the old hidden ``home/media/`` into ``media_dir`` once, updating
    the history's rows; returns how many moved. Files the history does not name stay."""
    old = home / "media"
    if not old.is_dir() or old.resolve() == media_dir.resolve():
        return 0
    rows = conn.execute(
        "SELECT uid, idx, path FROM assets WHERE state = 'saved' AND path IS NOT NULL"
    ).fetchall()
    moved = 0
    for uid, idx, raw in rows:
        source = Path(raw)
        if source.parent.resolve() != old.resolve() or not source.is_file():
            continue
        media_dir.mkdir(parents=True, exist_ok=True)
        target = media_dir / source.name
        if target.exists():
            continue  # never overwrite: a file of that name is someone's result
        try:
            shutil.move(str(source), target)
        except OSError as exc:
            log.warning("could not move %s to %s: %s", source.name, media_dir, exc)
            continue
        shareable(target)
        conn.execute(
            "UPDATE assets SET path = ? WHERE uid = ? AND idx = ?", (str(target), uid, idx)
        )
        moved += 1
    if moved:
        log.warning(
            "moved %d result file(s) from %s to %s, where Jupyter serves them and a shared "
            "notebook links them by relative path (the history stays in %s)",
            moved,
            old,
            media_dir,
            home,
        )
        with contextlib.suppress(OSError):
            old.rmdir()  # only when nothing else is left in it
    return moved
