"""Answers that are not the documented shape: HTML pages, empty, truncated, BOM, NaN and
wrong-type JSON, unknown statuses. None is ever taken for success; each error names the provider,
the HTTP status and the request id the server gave."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from seedance_nb.errors import MalformedResponseError, SeedanceError, ServerError
from seedance_nb.status import Status

from .wire import PROVIDERS, Recorder, make_client, small_request

REQUEST_ID = "req-malformed-42"
TASK_ID = "task-0001"


def task_body(provider: str, status: Any, **extra: Any) -> dict[str, Any]:
    """A task object in ``provider``'s shape with ``status`` as given (any JSON value)."""
    if provider == "ark":
        return {"id": TASK_ID, "status": status, **extra}
    if provider == "maxapi":
        return {"code": 0, "msg": "ok", "data": {"taskId": TASK_ID, "status": status, **extra}}
    return {"task_id": TASK_ID, "status": status, **extra}


RUNNING = {"ark": "running", "maxapi": "PROCESSING", "maxapi-openai": "running"}
SUCCESS = {"ark": "succeeded", "maxapi": "SUCCESS", "maxapi-openai": "succeeded"}


def raw_bodies(provider: str) -> dict[str, bytes]:
    """Malformed answers to a task GET, each sent with HTTP 200."""
    valid = json.dumps(task_body(provider, RUNNING[provider])).encode()
    return {
        "html_page": b"<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>",
        "xml_error": b'<?xml version="1.0"?><Error><Code>InternalError</Code></Error>',
        "empty": b"",
        "whitespace": b" \r\n\t ",
        "truncated": valid[: len(valid) // 2],
        "nan": valid.replace(b"}", b', "seed": NaN}', 1),
        "infinity": valid.replace(b"}", b', "seed": Infinity}', 1),
        "top_level_list": b"[" + valid + b"]",
        "top_level_string": b'"ok"',
        "top_level_null": b"null",
        "not_utf8": valid.replace(TASK_ID.encode(), b"\xff\xfe-bad-utf8"),
    }


def _serve(content: bytes, status: int = 200) -> httpx.MockTransport:
    headers = {"content-type": "application/json", "x-request-id": REQUEST_ID}
    return httpx.MockTransport(lambda request: httpx.Response(status, content=content,
                                                              headers=headers))  # fmt: skip


def _cases() -> list[tuple[str, str]]:
    return [(p, name) for p in PROVIDERS for name in raw_bodies(p)]


@pytest.mark.parametrize(("provider", "case"), _cases())
async def test_malformed_answer_is_an_error_or_never_success(provider, case):
    client = make_client(provider, _serve(raw_bodies(provider)[case]))
    try:
        snapshot = await client.get(TASK_ID)
    except MalformedResponseError as exc:
        assert exc.provider == provider
    else:
        # Tolerated only when the data is still readable; never as a success.
        assert snapshot.status is not Status.SUCCEEDED
    await client.aclose()


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_byte_order_mark_changes_nothing(provider):
    body = b"\xef\xbb\xbf" + json.dumps(task_body(provider, RUNNING[provider])).encode()
    client = make_client(provider, _serve(body))
    snapshot = await client.get(TASK_ID)
    assert snapshot.status is Status.RUNNING and snapshot.id == TASK_ID


WRONG_TYPES: list[Any] = [None, 1, 0, True, 3.5, [], {}, ["succeeded"], {"value": "succeeded"}]


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("status", WRONG_TYPES, ids=repr)
async def test_wrong_type_status_is_unknown(provider, status):
    body = json.dumps(task_body(provider, status)).encode()
    client = make_client(provider, _serve(body))
    snapshot = await client.get(TASK_ID)
    assert snapshot.status is Status.UNKNOWN


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_success_without_a_result_is_not_success(provider):
    for extra in ({}, {"content": {"video_url": 5}}, {"result": {"urls": [None, 7]}},
                  {"video_url": ""}):  # fmt: skip
        client = make_client(provider, _serve(json.dumps(task_body(provider, SUCCESS[provider],
                                                                   **extra)).encode()))  # fmt: skip
        snapshot = await client.get(TASK_ID)
        assert snapshot.status is Status.UNKNOWN, extra


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("wrong", [12.5, True, [1], {"id": 1}, ""])
async def test_wrong_type_id_is_malformed(provider, wrong):
    body = task_body(provider, RUNNING[provider])
    inner = body["data"] if provider == "maxapi" else body
    key = {"ark": "id", "maxapi": "taskId", "maxapi-openai": "task_id"}[provider]
    inner[key] = wrong
    client = make_client(provider, _serve(json.dumps(body).encode()))
    with pytest.raises(MalformedResponseError):
        await client.get(TASK_ID)


@pytest.mark.parametrize("provider", ["maxapi", "maxapi-openai"])
async def test_numeric_id_of_a_gateway_is_an_id(provider):
    """Gateways in front of the task API and the video route may write ids as JSON numbers
    (ModelArk's own ids are always ``cgt-…`` strings)."""
    body = task_body(provider, RUNNING[provider])
    inner = body["data"] if provider == "maxapi" else body
    inner[{"maxapi": "taskId", "maxapi-openai": "task_id"}[provider]] = 12345
    client = make_client(provider, _serve(json.dumps(body).encode()))
    assert (await client.get(TASK_ID)).id == "12345"


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("status", [502, 503, 504])
async def test_gateway_html_page_is_retried_then_a_server_error(provider, status):
    page = f"<html><head><title>{status}</title></head><body>nginx</body></html>".encode()
    wire = Recorder(_serve(page, status))
    client = make_client(provider, wire, attempts=3)
    with pytest.raises(ServerError) as caught:
        await client.get(TASK_ID)
    assert len(wire.log) == 3  # reads are retried
    error = caught.value
    assert (error.provider, error.status_code, error.request_id) == (provider, status, REQUEST_ID)
    assert all(word in str(error) for word in (provider, f"HTTP {status}", REQUEST_ID))


@pytest.mark.parametrize(
    "body",
    [{"msg": "ok", "data": {"taskId": TASK_ID, "status": "PROCESSING"}},
     {"taskId": TASK_ID, "status": "PROCESSING"}],
    ids=["no_code", "no_envelope"],
)  # fmt: skip
async def test_maxapi_answer_without_code_is_malformed_not_a_refusal(body):
    """HTTP 200 whose envelope lacks ``code`` is not the documented shape: a malformed answer,
    not an HTTP 400 refusal the server never sent."""
    client = make_client("maxapi", _serve(json.dumps(body).encode()))
    with pytest.raises(MalformedResponseError) as caught:
        await client.get(TASK_ID)
    assert caught.value.provider == "maxapi"


NAMING_CASES = ["html_page", "empty", "truncated", "nan", "top_level_list"]


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("case", NAMING_CASES)
async def test_malformed_answer_error_names_provider_status_and_request_id(provider, case):
    """A 200 that cannot be read is still an answer from a server that said which request it
    was: the error carries the provider, the status and that request id."""
    client = make_client(provider, _serve(raw_bodies(provider)[case]))
    with pytest.raises(SeedanceError) as caught:
        await client.get(TASK_ID)
    error = caught.value
    assert getattr(error, "provider", None) == provider
    assert getattr(error, "status_code", None) == 200
    assert getattr(error, "request_id", None) == REQUEST_ID
    await client.aclose()


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_unknown_status_from_the_simulator_is_never_success(sim, provider):
    client = make_client(provider, httpx.ASGITransport(app=sim.app))
    created = await client.create(small_request(provider))
    sim.push_scenario(route="get", kind="unknown_status", provider=provider, count=2)
    snapshot = await client.get(created.task_id)
    assert snapshot.status is Status.UNKNOWN
    assert snapshot.raw_status.lower() == "suspended"
    await client.aclose()


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_truncated_answer_from_the_simulator_is_malformed(sim, provider):
    client = make_client(provider, httpx.ASGITransport(app=sim.app))
    created = await client.create(small_request(provider))
    sim.push_scenario(route="get", kind="truncated_json", provider=provider)
    with pytest.raises(MalformedResponseError) as caught:
        await client.get(created.task_id)
    assert caught.value.provider == provider
    await client.aclose()
