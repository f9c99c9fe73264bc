"""A 10 MB answer is refused without reading it all; a server that drips one byte every half
second is cut off by the client's overall deadline (over a real socket on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from seedance_nb.client import AsyncSeedance, Timeouts
from seedance_nb.errors import AmbiguousCreateError, MalformedResponseError, TransportError
from seedance_nb.retry import RetryPolicy

from .wire import PROVIDERS, Sleeps, make_client, small_request

TEN_MB = 10 * 1024 * 1024
CHUNK = 64 * 1024


class Flood:
    """A 10 MB JSON-ish body streamed in chunks; counts what the client actually pulled."""

    def __init__(self) -> None:
        self.sent = 0

    async def body(self) -> AsyncIterator[bytes]:
        yield b'{"id": "t-1", "status": "running", "pad": "'
        while self.sent < TEN_MB:
            self.sent += CHUNK
            yield b"x" * CHUNK
        yield b'"}'


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_ten_megabyte_answer_is_refused_early(provider):
    flood = Flood()

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=flood.body(), headers={"x-request-id": "req-10mb"})

    cap = 1024 * 1024
    client = make_client(provider, httpx.MockTransport(handle), max_response_bytes=cap)
    with pytest.raises(MalformedResponseError) as caught:
        await client.get("t-1")
    assert caught.value.provider == provider and caught.value.status_code == 200
    assert flood.sent <= cap + 2 * CHUNK  # stopped reading soon after the cap
    await client.aclose()


async def test_default_cap_refuses_ten_megabytes():
    flood = Flood()
    client = make_client(
        "ark", httpx.MockTransport(lambda r: httpx.Response(200, content=flood.body()))
    )
    with pytest.raises(MalformedResponseError):
        await client.get("t-1")
    assert flood.sent < TEN_MB
    await client.aclose()


class DripServer:
    """Answers every request with headers at once, then one body byte every ``gap`` seconds
    (at most ``limit`` bytes, so a broken client cannot keep it running)."""

    def __init__(self, gap: float = 0.5, limit: int = 40) -> None:
        self.gap = gap
        self.limit = limit
        self.requests: list[str] = []
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.port = 0

    async def __aenter__(self) -> DripServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for handler in list(self._handlers):
            handler.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        me = asyncio.current_task()
        assert me is not None
        self._handlers.add(me)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            self.requests.append(lines[0])
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {self.limit}\r\nX-Request-Id: req-drip\r\n\r\n".encode()
            )
            await writer.drain()
            for _ in range(self.limit):
                await asyncio.sleep(self.gap)
                writer.write(b" ")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._handlers.discard(me)
            writer.close()


def _drip_client(port: int, sleeps: Sleeps) -> AsyncSeedance:
    # The read timeout (1 s) never fires: a byte comes every 0.5 s. Only the overall deadline can.
    return AsyncSeedance(
        "ark",
        base_url=f"http://127.0.0.1:{port}/api/v3",
        api_key="sk-test-key",
        timeouts=Timeouts(connect=1.0, read=1.0, overall=1.2),
        retry=RetryPolicy(max_attempts=2, sleep=sleeps),
    )


async def test_dripping_server_is_cut_off_by_the_overall_deadline_on_a_read():
    async with DripServer() as server:
        client = _drip_client(server.port, Sleeps())
        started = time.monotonic()
        with pytest.raises(TransportError) as caught:
            await client.get("cgt-1")
        elapsed = time.monotonic() - started
        await client.aclose()
    assert not isinstance(caught.value, AmbiguousCreateError)
    assert len(server.requests) == 2  # the read was retried once, then given up
    # Bounded by the deadline (2 × 1.2 s), not by the drip (40 × 0.5 s per request).
    assert elapsed < 15, elapsed


async def test_dripping_server_on_a_create_is_ambiguous_and_sent_once():
    async with DripServer() as server:
        client = _drip_client(server.port, Sleeps())
        with pytest.raises(AmbiguousCreateError):
            await client.create(small_request("ark"))
        await client.aclose()
    assert [line.split()[0] for line in server.requests] == ["POST"]
