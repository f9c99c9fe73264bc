"""Status and error mapping of each dialect, including answers that are not what the docs promise."""

from __future__ import annotations

import json

import pytest

from seedance_nb import errors
from seedance_nb.providers import adapter_for
from seedance_nb.providers.base import decode_json
from seedance_nb.status import Status

ARK_TASK = {
    "id": "cgt-20260521120000-abcde",
    "model": "doubao-seedance-2-0-260128",
    "status": "succeeded",
    "content": {
        "video_url": "https://tos.example/v.mp4?X-Tos-Date=20260521T120000Z&X-Tos-Expires=86400",
        "last_frame_url": "https://tos.example/last.png",
    },
    "usage": {"completion_tokens": 108900, "total_tokens": 108900},
    "created_at": 1779348818,
    "updated_at": 1779348874,
    "seed": 78674,
    "resolution": "720p",
    "ratio": "16:9",
    "duration": 5,
    "framespersecond": 24,
}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("queued", Status.QUEUED),
        ("running", Status.RUNNING),
        ("succeeded", Status.SUCCEEDED),
        ("failed", Status.FAILED),
        ("cancelled", Status.CANCELLED),
        ("expired", Status.EXPIRED),
        ("paused", Status.UNKNOWN),
        ("", Status.UNKNOWN),
        (None, Status.UNKNOWN),
        (3, Status.UNKNOWN),
    ],
)
def test_ark_status_mapping(raw: object, expected: Status) -> None:
    snapshot = adapter_for("ark").parse_task({**ARK_TASK, "status": raw})
    assert snapshot.status is expected
    assert not (expected is Status.UNKNOWN and snapshot.status.terminal)


def test_ark_succeeded_task_fields() -> None:
    snap = adapter_for("ark").parse_task(ARK_TASK)
    assert snap.tokens == 108900 and snap.seed == 78674 and snap.duration == 5
    assert [a.kind for a in snap.assets] == ["video", "last_frame"]
    video = snap.assets[0]
    assert (
        video.expires_at is not None and video.expires_at.isoformat() == "2026-05-22T12:00:00+00:00"
    )
    # No signature in the URL: 24 h (FACTS §1.8) after the task's last update (1779348874).
    last_frame = snap.assets[1]
    assert last_frame.expires_at is not None
    assert last_frame.expires_at.isoformat() == "2026-05-22T07:34:34+00:00"
    assert snap.created_at is not None and snap.created_at.year == 2026


def test_success_without_a_result_is_not_success() -> None:
    body = {**ARK_TASK, "content": {}}
    assert adapter_for("ark").parse_task(body).status is Status.UNKNOWN
    maxapi = {"code": 0, "msg": "ok", "data": {"taskId": "t", "status": "SUCCESS", "result": None}}
    assert adapter_for("maxapi").parse_task(maxapi).status is Status.UNKNOWN


def test_ark_failed_task_carries_code() -> None:
    body = {
        **ARK_TASK,
        "status": "failed",
        "content": None,
        "error": {"code": "OutputVideoSensitiveContentDetected", "message": "flagged"},
    }
    snap = adapter_for("ark").parse_task(body)
    assert (snap.status, snap.error_code, snap.error_message) == (
        Status.FAILED,
        "OutputVideoSensitiveContentDetected",
        "flagged",
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("PENDING", Status.QUEUED),
        ("PROCESSING", Status.RUNNING),
        ("SUBMITTED", Status.RUNNING),
        ("SUCCESS", Status.SUCCEEDED),
        ("FAILURE", Status.FAILED),
        ("TIMEOUT", Status.EXPIRED),
        ("CANCELLED", Status.CANCELLED),
        ("DONE", Status.UNKNOWN),
    ],
)
def test_maxapi_status_mapping(raw: str, expected: Status) -> None:
    data = {
        "taskId": "a1b2",
        "status": raw,
        "result": {"type": "video", "urls": ["https://x/v.mp4"]},
        "failure_reason": None,
        "created_at": "2026-02-10T23:00:00.000000Z",
        "updated_at": "2026-02-10T23:03:25.000000Z",
    }
    snap = adapter_for("maxapi").parse_task({"code": 0, "msg": "ok", "data": data})
    assert snap.status is expected


def test_maxapi_image_result_and_failure_reason() -> None:
    data = {
        "taskId": "c3d4",
        "status": "SUCCESS",
        "result": {"type": "image", "urls": ["https://x/1.png", "https://x/2.png"]},
        "updated_at": "2026-02-10T22:00:15.000000Z",
    }
    snap = adapter_for("maxapi").parse_task({"code": 0, "msg": "ok", "data": data})
    assert [a.kind for a in snap.assets] == ["image", "image"]
    # Kept 7 days (FACTS §7) from the last update, for every file of the result.
    expiries = [a.expires_at.isoformat() if a.expires_at else None for a in snap.assets]
    assert expiries == ["2026-02-17T22:00:15+00:00"] * 2
    failed = {"taskId": "c3d4", "status": "FAILURE", "failure_reason": "CONTENT_MODERATION"}
    snap = adapter_for("maxapi").parse_task({"code": 0, "msg": "ok", "data": failed})
    assert (snap.status, snap.error_code) == (Status.FAILED, "CONTENT_MODERATION")


def test_maxapi_envelope_error_even_with_http_200() -> None:
    body = {"code": 400, "msg": "content rejected by moderation", "data": {"flagged": True}}
    with pytest.raises(errors.BadRequestError) as info:
        adapter_for("maxapi").parse_create(body, None)  # type: ignore[arg-type]
    assert info.value.provider == "maxapi" and info.value.status_code == 400
    assert "moderation" in str(info.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("queued", Status.QUEUED),
        ("running", Status.RUNNING),
        ("succeeded", Status.SUCCEEDED),
        ("failed", Status.FAILED),
        ("canceled", Status.CANCELLED),
        ("mystery", Status.UNKNOWN),
    ],
)
def test_openai_route_status_mapping(raw: str, expected: Status) -> None:
    body = {"task_id": "vid_1", "status": raw, "video_url": "https://cdn.example/v.mp4"}
    assert adapter_for("maxapi-openai").parse_task(body).status is expected


@pytest.mark.parametrize(
    ("status_code", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (409, errors.ConflictError),
        (429, errors.RateLimitError),
        (500, errors.ServerError),
        (503, errors.ServerError),
    ],
)
def test_ark_error_mapping(status_code: int, cls: type) -> None:
    body = {
        "error": {
            "code": "InputTextSensitiveContentDetected",
            "message": "The request failed. Request id: 0217abcdef123456",
            "param": "content",
            "type": "BadRequest",
        }
    }
    headers = {"Retry-After": "7"} if status_code == 429 else {}
    error = adapter_for("ark").parse_error(status_code, json.dumps(body).encode(), headers)
    assert type(error) is cls
    assert (error.provider, error.status_code, error.code) == (
        "ark",
        status_code,
        "InputTextSensitiveContentDetected",
    )
    assert error.request_id == "0217abcdef123456"
    assert "ark" in str(error) and str(status_code) in str(error)
    if status_code == 429:
        assert error.retry_after == 7.0


def test_request_id_header_wins_over_message() -> None:
    body = json.dumps({"error": {"code": "X", "message": "m"}}).encode()
    error = adapter_for("ark").parse_error(500, body, {"X-Request-Id": "req-header-1"})
    assert error.request_id == "req-header-1"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"<html><body><h1>502 Bad Gateway</h1></body></html>", "HTML"),
        (b'{"id": "cgt-2026', "not valid JSON"),
        (b"", "empty"),
        (b'{"id": NaN}', "not valid JSON"),
    ],
)
def test_malformed_bodies_are_named(body: bytes, fragment: str) -> None:
    with pytest.raises(errors.MalformedResponseError) as info:
        decode_json(body, provider="ark", status_code=200)
    assert fragment in str(info.value) and "ark" in str(info.value)


def test_bom_prefixed_json_is_read() -> None:
    assert decode_json(b'\xef\xbb\xbf{"id": "cgt-1"}', provider="ark") == {"id": "cgt-1"}


@pytest.mark.parametrize("body", [[], "cgt-1", 5, None, {"id": 5}])
def test_wrong_types_are_malformed(body: object) -> None:
    with pytest.raises(errors.MalformedResponseError):
        adapter_for("ark").parse_task(body)


def test_html_error_page_maps_to_typed_error() -> None:
    error = adapter_for("maxapi").parse_error(502, b"<html>Bad Gateway</html>", {})
    assert isinstance(error, errors.ServerError) and error.status_code == 502
    assert "HTML" in error.message
