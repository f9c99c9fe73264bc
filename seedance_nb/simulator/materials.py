"""Input materials: data URLs, URLs the simulator serves, and what kind of file a URL names."""

from __future__ import annotations

import base64
import binascii
import posixpath
from urllib.parse import urlsplit

from .assets import AssetStore

IMAGE_EXT = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".heic"}
VIDEO_EXT = {".mp4", ".mov", ".m4v"}
AUDIO_EXT = {".mp3", ".wav"}
EXT_FOR_TYPE = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "image/bmp": ".bmp",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/x-m4v": ".m4v",
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/wave": ".wav",
}
MEDIA_PREFIX = "/sim/media/"


class BadDataUrl(ValueError):
    pass


def parse_data_url(url: str) -> tuple[str, bytes] | None:
    """(mime type, bytes) of a ``data:<mime>;base64,<payload>`` URL; None if not a data URL."""
    if not url.startswith("data:"):
        return None
    header, sep, payload = url[5:].partition(",")
    if not sep or not header.endswith(";base64"):
        raise BadDataUrl("a data URL must look like data:<mime>;base64,<payload>")
    mime = header[: -len(";base64")].strip().lower()
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadDataUrl("the data URL payload is not valid base64") from exc
    if not data:
        raise BadDataUrl("the data URL is empty")
    return mime, data


def served_name(url: str) -> str | None:
    """The asset name when the URL points under the simulator's ``/sim/media/``."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    if not path.startswith(MEDIA_PREFIX):
        return None
    return posixpath.basename(path) or None


def kind_of(url: str, content_type: str | None = None) -> str | None:
    """'image', 'video' or 'audio' from a data URL's type, a content type, or the extension."""
    if url.startswith("data:"):
        content_type = url[5:].split(";", 1)[0].split(",", 1)[0]
    if content_type:
        major = content_type.split("/", 1)[0].lower()
        if major in ("image", "video", "audio"):
            return major
    ext = posixpath.splitext(urlsplit(url).path)[1].lower()
    if ext in IMAGE_EXT:
        return "image"
    if ext in VIDEO_EXT:
        return "video"
    if ext in AUDIO_EXT:
        return "audio"
    return None


async def fetch_local(assets: AssetStore, url: str, now: float) -> tuple[bytes, str] | None:
    """Bytes and content type of a data URL or of a live file the simulator serves.

    Anything else (a real remote URL) is None: the simulator never leaves the machine.
    Raises BadDataUrl for a malformed data URL.
    """
    parsed = parse_data_url(url)
    if parsed is not None:
        mime, data = parsed
        return data, mime
    name = served_name(url)
    if name is None:
        return None
    asset = assets.get(name)
    if asset is None or now < asset.available_from:
        return None
    if asset.expires_at is not None and now > asset.expires_at:
        return None
    return await assets.read(asset), asset.content_type
