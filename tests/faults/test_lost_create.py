"""A create the server accepted but whose answer never arrived intact: it is reported as
ambiguous, sent exactly once, and never marked failed (which would lose a paid task)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from seedance_nb.errors import AmbiguousCreateError, TransportError
from seedance_nb.status import Status

from .conftest import MakeManager
from .wire import CREATE_PATHS, PROVIDERS, Recorder, make_client, small_request

LOST_MODES = ("timeout", "reset", "502", "504")


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("mode", LOST_MODES)
async def test_simulator_lost_answer_is_ambiguous_and_sent_once(sim, provider, mode):
    sim.push_scenario(route="create", kind="lost_response", mode=mode, delay=5.0)
    wire = Recorder(httpx.ASGITransport(app=sim.app))
    client = make_client(provider, wire, overall=0.3)
    with pytest.raises(AmbiguousCreateError) as caught:
        await client.create(small_request(provider))
    assert sim.tasks_created(provider) == 1  # the work was done upstream ...
    assert wire.count("POST", CREATE_PATHS[provider]) == 1  # ... and the create went out once
    assert caught.value.provider == provider
    await client.aclose()


def _post_only(answer):
    """A MockTransport handler: ``answer(request)`` for POSTs, 404 JSON for anything else."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return answer(request)
        return httpx.Response(404, json={"error": {"code": "NotFound", "message": "no"}})

    return handle


def _raise(exc_type):
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc_type("simulated", request=request)

    return answer


def _body(status: int, content: bytes, content_type: str = "application/json"):
    headers = {"content-type": content_type, "x-request-id": "req-lost-0001"}
    return lambda request: httpx.Response(status, content=content, headers=headers)


SENT_BUT_LOST = {
    "read_timeout": _raise(httpx.ReadTimeout),
    "reset": _raise(httpx.RemoteProtocolError),
    "read_error": _raise(httpx.ReadError),
    "html_502": _body(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
    "json_503": _body(503, json.dumps({"error": {"code": "Busy", "message": "later"}}).encode()),
    "html_200": _body(200, b"<!DOCTYPE html><html><title>Just a moment...</title></html>"),
    "empty_200": _body(200, b""),
    "truncated_200": _body(200, b'{"id": "cgt-2026'),
    "nan_200": _body(200, b'{"id": NaN}'),
    "wrong_type_200": _body(200, b'{"id": 12345}'),
    "list_200": _body(200, b'["cgt-1"]'),
}


@pytest.mark.parametrize("case", sorted(SENT_BUT_LOST))
async def test_answer_lost_after_sending_is_ambiguous_and_never_resent(case):
    wire = Recorder(httpx.MockTransport(_post_only(SENT_BUT_LOST[case])))
    client = make_client("ark", wire)
    with pytest.raises(AmbiguousCreateError) as caught:
        await client.create(small_request("ark"))
    assert wire.count("POST") == 1
    assert caught.value.provider == "ark"
    await client.aclose()


@pytest.mark.parametrize(
    ("case", "named"),
    [
        ("read_timeout", ["ark"]),
        ("html_502", ["ark", "HTTP 502", "req-lost-0001"]),
        ("json_503", ["ark", "HTTP 503", "req-lost-0001"]),
        ("truncated_200", ["ark", "HTTP 200", "req-lost-0001"]),
        ("html_200", ["ark", "HTTP 200", "req-lost-0001"]),
    ],
)
async def test_ambiguous_create_error_names_provider_status_and_request_id(case, named):
    """The message a user reads (and pastes into a support ticket) names the provider and,
    when an answer came back, its HTTP status and request id."""
    client = make_client("ark", httpx.MockTransport(_post_only(SENT_BUT_LOST[case])))
    with pytest.raises(AmbiguousCreateError) as caught:
        await client.create(small_request("ark"))
    text = str(caught.value)
    assert [word for word in named if word not in text] == [], text
    await client.aclose()


async def test_create_that_never_left_is_tried_again_and_is_not_ambiguous():
    wire = Recorder(httpx.MockTransport(_post_only(_raise(httpx.ConnectError))))
    client = make_client("ark", wire, attempts=3)
    with pytest.raises(TransportError) as caught:
        await client.create(small_request("ark"))
    assert not isinstance(caught.value, AmbiguousCreateError)
    assert wire.count("POST") == 3  # a connect error means nothing was sent: safe to repeat


def _oversized_create(request: httpx.Request) -> httpx.Response:
    # A proxy that pads the answer, or a server that echoes a huge body back: the task exists.
    body = b'{"id": "cgt-20260528-big01", "echo": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    return httpx.Response(200, content=body, headers={"x-request-id": "req-big-0001"})


async def test_oversized_answer_to_a_create_is_ambiguous():
    """The size cap refuses a 10 MB answer; the create behind it was accepted, so the outcome is
    ambiguous, not a refusal."""
    wire = Recorder(httpx.MockTransport(_post_only(_oversized_create)))
    client = make_client("ark", wire)
    with pytest.raises(AmbiguousCreateError):
        await client.create(small_request("ark"))
    assert wire.count("POST") == 1


async def test_oversized_create_answer_never_marks_the_task_failed(make_manager: MakeManager):
    """End to end: the task whose create answer was too big must not become 'refused'/'failed'
    (the provider is running it and billing for it)."""
    wire = Recorder(httpx.MockTransport(_post_only(_oversized_create)))
    manager = make_manager(wire)
    task = manager.submit(
        small_request("ark"), provider="ark", base_url="http://127.0.0.1:9/api/v3"
    )
    await asyncio.wait_for(task._wait_async(None), 20)
    assert wire.count("POST") == 1
    # Not refused, not failed: ambiguous, and unknown once the list shows nothing to adopt.
    assert (task.create_state, task.status) == ("ambiguous", Status.UNKNOWN)
    assert task.error_code == "create_ambiguous" and "adopt" in (task.error_message or "")


@pytest.mark.parametrize("provider", ["maxapi", "maxapi-openai"])
@pytest.mark.parametrize("kind", ["truncated_json", "html_error"])
async def test_unreadable_create_answer_leaves_an_unknown_row_not_a_failure(
    make_manager: MakeManager, sim, provider, kind
):
    """On a dialect without a list endpoint the row stays ``unknown`` for the user to decide;
    it is not resent and not marked failed."""
    sim.push_scenario(route="create", kind=kind, provider=provider)
    wire = Recorder(httpx.ASGITransport(app=sim.app))
    manager = make_manager(wire)
    task = manager.submit(small_request(provider), provider=provider)
    await asyncio.wait_for(task._wait_async(None), 20)
    assert wire.count("POST", CREATE_PATHS[provider]) == 1
    assert sim.tasks_created(provider) == (1 if kind == "truncated_json" else 0)
    assert task.status is Status.UNKNOWN and task.create_state == "ambiguous"
    assert task.id is None and not task.files


@pytest.mark.parametrize(
    "envelope",
    [{"code": 500, "msg": "internal error"}, {"code": 502, "msg": "upstream timeout"},
     {"msg": "ok", "data": {"taskId": "0b7c6d7e-0000-4000-8000-000000000001"}}],
    ids=["code_500", "code_502", "no_code"],
)  # fmt: skip
async def test_maxapi_http_200_server_error_envelope_is_not_a_refusal(
    make_manager: MakeManager, envelope
):
    """The task API says errors in ``code`` even on HTTP 200. A 5xx code (or no code at all)
    after the create went out is as ambiguous as an HTTP 5xx: the task may exist, so it must
    not be recorded as refused and failed."""
    answer = _body(200, json.dumps(envelope).encode())
    wire = Recorder(httpx.MockTransport(_post_only(answer)))
    manager = make_manager(wire)
    task = manager.submit(small_request("maxapi"), provider="maxapi", base_url="http://127.0.0.1:9")
    await asyncio.wait_for(task._wait_async(None), 20)
    assert wire.count("POST") == 1
    # Neither refused nor failed: ambiguous, and with no list to look in, left unknown to the user.
    assert (task.create_state, task.status) == ("ambiguous", Status.UNKNOWN)
    assert task.id is None and task.done
