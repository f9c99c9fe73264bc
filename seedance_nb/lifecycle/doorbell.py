"""The callback doorbell: a tiny receiver for providers' task callbacks.

A callback is never trusted: it only makes the task be polled at once (one GET), and the poll's
answer is what counts. Replays and forgeries therefore change nothing but the timing of a poll,
and a task is polled this way at most once per ``PollPolicy.min_gap``. The receiver listens on
127.0.0.1 by default, at a path holding a random secret; requests to any other path get 404.

>>> bell = await get_manager().open_doorbell()                       # simulator, local tests
>>> bell = await get_manager().open_doorbell(public_url="https://my-tunnel.example.com")

With a ``public_url`` (a tunnel or proxy you run that forwards to this port), creates carry the
callback URL to real providers; without one it is only used for loopback and simulator endpoints.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

log = logging.getLogger("seedance_nb.lifecycle")

PATH_PREFIX = "/seedance/callback/"
MAX_HEADER = 16 * 1024
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
            408: "Request Timeout", 413: "Payload Too Large"}  # fmt: skip


def callback_task_ids(body: Any) -> list[str]:
    """Task ids a callback body names, in any of the three dialects' shapes."""
    found: list[str] = []
    stack = [body]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        for key in ("id", "taskId", "task_id"):
            value = node.get(key)
            if isinstance(value, str) and value and value not in found:
                found.append(value)
        stack.extend(node.get(key) for key in ("data", "task") if isinstance(node.get(key), dict))
    return found


class Doorbell:
    """An HTTP receiver; ``ring(task_id) -> bool`` is called for each task a callback names."""

    def __init__(
        self,
        ring: Callable[[str], bool],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        public_url: str | None = None,
        token: str | None = None,
        max_body: int = 1024 * 1024,
        read_timeout: float = 10.0,
    ) -> None:
        self._ring = ring
        self.host = host
        self.port = port
        self.public_url = public_url.rstrip("/") if public_url else None
        self._token = token or secrets.token_urlsafe(24)
        self.max_body = max_body
        self.read_timeout = read_timeout
        self._server: asyncio.Server | None = None
        self.received = 0  # callbacks with the right secret
        self.rang = 0  # of those, the ones that named a task being polled
        self.refused = 0  # wrong path, method or size

    def __repr__(self) -> str:
        where = self.public_url or f"http://{self.host}:{self.port}"
        return f"<Doorbell {where} received={self.received} rang={self.rang}>"

    @property
    def running(self) -> bool:
        return self._server is not None and self._server.is_serving()

    @property
    def path(self) -> str:
        return PATH_PREFIX + self._token

    @property
    def url(self) -> str:
        """The callback URL to give providers (it contains the secret: keep it private)."""
        return (self.public_url or f"http://{self.host}:{self.port}") + self.path

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, self.host, self.port, limit=MAX_HEADER
        )
        sockets = self._server.sockets or ()
        if sockets:
            self.port = int(sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status = await asyncio.wait_for(self._handle(reader), self.read_timeout)
        except asyncio.TimeoutError:
            status = 408
        except asyncio.LimitOverrunError:
            status = 413
        except (ValueError, ConnectionError, asyncio.IncompleteReadError):
            status = 400
        if status != 200:
            self.refused += 1
        body = b'{"ok":true}' if status == 200 else b"{}"
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        with contextlib.suppress(ConnectionError, RuntimeError):
            writer.write(head.encode() + body)
            await writer.drain()
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader) -> int:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, _, rest = lines[0].partition(" ")
        target = rest.rsplit(" ", 1)[0].split("?", 1)[0]
        if not hmac.compare_digest(target.encode(), self.path.encode()):
            return 404
        if method != "POST":
            return 405
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        if length < 0 or length > self.max_body:
            return 413
        raw = await reader.readexactly(length) if length else b""
        self.received += 1
        try:
            body = json.loads(raw.decode("utf-8-sig")) if raw else None
        except ValueError:
            return 400
        for task_id in callback_task_ids(body):
            try:
                if self._ring(task_id):
                    self.rang += 1
            except Exception:
                log.exception("handling a callback for task %s failed", task_id)
        return 200
