"""A team's media folder: each result saved once on a shared mount, every member served a copy.

The team sets ``SEEDANCE_TEAM_MEDIA`` (or :func:`configure`) to a folder on a mount they all see.
When a result is to be saved, the first member to get there claims it (``<stem>.claim``, created
with ``O_EXCL``; a claim older than :data:`CLAIM_STALE` seconds belonged to a member that died and
is taken over), downloads it into the team folder (a temporary name, then a rename), writes
``<stem>.json`` (file name, sha256, size, content type; also written by rename) and drops the
claim. Every other member waits for that record, checks the file's sha256 and never fetches the
result URL. The history's asset row names the file in the team folder.

Jupyter's file server serves only files under its root, and it refuses a symbolic link that leads
outside it (tornado checks where a linked file points), so a link to the mount would not play in a
notebook. Each member therefore gets the file in its own ``seedance-media/`` as a hard link when
the mount is the same file system, else as a copy: :func:`local_copy`, used when a result is shown.
A member whose machine lacks the mount (the folder is missing) downloads the result URL itself,
into its own folder, as without a team folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ..download import DownloadResult
from . import media_folder

log = logging.getLogger("seedance_nb.lifecycle")

ENV = "SEEDANCE_TEAM_MEDIA"
CLAIM_STALE = 1200.0  # seconds: longer than a download may take (DownloadPolicy.deadline)

_configured: Path | None = None

Download = Callable[[Path], Awaitable[DownloadResult]]


def configure(folder: str | os.PathLike[str] | None) -> None:
    """Use ``folder`` (a path on a mount the team shares) as this process's team media folder;
    ``None`` goes back to ``$SEEDANCE_TEAM_MEDIA`` (unset: no team folder)."""
    global _configured
    _configured = Path(folder).expanduser() if folder is not None else None


def folder() -> Path | None:
    """The team media folder: :func:`configure`'s, else ``$SEEDANCE_TEAM_MEDIA``, else None."""
    if _configured is not None:
        return _configured
    env = os.environ.get(ENV)
    return Path(env).expanduser() if env else None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


async def save(
    stem: str,
    local_dir: Path,
    download: Download,
    *,
    team: Path | None = None,
    poll: float = 0.2,
    stale: float = CLAIM_STALE,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> DownloadResult:
    """Save the result named ``stem`` once for the team; ``download(dest)`` fetches its URL.

    Returns the file in the team folder (the member's own copy is made in ``local_dir``). Without
    a team folder, or when it is missing on this machine, downloads into ``local_dir``."""
    team = team if team is not None else folder()
    if team is None:
        return await download(local_dir / stem)
    if not team.is_dir():
        log.info("team media folder %s is missing here: saving %s from its URL", team, stem)
        return await download(local_dir / stem)
    claim = team / f"{stem}.claim"
    while True:
        found = _recorded(team, stem)
        if found is not None:
            local_copy(found.path, local_dir, team)
            return found
        try:
            claimed = _claim(claim, stale)
        except OSError as exc:  # a read-only mount, say: save our own copy, lose nothing
            log.warning("cannot claim %s in the team media folder (%s): saving it here", stem, exc)
            return await download(local_dir / stem)
        if claimed:
            try:
                saved = await download(team / stem)
                media_folder.shareable(saved.path)
                _record(team, stem, saved)
            finally:
                with contextlib.suppress(OSError):
                    claim.unlink()
            local_copy(saved.path, local_dir, team)
            return saved
        await sleep(poll)  # another member is downloading it


def _claim(claim: Path, stale: float) -> bool:
    """Create the claim file, or take over one older than ``stale`` seconds."""
    try:
        fd = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        try:
            age = time.time() - claim.stat().st_mtime
        except FileNotFoundError:
            return False  # just released: look for its record again
        if age < stale:
            return False
        # Only one member can move the stale claim away; it then claims afresh.
        try:
            os.rename(claim, claim.with_name(f"{claim.name}.stale-{os.getpid()}"))
        except FileNotFoundError:
            return False
        with contextlib.suppress(OSError):
            os.unlink(claim.with_name(f"{claim.name}.stale-{os.getpid()}"))
        log.warning("took over %s, left by a member that stopped", claim.name)
        return _claim(claim, stale)
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps({"pid": os.getpid(), "at": time.time()}))
    return True


def _record(team: Path, stem: str, saved: DownloadResult) -> None:
    record = {"name": saved.path.name, "sha256": saved.sha256, "size": saved.size,
              "content_type": saved.content_type}  # fmt: skip
    tmp = team / f".{stem}.json.{os.getpid()}"
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, team / f"{stem}.json")


def _recorded(team: Path, stem: str) -> DownloadResult | None:
    """The team's saved file for ``stem``, if its record is there and its sha256 matches."""
    try:
        record = json.loads((team / f"{stem}.json").read_text(encoding="utf-8"))
        path = team / Path(str(record["name"])).name
        if sha256_of(path) != record["sha256"]:
            log.warning("%s in the team media folder does not match its sha256", path.name)
            return None
        return DownloadResult(path, str(record["sha256"]), int(record["size"]),
                              str(record["content_type"]))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None


def local_copy(path: Path, local_dir: Path, team: Path | None = None) -> Path:
    """The member's own copy of a file of the team folder, in ``local_dir`` (made if missing:
    a hard link when on the same file system, else a copy). A path another member saved without
    the mount, missing here, is looked up in the team folder by its name. Other paths come back
    unchanged, as does a team file this machine cannot read and has no copy of."""
    team = team if team is not None else folder()
    if team is None:
        return path
    mine = local_dir / path.name
    if path.parent.resolve() != team.resolve():
        if path.is_file() or not (team / path.name).is_file():
            return path
        path = team / path.name  # another member's own copy, saved without the mount
    if mine.is_file():
        return mine
    if not path.is_file():
        return path
    tmp = local_dir / f".part-{path.name}.{os.getpid()}"
    try:
        local_dir.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, tmp)
        except OSError:  # another file system (a network mount): copy it
            shutil.copyfile(path, tmp)
            media_folder.shareable(tmp)
        os.replace(tmp, mine)
    except OSError as exc:  # showing the result must not fail: show the team's file
        log.warning("could not copy %s into %s: %s", path.name, local_dir, exc)
        with contextlib.suppress(OSError):
            tmp.unlink()
        return path
    return mine
