"""The task API (maxapi): submit, query, statuses, INVALID_PARAMETERS failures, moderation."""

from __future__ import annotations

import io
import re
import wave
from typing import Any

import httpx
import pytest
from PIL import Image

from seedance_nb.simulator import ManualClock, Simulator, SimulatorConfig

from .builders import QUEUE, RUN, upload

SUBMIT = "/api/v1/task/submit"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def video(model: str = "seedance-2.0", **fields: Any) -> dict[str, Any]:
    return {
        "model": model,
        "input": {"prompt": "a kite", "duration": 4, "resolution": "480p", **fields},
    }


async def submit(client: httpx.AsyncClient, body: dict[str, Any]) -> str:
    response = await client.post(SUBMIT, json=body)
    assert response.status_code == 200, response.text
    envelope = response.json()
    assert envelope["code"] == 0 and envelope["msg"] == "ok"
    return str(envelope["data"]["taskId"])


async def query(client: httpx.AsyncClient, task_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/task/{task_id}")
    assert response.status_code == 200
    envelope = response.json()
    assert envelope["code"] == 0
    data: dict[str, Any] = envelope["data"]
    return data


async def test_statuses_and_result(client: httpx.AsyncClient, clock: ManualClock) -> None:
    task_id = await submit(client, video(mediaUrls=["https://example.com/photo.jpg"]))
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", task_id
    )
    seen = []
    for _ in range(8):
        data = await query(client, task_id)
        seen.append(data["status"])
        if data["status"] != "SUCCESS":
            assert data["result"] is None
        clock.advance((QUEUE + RUN) / 6)
    assert seen[0] == "PENDING" and seen[-1] == "SUCCESS"
    assert [s for i, s in enumerate(seen) if i == 0 or seen[i - 1] != s] == [
        "PENDING",
        "PROCESSING",
        "SUBMITTED",
        "SUCCESS",
    ]
    data = await query(client, task_id)
    assert ISO.match(data["created_at"]) and ISO.match(data["updated_at"])
    assert data["input"] == {
        "model": "seedance-2.0",
        **video(mediaUrls=["https://example.com/photo.jpg"])["input"],
    }
    assert data["failure_reason"] is None
    assert data["result"]["type"] == "video" and len(data["result"]["urls"]) == 1
    media = await client.get(data["result"]["urls"][0])
    assert media.status_code == 200 and media.headers["content-type"] == "video/mp4"
    # URLs last 7 days.
    clock.advance(7 * 86400 + 1)
    assert (await client.get(data["result"]["urls"][0])).status_code == 403


INVALID = [
    ("13 materials", {"mediaUrls": [f"https://x/{i}.jpg" for i in range(13)]}),
    ("empty material list", {"mediaUrls": []}),
    ("10 images", {"mediaUrls": [f"https://x/{i}.jpg" for i in range(10)]}),
    ("duration 16", {"duration": 16}),
    ("duration 3", {"duration": 3}),
    ("ratio 21:9", {"ratio": "21:9"}),
    ("resolution 2k", {"resolution": "2k"}),
    ("fallback type", {"fallback": "yes"}),
]


@pytest.mark.parametrize("fields", [f for _, f in INVALID], ids=[n for n, _ in INVALID])
async def test_bad_input_fails_the_task(
    client: httpx.AsyncClient, sim: Simulator, fields: dict[str, Any]
) -> None:
    task_id = await submit(client, video(**fields))
    data = await query(client, task_id)
    assert data["status"] == "FAILURE" and data["failure_reason"] == "INVALID_PARAMETERS"
    assert data["result"] is None
    assert sim.tasks_created("maxapi") == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"duration": 7},
        {"mediaUrls": ["https://x/a.jpg", "https://x/b.jpg", "https://x/c.jpg"]},
        {"mediaUrls": ["https://x/a.jpg", "https://x/v.mp4"]},
        {"imageUrls": ["https://x/a.jpg", "https://x/m.mp3"]},
    ],
    ids=["duration 7", "three images", "video", "audio via imageUrls alias"],
)
async def test_1_5_pro_limits(client: httpx.AsyncClient, fields: dict[str, Any]) -> None:
    task_id = await submit(client, video("seedance-1.5-pro", **{"duration": 5, **fields}))
    assert (await query(client, task_id))["failure_reason"] == "INVALID_PARAMETERS"


async def test_1_5_pro_accepts_5_and_10(client: httpx.AsyncClient) -> None:
    for duration in (5, 10):
        task_id = await submit(client, video("seedance-1.5-pro", duration=duration))
        assert (await query(client, task_id))["status"] == "PENDING"


async def test_measured_video_length_is_checked(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    # A 10 s video made by the simulator itself, used twice: 20 s of video in total.
    source = await submit(client, video(duration=10))
    clock.advance(10)
    url = (await query(client, source))["result"]["urls"][0]
    too_long = await submit(client, video(mediaUrls=["https://x/a.jpg", url, url]))
    assert (await query(client, too_long))["failure_reason"] == "INVALID_PARAMETERS"
    fine = await submit(client, video(mediaUrls=["https://x/a.jpg", url]))
    assert (await query(client, fine))["status"] == "PENDING"


def wav(seconds: float) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sink:
        sink.setnchannels(1)
        sink.setsampwidth(1)
        sink.setframerate(8000)
        sink.writeframes(bytes([128]) * int(8000 * seconds))
    return out.getvalue()


async def test_uploaded_audio_is_judged_by_content_type_and_measured(
    client: httpx.AsyncClient,
) -> None:
    short = await upload(client, wav(3), "audio/wav")
    long = await upload(client, wav(16), "audio/x-wav")
    assert short.endswith(".wav") and long.endswith(".wav")
    ok = await submit(client, video(mediaUrls=["https://x/a.jpg", short]))
    assert (await query(client, ok))["status"] == "PENDING"
    too_long = await submit(client, video(mediaUrls=["https://x/a.jpg", long]))
    assert (await query(client, too_long))["failure_reason"] == "INVALID_PARAMETERS"
    not_on_1_5 = await submit(
        client, video("seedance-1.5-pro", duration=5, mediaUrls=["https://x/a.jpg", short])
    )
    assert (await query(client, not_on_1_5))["failure_reason"] == "INVALID_PARAMETERS"
    broken = await upload(client, b"\x00" * 64, "audio/wav")
    unreadable = await submit(client, video(mediaUrls=["https://x/a.jpg", broken]))
    assert (await query(client, unreadable))["failure_reason"] == "INVALID_PARAMETERS"


@pytest.mark.parametrize(
    ("body", "msg"),
    [
        ({"model": "seedance-9", "input": {"prompt": "x"}}, "unsupported model"),
        ({"input": {"prompt": "x"}}, "model"),
        ({"model": "seedance-2.0"}, "input"),
        ({"model": "seedance-2.0", "input": {}, "callBackUrl": "ftp://x"}, "callBackUrl"),
    ],
)
async def test_structural_errors_are_refused_at_submit(
    client: httpx.AsyncClient, sim: Simulator, body: dict[str, Any], msg: str
) -> None:
    response = await client.post(SUBMIT, json=body)
    assert response.status_code == 400
    assert response.json()["code"] == 400 and msg in response.json()["msg"]
    assert sim.tasks_created() == 0


async def test_moderation_at_submit(client: httpx.AsyncClient, sim: Simulator) -> None:
    response = await client.post(SUBMIT, json=video(prompt="[sim:moderation] x"))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400 and body["msg"] == "content rejected by moderation"
    assert body["data"]["flagged"] is True and isinstance(body["data"]["categories"], dict)
    assert sim.tasks_created() == 0


async def test_output_moderation_and_timeout(client: httpx.AsyncClient, clock: ManualClock) -> None:
    moderated = await submit(client, video(prompt="[sim:output_moderation] x"))
    expired = await submit(client, video(prompt="[sim:expire] x"))
    clock.advance(10)
    moderated_data = await query(client, moderated)
    assert (
        moderated_data["status"] == "FAILURE"
        and moderated_data["failure_reason"] == "CONTENT_MODERATION"
    )
    expired_data = await query(client, expired)
    assert expired_data["status"] == "TIMEOUT" and expired_data["result"] is None


async def test_cancel_through_the_control_endpoint(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    task_id = await submit(client, video())
    assert (await client.post("/sim/control/cancel", json={"task_id": task_id})).json() == {
        "ok": True
    }
    assert (await query(client, task_id))["status"] == "CANCELLED"
    clock.advance(10)
    assert (await query(client, task_id))["status"] == "CANCELLED"
    assert (await client.post("/sim/control/cancel", json={"task_id": task_id})).json() == {
        "ok": False
    }


async def test_seedream_tasks(client: httpx.AsyncClient, clock: ManualClock) -> None:
    body = {
        "model": "seedream-4.5",
        "input": {"prompt": "watercolor", "ratio": "16:9", "resolution": "1k", "n": 2},
    }
    task_id = await submit(client, body)
    clock.advance(10)
    data = await query(client, task_id)
    assert data["result"]["type"] == "image" and len(data["result"]["urls"]) == 2
    import io

    image = Image.open(io.BytesIO((await client.get(data["result"]["urls"][0])).content))
    assert image.size == (1280, 720)


@pytest.mark.parametrize(
    "fields",
    [{"n": 5}, {"resolution": "8k"}, {"ratio": "5:4"}, {"prompt": None}, {"imageUrls": "a.png"}],
)
async def test_seedream_bad_input(client: httpx.AsyncClient, fields: dict[str, Any]) -> None:
    body = {"model": "seedream-5-lite", "input": {"prompt": "x", **fields}}
    task_id = await submit(client, body)
    assert (await query(client, task_id))["failure_reason"] == "INVALID_PARAMETERS"


async def test_unknown_task_and_auth(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/task/nope")
    assert missing.status_code == 404 and missing.json()["code"] == 404
    client.headers.pop("Authorization")
    denied = await client.post(SUBMIT, json=video())
    assert denied.status_code == 401 and denied.json()["code"] == 401


async def test_local_callback_urls_can_be_refused(clock: ManualClock) -> None:
    sim = Simulator(SimulatorConfig(clock=clock, allow_local_callbacks=False))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sim.app),
        base_url="http://sim",
        headers={"Authorization": "Bearer k"},
    ) as client:
        for url in ("http://127.0.0.1:9/hook", "http://localhost/hook", "http://10.0.0.2/hook"):
            response = await client.post(SUBMIT, json={**video(), "callBackUrl": url})
            assert response.status_code == 400, url
        assert (
            await client.post(SUBMIT, json={**video(), "callBackUrl": "https://example.com/h"})
        ).status_code == 200


async def test_null_optional_fields(client: httpx.AsyncClient, clock: ManualClock) -> None:
    nulls = dict.fromkeys(["mediaUrls", "imageUrls", "ratio", "resolution", "duration", "fallback"])
    task_id = await submit(
        client, {"model": "seedance-2.0", "callBackUrl": None, "input": {"prompt": "x", **nulls}}
    )
    clock.advance(10)
    assert (await query(client, task_id))["status"] == "SUCCESS"
    image_nulls = dict.fromkeys(["imageUrls", "ratio", "resolution", "n"])
    image_id = await submit(
        client, {"model": "seedream-4", "input": {"prompt": "x", **image_nulls}}
    )
    clock.advance(10)
    assert len((await query(client, image_id))["result"]["urls"]) == 1
