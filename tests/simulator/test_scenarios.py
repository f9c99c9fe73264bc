"""Scripted failures: pre-kinds per dialect, spoiled answers, lost responses, controls."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from seedance_nb.simulator import ManualClock, Simulator

from .builders import ARK_TASKS, ark_body, create_ark

MAXAPI_BODY = {
    "model": "seedance-2.0",
    "input": {"prompt": "x", "duration": 4, "resolution": "480p"},
}
OPENAI_BODY = {
    "model": "model/seedance-2.0-fast-beta",
    "prompt": "x",
    "duration": 4,
    "resolution": "480p",
}
CREATE = {
    "ark": (ARK_TASKS, ark_body()),
    "maxapi": ("/api/v1/task/submit", MAXAPI_BODY),
    "maxapi-openai": ("/v1/videos/generations", OPENAI_BODY),
}
STATUS = {
    "moderation": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "rate_limit": 429,
    "server_error": 500,
}


def error_code(provider: str, body: dict[str, Any]) -> Any:
    if provider == "maxapi":
        return body["code"]
    return body["error"]["code"]


@pytest.mark.parametrize("provider", list(CREATE))
@pytest.mark.parametrize("kind", list(STATUS))
async def test_pre_kinds_in_each_dialect(
    client: httpx.AsyncClient, sim: Simulator, provider: str, kind: str
) -> None:
    sim.push_scenario(route="create", kind=kind, provider=provider, retry_after=7)
    path, body = CREATE[provider]
    response = await client.post(path, json=body)
    assert response.status_code == STATUS[kind]
    assert error_code(provider, response.json())
    if kind == "rate_limit":
        assert response.headers["Retry-After"] == "7"
    if provider == "ark":
        assert response.headers["X-Request-Id"] in response.json()["error"]["message"]
    if provider == "maxapi":
        assert response.json()["code"] == STATUS[kind]
    assert sim.tasks_created() == 0
    assert (await client.post(path, json=body)).status_code == 200  # used up


async def test_scenarios_wait_for_their_provider_and_count(
    client: httpx.AsyncClient, sim: Simulator
) -> None:
    sim.push_scenario(route="create", kind="server_error", provider="maxapi", count=2)
    assert (await client.post(ARK_TASKS, json=ark_body())).status_code == 200
    path, body = CREATE["maxapi"]
    assert [(await client.post(path, json=body)).status_code for _ in range(3)] == [500, 500, 200]


async def test_html_pages(client: httpx.AsyncClient, sim: Simulator) -> None:
    sim.push_scenario(route="get", kind="bad_gateway")
    sim.push_scenario(route="list", kind="html_error")
    gateway = await client.get(f"{ARK_TASKS}/cgt-x")
    assert gateway.status_code == 502 and gateway.headers["content-type"].startswith("text/html")
    page = await client.get(ARK_TASKS)
    assert page.status_code == 200 and page.text.lstrip().startswith("<!DOCTYPE html>")


async def test_truncated_json_still_creates_the_task(
    client: httpx.AsyncClient, sim: Simulator
) -> None:
    sim.push_scenario(route="create", kind="truncated_json")
    response = await client.post(ARK_TASKS, json=ark_body())
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert sim.tasks_created("ark") == 1


async def test_unknown_status(client: httpx.AsyncClient, sim: Simulator) -> None:
    task_id = await create_ark(client, ark_body())
    sim.push_scenario(route="get", kind="unknown_status")
    sim.push_scenario(route="list", kind="unknown_status")
    sim.push_scenario(route="get", kind="unknown_status", provider="maxapi")
    assert (await client.get(f"{ARK_TASKS}/{task_id}")).json()["status"] == "suspended"
    assert (await client.get(ARK_TASKS)).json()["items"][0]["status"] == "suspended"
    path, body = CREATE["maxapi"]
    max_id = (await client.post(path, json=body)).json()["data"]["taskId"]
    assert (await client.get(f"/api/v1/task/{max_id}")).json()["data"]["status"] == "SUSPENDED"


@pytest.mark.parametrize("provider", list(CREATE))
async def test_lost_response_reset(
    client: httpx.AsyncClient, sim: Simulator, provider: str
) -> None:
    sim.push_scenario(route="create", kind="lost_response", mode="reset")
    path, body = CREATE[provider]
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post(path, json=body)
    assert sim.tasks_created(provider) == 1  # upstream has it; the client never learnt its id


@pytest.mark.parametrize("mode", ["502", "504"])
async def test_lost_response_gateway(client: httpx.AsyncClient, sim: Simulator, mode: str) -> None:
    sim.push_scenario(route="create", kind="lost_response", mode=mode)
    response = await client.post(ARK_TASKS, json=ark_body())
    assert response.status_code == int(mode) and "nginx" in response.text
    assert sim.tasks_created("ark") == 1


async def test_lost_response_timeout(client: httpx.AsyncClient, sim: Simulator) -> None:
    sim.push_scenario(route="create", kind="lost_response", mode="timeout", delay=0.2)
    started = time.monotonic()
    response = await client.post(ARK_TASKS, json=ark_body())
    assert time.monotonic() - started >= 0.2
    assert response.status_code == 200 and sim.tasks_created("ark") == 1


async def test_flags_for_the_next_task(
    client: httpx.AsyncClient, sim: Simulator, clock: ManualClock
) -> None:
    sim.push_scenario(route="create", kind="output_moderation")
    sim.push_scenario(route="create", kind="expire")
    moderated = await create_ark(client, ark_body())
    expired = await create_ark(client, ark_body())
    normal = await create_ark(client, ark_body())
    clock.advance(10)
    statuses = [
        (await client.get(f"{ARK_TASKS}/{t}")).json()["status"]
        for t in (moderated, expired, normal)
    ]
    assert statuses == ["failed", "expired", "succeeded"]


async def test_media_route_scenarios(
    client: httpx.AsyncClient, sim: Simulator, clock: ManualClock
) -> None:
    task_id = await create_ark(client, ark_body())
    clock.advance(10)
    url = (await client.get(f"{ARK_TASKS}/{task_id}")).json()["content"]["video_url"]
    sim.push_scenario(route="media", kind="server_error")
    assert (await client.get(url)).status_code == 500
    sim.push_scenario(route="media", kind="lost_response", mode="reset")
    with pytest.raises(httpx.RemoteProtocolError):
        await client.get(url)
    assert (await client.get(url)).status_code == 200


async def test_control_endpoints(
    client: httpx.AsyncClient, sim: Simulator, clock: ManualClock
) -> None:
    pushed = await client.post(
        "/sim/control/scenario", json={"route": "cancel", "kind": "forbidden", "count": 2}
    )
    assert pushed.json() == {"ok": True, "pending": 1}
    assert (
        await client.post("/sim/control/scenario", json={"route": "x", "kind": "forbidden"})
    ).status_code == 400
    assert (
        await client.post("/sim/control/scenario", json={"route": "get", "kind": "nope"})
    ).status_code == 400
    assert (
        await client.post(
            "/sim/control/scenario", json={"route": "get", "kind": "lost_response", "mode": "x"}
        )
    ).status_code == 400
    task_id = await create_ark(client, ark_body())
    assert (await client.delete(f"{ARK_TASKS}/{task_id}")).status_code == 403
    listing = (await client.get("/sim/control/tasks")).json()
    assert listing["counts"] == {"ark": 1}
    assert listing["tasks"][0]["id"] == task_id and listing["tasks"][0]["status"] == "queued"
    assert listing["scenarios"][0]["count"] == 1
    now = (await client.post("/sim/control/clock", json={"advance": 5})).json()["now"]
    assert now == clock()
    assert (await client.get(f"{ARK_TASKS}/{task_id}")).json()["status"] == "succeeded"
    assert (await client.post("/sim/control/tick")).json() == {"started": 0}
    assert (await client.post("/sim/control/reset")).json() == {"ok": True}
    assert (await client.get("/sim/control/tasks")).json() == {
        "tasks": [],
        "counts": {},
        "scenarios": [],
    }
    assert (await client.get(f"{ARK_TASKS}/{task_id}")).status_code == 404


async def test_clock_control_needs_a_manual_clock() -> None:
    sim = Simulator()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sim.app), base_url="http://sim"
    ) as client:
        assert (await client.post("/sim/control/clock", json={"advance": 1})).status_code == 409
