"""Reading facts about media without decoding it: kind, mime, pixel size, duration.

Pillow reads only the image header; PyAV reads the container header (and, when the container
does not state a duration, the stream metadata). Nothing here decodes frames.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from PIL import Image

Kind = Literal["image", "video", "audio"]

EXTENSIONS: dict[str, tuple[Kind, str]] = {
    ".jpg": ("image", "image/jpeg"),
    ".jpeg": ("image", "image/jpeg"),
    ".png": ("image", "image/png"),
    ".webp": ("image", "image/webp"),
    ".gif": ("image", "image/gif"),
    ".bmp": ("image", "image/bmp"),
    ".tif": ("image", "image/tiff"),
    ".tiff": ("image", "image/tiff"),
    ".heic": ("image", "image/heic"),
    ".mp4": ("video", "video/mp4"),
    ".mov": ("video", "video/quicktime"),
    ".m4v": ("video", "video/x-m4v"),
    ".webm": ("video", "video/webm"),
    ".mkv": ("video", "video/x-matroska"),
    ".avi": ("video", "video/x-msvideo"),
    ".mp3": ("audio", "audio/mpeg"),
    ".wav": ("audio", "audio/wav"),
    ".m4a": ("audio", "audio/mp4"),
    ".aac": ("audio", "audio/aac"),
    ".ogg": ("audio", "audio/ogg"),
    ".flac": ("audio", "audio/flac"),
}


def extension(name: str) -> str:
    """Lower-case extension of a path or URL (the URL's query and fragment are ignored)."""
    path = urlparse(name).path if "://" in name else name
    return Path(path).suffix.lower()


def kind_from_name(name: str) -> Kind | None:
    """Kind from a file name or URL extension, or ``None``."""
    entry = EXTENSIONS.get(extension(name))
    return entry[0] if entry else None


def _sniff(head: bytes) -> tuple[Kind, str] | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image", "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image", "image/gif"
    if head.startswith(b"BM"):
        return "image", "image/bmp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image", "image/tiff"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image", "image/webp"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio", "audio/wav"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio", "audio/mpeg"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio", "audio/mp4"
        if brand == b"qt  ":
            return "video", "video/quicktime"
        return "video", "video/mp4"
    if head.startswith(b"\x1aE\xdf\xa3"):
        return "video", "video/webm"
    return None


def kind_from_bytes(head: bytes) -> Kind | None:
    """Kind from the first bytes of a file (its signature), or ``None``."""
    found = _sniff(head)
    return found[0] if found else None


def mime_for(*, name: str = "", head: bytes = b"", kind: str = "image") -> str:
    """Lower-case mime type from a signature or a name; a generic one for ``kind`` otherwise."""
    found = _sniff(head) if head else None
    if found is None and name:
        found = EXTENSIONS.get(extension(name))
    if found is not None:
        return found[1]
    return {"image": "image/png", "video": "video/mp4", "audio": "audio/mpeg"}.get(
        kind, "application/octet-stream"
    )


def image_facts(source: Path | bytes) -> tuple[str, tuple[int, int]] | None:
    """``(format, (width, height))`` read from the header, or ``None`` if Pillow cannot read it."""
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with warnings.catch_warnings():
            # Pillow warns on very large images; here we only read the header.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(handle) as image:
                return (image.format or "").lower(), image.size
    except (OSError, Image.DecompressionBombError, ValueError):
        return None


def duration_seconds(source: Path | bytes) -> float | None:
    """Duration of a video or audio file in seconds, from its container (PyAV), or ``None``."""
    import av  # imported here: PyAV is slow to import and only needed for local media

    target = io.BytesIO(source) if isinstance(source, bytes) else str(source)
    try:
        with av.open(target) as container:
            if container.duration is not None:
                return float(container.duration) / float(av.time_base)
            spans = [
                float(stream.duration * stream.time_base)
                for stream in container.streams
                if stream.duration is not None and stream.time_base is not None
            ]
            return max(spans) if spans else None
    except (av.FFmpegError, OSError, ValueError):
        return None
