"""Saving one result file safely: streamed to a temp file, checked, then renamed into place.

A file under its final name is always complete: size cap, declared content type and the file's
own signature (MP4 ``ftyp``, PNG, JPEG, WebP) are checked before the rename, and its sha256 is
computed on the way.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import ipaddress
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from .errors import DownloadError

_SIGNATURES = {
    "video/mp4": lambda head: head[4:8] == b"ftyp",
    "image/png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "image/webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
}
SUFFIX = {"video/mp4": ".mp4", "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}


MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Pace:
    """How long one file may take: ``deadline`` seconds in all, and after ``grace`` seconds at
    least ``min_rate`` bytes a second on average (a host dripping a byte a second would otherwise
    hold a download slot while other result URLs expire)."""

    deadline: float = 900.0
    min_rate: float = 16 * 1024
    grace: float = 30.0


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
    http: httpx.AsyncClient,
    url: str,
    dest: Path,
    *,
    max_bytes: int,
    pace: Pace | None = None,
    allow_private: bool = False,
) -> DownloadResult:
    """Save ``url`` at ``dest``; the suffix is fixed from the content that actually arrived.

    Redirects are followed (at most five) only to ``http(s)`` hosts that are not private,
    loopback or link-local, unless ``allow_private`` (the API itself is on this machine).
    """
    pace = pace or Pace()
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".part-", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            if url.startswith("data:"):
                declared, payload = _data_url(url)
                written = _Written()
                written.add(payload, out)
            else:
                try:
                    declared, written = await asyncio.wait_for(
                        _fetch(http, url, out, max_bytes, pace, allow_private), pace.deadline
                    )
                except asyncio.TimeoutError:
                    raise DownloadError(
                        f"result file on {_host(url)} was not complete within "
                        f"{pace.deadline:g} s; try again later",
                        url_host=_host(url),
                    ) from None
            out.flush()
            os.fsync(out.fileno())
        actual = sniff(written.head)
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
        return DownloadResult(final, written.digest.hexdigest(), written.size, actual)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class _Written:
    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.size = 0
        self.head = b""

    def add(self, chunk: bytes, out: Any) -> None:
        self.size += len(chunk)
        if len(self.head) < 16:
            self.head += chunk[:16]
        self.digest.update(chunk)
        out.write(chunk)


async def _fetch(
    http: httpx.AsyncClient, url: str, out: Any, max_bytes: int, pace: Pace, allow_private: bool
) -> tuple[str, _Written]:
    written = _Written()
    for _ in range(MAX_REDIRECTS + 1):
        async with http.stream("GET", url, follow_redirects=False) as response:
            if response.is_redirect and "location" in response.headers:
                target = urljoin(url, response.headers["location"])
                await _check_redirect(url, target, allow_private)
                url = target
                continue
            _check_status(url, response.status_code)
            declared = response.headers.get("content-type", "").split(";")[0].strip()
            started = time.monotonic()
            async for chunk in response.aiter_bytes():
                if written.size + len(chunk) > max_bytes:
                    raise DownloadError(
                        f"result file on {_host(url)} is larger than {max_bytes} bytes",
                        url_host=_host(url),
                        oversized=True,
                    )
                written.add(chunk, out)
                elapsed = time.monotonic() - started
                if elapsed > pace.grace and written.size < pace.min_rate * elapsed:
                    raise DownloadError(
                        f"result file on {_host(url)} arrives too slowly "
                        f"({written.size / elapsed:.0f} bytes/s, under {pace.min_rate:.0f}); "
                        "try again later",
                        url_host=_host(url),
                    )
            return declared, written
    raise DownloadError(f"result URL on {_host(url)} redirects too often", url_host=_host(url))


def _check_status(url: str, status: int) -> None:
    if status in (403, 404, 410):
        raise DownloadError(
            f"result URL on {_host(url)} answered HTTP {status}: it has expired or was removed",
            url_host=_host(url),
            expired=True,
        )
    if status >= 300:
        raise DownloadError(
            f"result URL on {_host(url)} answered HTTP {status}", url_host=_host(url)
        )


async def _check_redirect(source: str, target: str, allow_private: bool) -> None:
    """Refuse a redirect off the public web (another scheme, this machine, the local network)."""
    parts = urlsplit(target)
    why = None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        why = f"to a {parts.scheme or 'relative'}: URL"
    elif not allow_private and not await _public(parts.hostname):
        why = f"to {parts.hostname}, a private or local address"
    if why:
        raise DownloadError(
            f"result URL on {_host(source)} redirects {why}; not followed",
            url_host=_host(source),
        )


async def _public(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return False
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None)
        except OSError:
            return False  # cannot tell where it goes: do not go
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    return all(address.is_global for address in addresses)


def _data_url(url: str) -> tuple[str, bytes]:
    header, _, payload = url.partition(",")
    declared = header[5:].split(";")[0]
    try:
        return declared, base64.b64decode(payload, validate=True)
    except ValueError:
        raise DownloadError("result is a malformed data URL") from None
