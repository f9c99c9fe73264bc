"""Saving one result file safely: streamed to a temp file, checked, then renamed into place.

A file under its final name is always complete: size cap, declared content type and the file's
own signature (MP4 ``ftyp``, PNG, JPEG, WebP) are checked before the rename, and its sha256 is
computed on the way.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from .errors import DownloadError

_SIGNATURES = {
    "video/mp4": lambda head: head[4:8] == b"ftyp",
    "image/png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "image/webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
}
SUFFIX = {"video/mp4": ".mp4", "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}


@dataclass(frozen=True)
class DownloadResult:
    path: Path
    sha256: str
    size: int
    content_type: str


def sniff(head: bytes) -> str | None:
    """The media type a file's first bytes prove, or None."""
    for content_type, matches in _SIGNATURES.items():
        if matches(head):
            return content_type
    return None


def _host(url: str) -> str:
    return urlsplit(url).hostname or "?"


async def save_stream(
    http: httpx.AsyncClient, url: str, dest: Path, *, max_bytes: int
) -> DownloadResult:
    """Save ``url`` at ``dest``; the suffix is fixed from the content that actually arrived."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".part-", dir=dest.parent)
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        with os.fdopen(fd, "wb") as out:
            if url.startswith("data:"):
                declared, payload = _data_url(url)
                chunks = [payload]
            else:
                declared, chunks = None, []
            if not chunks:
                async with http.stream("GET", url) as response:
                    if response.status_code in (403, 404, 410):
                        raise DownloadError(
                            f"result URL on {_host(url)} answered HTTP {response.status_code}: "
                            "it has expired or was removed",
                            url_host=_host(url),
                            expired=True,
                        )
                    if response.status_code >= 400:
                        raise DownloadError(
                            f"result URL on {_host(url)} answered HTTP {response.status_code}",
                            url_host=_host(url),
                        )
                    declared = response.headers.get("content-type", "").split(";")[0].strip()
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise DownloadError(
                                f"result file on {_host(url)} is larger than {max_bytes} bytes",
                                url_host=_host(url),
                                oversized=True,
                            )
                        if len(head) < 16:
                            head += chunk[:16]
                        digest.update(chunk)
                        out.write(chunk)
            else:
                for chunk in chunks:
                    size += len(chunk)
                    head += chunk[:16]
                    digest.update(chunk)
                    out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        actual = sniff(head)
        if actual is None:
            raise DownloadError(
                f"result file from {_host(url)} is not a video or image "
                f"(declared {declared or 'no type'})",
                url_host=_host(url),
            )
        if declared and declared not in (actual, "application/octet-stream", "binary/octet-stream"):
            raise DownloadError(
                f"result file from {_host(url)} says {declared} but contains {actual}",
                url_host=_host(url),
            )
        final = dest.with_suffix(SUFFIX[actual])
        # mkstemp makes 0600; a result is meant to be served and shared, like any saved file.
        os.chmod(tmp, 0o644)
        os.replace(tmp, final)
        return DownloadResult(final, digest.hexdigest(), size, actual)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _data_url(url: str) -> tuple[str, bytes]:
    header, _, payload = url.partition(",")
    declared = header[5:].split(";")[0]
    try:
        return declared, base64.b64decode(payload, validate=True)
    except ValueError:
        raise DownloadError("result is a malformed data URL") from None
