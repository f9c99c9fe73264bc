"""Small pictures of a result file, embedded in a saved notebook so it shows without the file.

- the **poster**: a JPEG of a video's first frame (or of an image), at most ``POSTER_SIDE``
  pixels on its longest side; it is the output's ``image/jpeg`` and the ``<video>``'s poster;
- the **preview**: an animated WebP of ``PREVIEW_FRAMES`` frames spread over the video, at most
  ``PREVIEW_SIDE`` pixels, with no video codec involved, so places that cannot play H.264 (VS Code)
  or strip ``<video>`` (GitHub) still show motion.

Both are cached per file (path, mtime, size) and are ``None`` when the file cannot be read.
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path
from typing import Any

POSTER_SIDE = 320  # pixels, longest side of the poster JPEG
PREVIEW_SIDE = 160  # pixels, longest side of the animated preview
PREVIEW_FRAMES = 8
PREVIEW_SECONDS = 2.4  # how long one loop of the preview lasts
VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".m4v")


def _key(path: Path) -> tuple[str, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return str(path), stat.st_mtime_ns, stat.st_size


def poster_jpeg(path: Path, side: int = POSTER_SIDE) -> bytes | None:
    """A small JPEG of a video's first frame or of an image; ``None`` when it cannot be read."""
    key = _key(path)
    return None if key is None else _poster(*key, side)


def preview_webp(path: Path) -> bytes | None:
    """An animated WebP of a few frames of a video; ``None`` for images and unreadable files."""
    key = _key(path)
    if key is None or path.suffix.lower() not in VIDEO_SUFFIXES:
        return None
    return _preview(*key)


def data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


@lru_cache(maxsize=256)
def _poster(path: str, _mtime: int, _size: int, side: int) -> bytes | None:
    from PIL import Image

    try:
        if Path(path).suffix.lower() in VIDEO_SUFFIXES:
            frames = _frames(path, 1)
            image = frames[0] if frames else None
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


@lru_cache(maxsize=64)
def _preview(path: str, _mtime: int, _size: int) -> bytes | None:
    try:
        frames = _frames(path, PREVIEW_FRAMES)
    except Exception:
        return None
    if len(frames) < 2:
        return None
    for frame in frames:
        frame.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
    out = io.BytesIO()
    frames[0].save(
        out,
        format="WEBP",
        save_all=True,
        append_images=frames[1:],
        duration=int(PREVIEW_SECONDS * 1000 / len(frames)),
        loop=0,
        quality=40,
        method=4,
    )
    return out.getvalue()


def _frames(path: str, count: int) -> list[Any]:
    """``count`` frames spread evenly over the video (the first one when ``count`` is 1)."""
    import av

    with av.open(path) as container:
        stream = container.streams.video[0]
        total = stream.frames or 0
        if count == 1 or total <= 0:
            picks = None if count > 1 else {0}
        else:
            picks = {round(i * (total - 1) / (count - 1)) for i in range(count)}
        found = []
        for index, frame in enumerate(container.decode(stream)):
            if picks is None or index in picks:
                found.append(frame.to_image().convert("RGB"))
            if len(found) >= count:
                break
        return found
