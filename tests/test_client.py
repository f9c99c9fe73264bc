"""The HTTP client: retries for reads only, Retry-After, ambiguous creates, deadlines, size cap, keys."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from seedance_nb import errors
from seedance_nb.client import AsyncSeedance, Timeouts
from seedance_nb.requests import VideoRequest
from seedance_nb.retry import RetryPolicy

KEY = "sk-canary-5f0c1d2e3a4b"
BASE = "https://ark.test/api/v3"
TASK = {"id": "cgt-20260101000000-abcde", "status": "queued"}


class Recorder:
    """A scripted server: answers in order, counts requests, remembers headers."""

    def __init__(
        self, *answers: httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]
    ):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer


def client_for(
    recorder: Recorder, sleeps: list[float] | None = None, **kwargs: object
) -> AsyncSeedance:
    async def fake_sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)

    return AsyncSeedance(
        "ark",
        base_url=BASE,
        api_key=KEY,
        transport=httpx.MockTransport(recorder),
        retry=RetryPolicy(max_attempts=4, sleep=fake_sleep),
        **kwargs,  # type: ignore[arg-type]
    )


def ok(body: object, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


REQUEST = VideoRequest(model="seedance-2.0", prompt="a fox", duration=5)


async def test_reads_retry_on_5xx_then_succeed() -> None:
    sleeps: list[float] = []
    rec = Recorder(ok({}, 503), ok({}, 500), ok(TASK))
    snap = await client_for(rec, sleeps).get(TASK["id"])
    assert snap.id == TASK["id"] and len(rec.requests) == 3 and len(sleeps) == 2


async def test_retry_after_is_never_cut_short() -> None:
    sleeps: list[float] = []
    rec = Recorder(
        ok({"error": {"code": "RateLimitExceeded"}}, 429, **{"Retry-After": "5"}), ok(TASK)
    )
    await client_for(rec, sleeps).get(TASK["id"])
    assert len(sleeps) == 1 and sleeps[0] >= 5.0


async def test_long_retry_after_is_handed_back() -> None:
    rec = Recorder(ok({"error": {"code": "RateLimitExceeded"}}, 429, **{"Retry-After": "600"}))
    with pytest.raises(errors.RateLimitError) as info:
        await client_for(rec).get(TASK["id"])
    assert info.value.retry_after == 120.0 and len(rec.requests) == 1  # 600 s capped


@pytest.mark.parametrize(
    "answer",
    [
        ok({}, 502),
        ok({}, 504),
        httpx.Response(500, text="<html>oops</html>"),
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("peer closed connection"),
        ok({"no": "id"}),
        httpx.Response(200, text='{"id": "cgt-'),
    ],
)
async def test_create_is_never_resent_when_its_answer_is_lost(answer: object) -> None:
    rec = Recorder(answer, ok({"id": "second"}))  # type: ignore[arg-type]
    with pytest.raises(errors.AmbiguousCreateError) as info:
        await client_for(rec).create(REQUEST)
    assert len(rec.requests) == 1
    assert info.value.provider == "ark" and "resume" in str(info.value)


async def test_create_retried_when_it_never_left() -> None:
    rec = Recorder(httpx.ConnectError("connection refused"), ok({"id": "cgt-1"}))
    created = await client_for(rec).create(REQUEST)
    assert created.task_id == "cgt-1" and len(rec.requests) == 2


async def test_create_retried_after_429_with_its_delay() -> None:
    sleeps: list[float] = []
    rec = Recorder(
        ok({"error": {"code": "RateLimit"}}, 429, **{"Retry-After": "2"}), ok({"id": "c"})
    )
    created = await client_for(rec, sleeps).create(REQUEST)
    assert created.task_id == "c" and sleeps[0] >= 2.0 and len(rec.requests) == 2


async def test_create_refusal_is_raised_once() -> None:
    body = {
        "error": {"code": "InputTextSensitiveContentDetected", "message": "Request id: 02aa11bb22"}
    }
    rec = Recorder(ok(body, 400))
    with pytest.raises(errors.BadRequestError) as info:
        await client_for(rec).create(REQUEST)
    assert info.value.code == "InputTextSensitiveContentDetected"
    assert info.value.request_id == "02aa11bb22" and len(rec.requests) == 1


async def test_response_size_is_capped() -> None:
    rec = Recorder(httpx.Response(200, content=b"x" * 5000))
    with pytest.raises(errors.MalformedResponseError) as info:
        await client_for(rec, max_response_bytes=1000).get("t")
    assert "larger than 1000" in str(info.value)


async def test_dripping_server_hits_the_overall_deadline() -> None:
    async def drip() -> AsyncIterator[bytes]:
        for byte in json.dumps(TASK).encode():
            await asyncio.sleep(0.05)
            yield bytes([byte])

    rec = Recorder(lambda request: httpx.Response(200, content=drip()))
    client = AsyncSeedance(
        "ark",
        base_url=BASE,
        api_key=KEY,
        transport=httpx.MockTransport(rec),
        timeouts=Timeouts(overall=0.3),
        retry=RetryPolicy(max_attempts=2, sleep=lambda s: asyncio.sleep(0)),
    )
    with pytest.raises(errors.TransportError) as info:
        await client.get("t")
    assert "0.3 s" in str(info.value) and len(rec.requests) == 2


async def test_key_is_sent_as_bearer_but_never_shown() -> None:
    echo = {"error": {"code": "AuthenticationError", "message": f"bad key {KEY}"}}
    rec = Recorder(ok(echo, 401))
    client = client_for(rec)
    with pytest.raises(errors.AuthenticationError) as info:
        await client.get("t")
    assert rec.requests[0].headers["Authorization"] == f"Bearer {KEY}"
    assert KEY not in str(info.value) and KEY not in repr(info.value)
    assert KEY not in repr(client) and KEY not in repr(client.settings)


async def test_downloads_never_carry_the_key(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    rec = Recorder(httpx.Response(200, content=png, headers={"content-type": "image/png"}))
    result = await client_for(rec).download("https://tos.example/i.png?sig=1", tmp_path / "out")
    assert "Authorization" not in rec.requests[0].headers
    assert result.path == tmp_path / "out.png" and result.path.read_bytes() == png
    assert result.size == len(png) and len(result.sha256) == 64


@pytest.mark.parametrize(
    ("response", "fragment", "expired"),
    [
        (httpx.Response(403, text="<Error>Request has expired</Error>"), "expired", True),
        (httpx.Response(200, content=b"<html>not a video</html>"), "not a video", False),
        (
            httpx.Response(
                200, content=b"\x89PNG\r\n\x1a\n", headers={"content-type": "video/mp4"}
            ),
            "says video/mp4",
            False,
        ),
        (httpx.Response(200, content=b"\0\0\0\x18ftypmp42" + b"\0" * 5000), "larger than", False),
    ],
)
async def test_download_refusals_leave_no_file(
    tmp_path: Path, response: httpx.Response, fragment: str, expired: bool
) -> None:
    rec = Recorder(response)
    with pytest.raises(errors.DownloadError) as info:
        await client_for(rec).download("https://tos.example/v.mp4", tmp_path / "v", max_bytes=1000)
    assert fragment in str(info.value) and info.value.expired is expired
    assert list(tmp_path.iterdir()) == []


async def test_list_unsupported_dialect_returns_none() -> None:
    client = AsyncSeedance("maxapi", base_url="https://api.test", api_key=KEY)
    assert await client.list(task_ids=["a"]) is None
    with pytest.raises(errors.UnsupportedOperation):
        await client.cancel("a")
