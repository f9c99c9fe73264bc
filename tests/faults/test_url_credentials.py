"""Credentials in a base URL (``https://user:pass@proxy/...``) reach the proxy but are redacted
in history rows, reprs, logs and errors."""

from __future__ import annotations

import asyncio
import logging
import traceback

import httpx
import pytest

from seedance_nb.client import AsyncSeedance
from seedance_nb.config import resolve_settings
from seedance_nb.errors import ConfigError, SeedanceError

from .conftest import MakeManager
from .wire import Recorder, small_request

PASSWORD = "pw-9f8e7d6c5b"
URL = f"https://alice:{PASSWORD}@proxy.example/api/v3"


SEEN: list[str] = []


def proxy(request: httpx.Request) -> httpx.Response:
    SEEN.append(request.headers.get("authorization", ""))
    if request.method == "POST":
        return httpx.Response(502, content=b"<html>502 Bad Gateway</html>")
    return httpx.Response(503, content=b"<html>busy</html>")


def test_settings_keep_the_credentials_out_of_sight():
    settings = resolve_settings("ark", base_url=URL, api_key="k-123456")
    assert settings.base_url == "https://proxy.example/api/v3"
    assert PASSWORD not in repr(settings) and PASSWORD not in settings.describe()
    assert PASSWORD in settings.http_base_url  # still sent to the proxy


def test_bad_base_url_error_does_not_show_the_password():
    with pytest.raises(ConfigError) as caught:
        resolve_settings("ark", base_url=f"ftp://alice:{PASSWORD}@proxy.example/x", api_key="k-1")
    assert PASSWORD not in "".join(traceback.format_exception(caught.value))


async def test_credentials_reach_the_proxy_but_no_record(
    make_manager: MakeManager, caplog, monkeypatch
):
    monkeypatch.setenv("ARK_API_KEY", "k-123456")
    caplog.set_level(logging.DEBUG)
    wire = Recorder(httpx.MockTransport(proxy))
    manager = make_manager(wire)
    task = manager.submit(small_request("ark"), provider="ark", base_url=URL)
    await asyncio.wait_for(task._wait_async(None), 20)
    assert wire.count("POST") == 1
    assert SEEN and all(a.startswith("Basic ") for a in SEEN)  # the proxy login still goes out
    texts = [repr(task), str(task.to_dict()), task.error_message or "", caplog.text,
             repr(manager.client_for(task))]  # fmt: skip
    texts += [str(row) for row in manager.history.frame().to_dict("records")]
    texts += [str(event) for event in manager.history.events()]
    assert [t for t in texts if PASSWORD in t] == []
    assert task.base_url == "https://proxy.example/api/v3"


async def test_client_errors_do_not_show_the_password():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)

    client = AsyncSeedance("ark", base_url=URL, api_key="k-123456",
                           transport=httpx.MockTransport(refuse))  # fmt: skip
    with pytest.raises(SeedanceError) as caught:
        await client.get("cgt-1")
    assert PASSWORD not in "".join(traceback.format_exception(caught.value))
    assert PASSWORD not in repr(client)
    await client.aclose()
