"""ModelArk v3 tasks: lifecycle, task body, list, cancel-or-delete, retention, auth."""

from __future__ import annotations

import httpx
import pytest

from seedance_nb.simulator import ManualClock, Simulator, SimulatorConfig

from .builders import (
    ARK_TASKS,
    QUEUE,
    RUN,
    V10,
    V15,
    V20,
    ark_body,
    create_ark,
    data_url,
    get_ark,
    image_item,
    png_bytes,
)


async def test_lifecycle_queued_running_succeeded(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    response = await client.post(ARK_TASKS, json=ark_body())
    assert response.status_code == 200
    assert response.headers["X-Request-Id"]
    task_id = response.json()["id"]
    assert task_id.startswith("cgt-") and len(task_id.split("-")[1]) == 14
    assert len(task_id.split("-")[2]) == 5
    queued = await get_ark(client, task_id)
    assert queued["status"] == "queued"
    assert "content" not in queued and queued["error"] is None
    clock.advance(QUEUE + 0.1)
    assert (await get_ark(client, task_id))["status"] == "running"
    clock.advance(RUN)
    done = await get_ark(client, task_id)
    assert done["status"] == "succeeded"
    assert done["content"]["video_url"].startswith("http://sim/sim/media/")
    assert "X-Tos-Expires=86400" in done["content"]["video_url"]
    assert "last_frame_url" not in done["content"]
    assert isinstance(done["created_at"], int) and isinstance(done["updated_at"], int)
    assert done["updated_at"] - done["created_at"] == int(QUEUE + RUN)
    assert done["framespersecond"] == 24
    assert done["resolution"] == "480p" and done["ratio"] == "16:9" and done["duration"] == 4
    # 480p 16:9 on the 2.0 series is 864x496; 4 s is 97 frames.
    assert done["usage"] == {
        "completion_tokens": 864 * 496 * 97 // 1024,
        "total_tokens": 864 * 496 * 97 // 1024,
    }
    for key in (
        "seed",
        "service_tier",
        "execution_expires_after",
        "generate_audio",
        "draft",
        "priority",
    ):
        assert key in done


async def test_token_count_matches_documented_example(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    task_id = await create_ark(client, ark_body(resolution="720p", ratio="16:9", duration=5))
    clock.advance(10)
    assert (await get_ark(client, task_id))["usage"]["completion_tokens"] == 108900


async def test_every_optional_field_may_be_null(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    nulls = dict.fromkeys(
        [
            "callback_url",
            "return_last_frame",
            "service_tier",
            "execution_expires_after",
            "generate_audio",
            "draft",
            "camera_fixed",
            "watermark",
            "seed",
            "resolution",
            "ratio",
            "duration",
            "frames",
            "tools",
            "safety_identifier",
            "priority",
        ]
    )
    body = {
        "model": V20,
        "content": [
            {"type": "text", "text": "x"},
            {**image_item(data_url(png_bytes())), "role": None},
        ],
        **nulls,
    }
    task_id = await create_ark(client, body)
    clock.advance(10)
    done = await get_ark(client, task_id)
    assert done["status"] == "succeeded"
    assert done["resolution"] == "720p" and done["duration"] == 5


async def test_adaptive_ratio_and_auto_duration_show_actual_values(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    portrait = data_url(png_bytes(size=(360, 640)))
    body = ark_body(
        model=V15, ratio="adaptive", duration=-1, content=[image_item(portrait, "first_frame")]
    )
    task_id = await create_ark(client, body)
    queued = await get_ark(client, task_id)
    assert queued["ratio"] == "adaptive" and queued["duration"] == -1
    clock.advance(10)
    done = await get_ark(client, task_id)
    assert done["ratio"] == "9:16" and done["duration"] == 5


async def test_frames_on_1_0_and_last_frame_url(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    body = ark_body(model=V10, duration=None, frames=57, return_last_frame=True, ratio="1:1")
    task_id = await create_ark(client, body)
    clock.advance(10)
    done = await get_ark(client, task_id)
    assert done["frames"] == 57
    assert done["content"]["last_frame_url"].split("?")[0].endswith(".png")
    assert done["usage"]["completion_tokens"] == 640 * 640 * 57 // 1024
    assert done["generate_audio"] is False  # 1.0 has no sound


async def test_byteplus_prefix_serves_the_same_tasks(client: httpx.AsyncClient) -> None:
    response = await client.post("/byteplus" + ARK_TASKS, json=ark_body())
    task_id = response.json()["id"]
    assert (await client.get(f"{ARK_TASKS}/{task_id}")).status_code == 200


async def test_list_filters_and_pages(client: httpx.AsyncClient, clock: ManualClock) -> None:
    first = await create_ark(client, ark_body())
    clock.advance(10)
    second = await create_ark(client, ark_body(model=V15))
    third = await create_ark(client, ark_body(model=V15, service_tier="flex"))
    listing = (await client.get(ARK_TASKS)).json()
    assert listing["total"] == 3
    assert [item["id"] for item in listing["items"]] == [third, second, first]
    assert (await client.get(ARK_TASKS, params={"filter.status": "succeeded"})).json()["total"] == 1
    by_ids = await client.get(
        ARK_TASKS, params=[("filter.task_ids", first), ("filter.task_ids", third)]
    )
    assert {item["id"] for item in by_ids.json()["items"]} == {first, third}
    assert (await client.get(ARK_TASKS, params={"filter.model": V15})).json()["total"] == 2
    assert (await client.get(ARK_TASKS, params={"filter.service_tier": "flex"})).json()[
        "total"
    ] == 1
    page = (await client.get(ARK_TASKS, params={"page_num": 2, "page_size": 2})).json()
    assert page["total"] == 3 and [item["id"] for item in page["items"]] == [first]
    bad = await client.get(ARK_TASKS, params={"page_size": 501})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "page_size"


async def test_list_window_is_seven_days(client: httpx.AsyncClient, clock: ManualClock) -> None:
    task_id = await create_ark(client, ark_body())
    clock.advance(7 * 86400 + 1)
    assert (await client.get(ARK_TASKS)).json()["total"] == 0
    assert (await client.get(f"{ARK_TASKS}/{task_id}")).status_code == 404


async def test_delete_follows_the_status_table(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    queued = await create_ark(client, ark_body())
    assert (await client.delete(f"{ARK_TASKS}/{queued}")).json() == {}
    assert (await get_ark(client, queued))["status"] == "cancelled"
    again = await client.delete(f"{ARK_TASKS}/{queued}")
    assert again.status_code == 400 and "cancelled" in again.json()["error"]["message"]

    running = await create_ark(client, ark_body())
    clock.advance(QUEUE + 0.5)
    refused = await client.delete(f"{ARK_TASKS}/{running}")
    assert refused.status_code == 400 and refused.json()["error"]["type"] == "BadRequest"
    assert (await get_ark(client, running))["status"] == "running"

    clock.advance(10)
    assert (await client.delete(f"{ARK_TASKS}/{running}")).status_code == 200
    gone = await client.get(f"{ARK_TASKS}/{running}")
    assert gone.status_code == 404 and gone.json()["error"]["type"] == "NotFound"
    assert "Request id:" in gone.json()["error"]["message"]
    # Cancelled records vanish after 24 h.
    clock.advance(86400)
    assert (await client.get(f"{ARK_TASKS}/{queued}")).status_code == 404


async def test_failed_and_expired_tasks_can_be_deleted(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    failed = await create_ark(client, ark_body(text="[sim:output_moderation] x"))
    expired = await create_ark(client, ark_body(text="[sim:expire] x"))
    clock.advance(10)
    failed_body = await get_ark(client, failed)
    assert failed_body["status"] == "failed"
    assert failed_body["error"]["code"] == "OutputVideoSensitiveContentDetected"
    expired_body = await get_ark(client, expired)
    assert expired_body["status"] == "expired" and expired_body["error"]["code"]
    for task_id in (failed, expired):
        assert (await client.delete(f"{ARK_TASKS}/{task_id}")).status_code == 200
        assert (await client.get(f"{ARK_TASKS}/{task_id}")).status_code == 404


async def test_execution_expires_after_ends_a_long_task(clock: ManualClock) -> None:
    sim = Simulator(SimulatorConfig(queue_seconds=3000, run_seconds=3000, clock=clock, jitter=0))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sim.app),
        base_url="http://sim",
        headers={"Authorization": "Bearer k"},
    ) as client:
        task_id = await create_ark(client, ark_body(execution_expires_after=3600))
        clock.advance(3599)
        assert (await get_ark(client, task_id))["status"] == "running"
        clock.advance(2)
        assert (await get_ark(client, task_id))["status"] == "expired"


async def test_slow_directive_stretches_the_timeline(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    task_id = await create_ark(client, ark_body(text="[sim:slow] a fox"))
    clock.advance((QUEUE + RUN) * 2)
    assert (await get_ark(client, task_id))["status"] == "queued"
    clock.advance((QUEUE + RUN) * 10)
    assert (await get_ark(client, task_id))["status"] == "succeeded"


@pytest.mark.parametrize("header", [None, "Bearer ", "Basic abc"])
async def test_missing_or_malformed_key_is_401(
    client: httpx.AsyncClient, header: str | None
) -> None:
    headers = {"Authorization": header} if header is not None else {}
    client.headers.pop("Authorization")
    response = await client.post(ARK_TASKS, json=ark_body(), headers=headers)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "AuthenticationError" and error["type"] == "Unauthorized"
    assert response.headers["X-Request-Id"] in error["message"]


async def test_configured_key_is_the_only_one_accepted(clock: ManualClock) -> None:
    sim = Simulator(SimulatorConfig(api_key="right", clock=clock))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sim.app), base_url="http://sim"
    ) as client:
        wrong = await client.get(ARK_TASKS, headers={"Authorization": "Bearer wrong"})
        right = await client.get(ARK_TASKS, headers={"Authorization": "Bearer right"})
    assert (wrong.status_code, right.status_code) == (401, 200)


async def test_priority_is_echoed_on_2_0(client: httpx.AsyncClient) -> None:
    task_id = await create_ark(client, ark_body(model=V20, priority=7, safety_identifier="user-1"))
    body = await get_ark(client, task_id)
    assert body["priority"] == 7 and body["safety_identifier"] == "user-1"
