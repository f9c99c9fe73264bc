"""Keys are checked when read: surrounding whitespace is trimmed, control characters are refused
without showing the key, and an error raised before any byte left is not an ambiguous create.
No exception text or cause carries the key."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Iterator

import httpx
import pytest
from durability.harness import served_simulator

from seedance_nb.client import AsyncSeedance
from seedance_nb.config import resolve_settings
from seedance_nb.errors import AmbiguousCreateError, ConfigError, TransportError
from seedance_nb.status import Status

from .conftest import MakeManager
from .wire import Recorder, make_client, small_request

KEY = "sk-canary-7d1e44c0a9"


def chain_text(exc: BaseException) -> str:
    """Everything a traceback of ``exc`` would print, causes and contexts included."""
    return "".join(traceback.format_exception(exc))


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """A simulator on 127.0.0.1 that accepts KEY only: real HTTP, real header checks."""
    with served_simulator(api_key=KEY) as url:
        yield url


@pytest.mark.parametrize("dirty", [KEY + "\r", KEY + "\n", " " + KEY + "\t", KEY + "\r\n"])
async def test_key_with_surrounding_whitespace_is_trimmed_and_works(served, dirty):
    client = AsyncSeedance("ark", base_url=served + "/api/v3", api_key=dirty)
    created = await client.create(small_request("ark"))
    assert created.task_id
    assert (await client.get(created.task_id)).id == created.task_id
    await client.aclose()


@pytest.mark.parametrize("where", [3, 10, 16])
@pytest.mark.parametrize("char", ["\r", "\n", "\x00", "\x7f", "\u2028"])
def test_key_with_control_characters_is_refused_without_showing_it(where, char):
    bad = KEY[:where] + char + KEY[where:]
    with pytest.raises(ConfigError) as caught:
        resolve_settings("ark", api_key=bad)
    text = chain_text(caught.value)
    assert [part for part in (KEY[:where], KEY[where:]) if part in text] == []
    assert f"position {where + 1}" in text and "Fix" in text


def test_key_from_the_environment_is_checked(monkeypatch):
    monkeypatch.setenv("ARK_API_KEY", KEY + "\n")
    assert resolve_settings("ark").api_key.get() == KEY
    monkeypatch.setenv("ARK_API_KEY", KEY[:5] + "\r" + KEY[5:])
    with pytest.raises(ConfigError, match="ARK_API_KEY") as caught:
        resolve_settings("ark")
    assert KEY[5:] not in chain_text(caught.value)


def _local_failure(request: httpx.Request) -> httpx.Response:
    # What h11 raises for a header value it will not write: nothing has gone out yet.
    raise httpx.LocalProtocolError(f"Illegal header value b'Bearer {KEY}\\r'")


async def test_error_before_any_byte_is_not_ambiguous_and_is_scrubbed():
    wire = Recorder(httpx.MockTransport(_local_failure))
    client = make_client("ark", wire, api_key=KEY)
    with pytest.raises(TransportError) as caught:
        await client.create(small_request("ark"))
    assert not isinstance(caught.value, AmbiguousCreateError)
    assert KEY not in chain_text(caught.value)
    assert wire.count("POST") == 1  # refused locally: not tried again to no purpose
    await client.aclose()


async def test_reads_failing_locally_are_scrubbed():
    client = make_client("ark", httpx.MockTransport(_local_failure), api_key=KEY)
    with pytest.raises(TransportError) as caught:
        await client.get("cgt-1")
    assert KEY not in chain_text(caught.value)
    await client.aclose()


async def test_task_whose_create_failed_locally_is_not_sent_not_unknown(make_manager: MakeManager):
    wire = Recorder(httpx.MockTransport(_local_failure))
    manager = make_manager(wire, api_key=KEY)
    task = manager.submit(
        small_request("ark"), provider="ark", base_url="http://127.0.0.1:9/api/v3"
    )
    await asyncio.wait_for(task._wait_async(None), 20)
    assert task.create_state == "not_sent" and task.status is Status.FAILED
    assert KEY not in (task.error_message or "")
    for event in manager.history.events(task.uid):
        assert KEY not in (event["detail"] or "")


def test_client_given_a_bad_key_is_refused_before_sending():
    with pytest.raises(ConfigError) as caught:
        AsyncSeedance("ark", base_url="http://127.0.0.1:9/api/v3", api_key=KEY[:4] + "\r" + KEY[4:])
    assert KEY[4:] not in chain_text(caught.value)
