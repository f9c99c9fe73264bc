"""The task API: POST /api/v1/task/submit and GET /api/v1/task/{taskId} (FACTS §7).

Errors carry the same number in the HTTP status and in ``code``. Structural problems (no model,
unknown model, no input, a local callback URL) are refused at submit with code 400; problems
with the input's values become a task that fails at once with INVALID_PARAMETERS, as the
documents describe.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .envelopes import MAXAPI, dialect_error, maxapi_error
from .guard import BadJson, Call, guarded, json_body
from .outputs import CDN_TTL, add_images, attach_video
from .rules_maxapi import Problem, check_image, check_video
from .scenarios import directives
from .store import FAILED, Task
from .tables import MAXAPI_IMAGE_MODELS, MAXAPI_VIDEO_MODELS
from .views import maxapi_task

if TYPE_CHECKING:
    from .app import Simulator


def routes(sim: Simulator) -> list[Route]:
    async def submit(request: Request) -> Response:
        return await guarded(sim, request, "create", MAXAPI, lambda call: _submit(sim, call))

    async def query(request: Request) -> Response:
        return await guarded(sim, request, "get", MAXAPI, lambda call: _query(sim, call))

    return [
        Route("/api/v1/task/submit", submit, methods=["POST"]),
        Route("/api/v1/task/{task_id}", query, methods=["GET"]),
    ]


def is_local(url: str) -> bool:
    """localhost, loopback and private addresses: what the real service refuses."""
    host = (urlsplit(url).hostname or "").lower()
    if host in ("localhost", "") or host.endswith(".localhost") or host.endswith(".local"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def _structure(sim: Simulator, body: Any) -> str | None:
    if not isinstance(body, dict):
        return "the request body must be a JSON object"
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return "model is required"
    if model not in MAXAPI_VIDEO_MODELS and model not in MAXAPI_IMAGE_MODELS:
        return f"unsupported model: {model}"
    if not isinstance(body.get("input"), dict):
        return "input is required"
    callback = body.get("callBackUrl")
    if callback is not None:
        if not isinstance(callback, str) or not callback.startswith(("http://", "https://")):
            return "callBackUrl must be an http(s) URL"
        if is_local(callback) and not sim.config.allow_local_callbacks:
            return "callBackUrl must be a public URL (localhost and intranet addresses are refused)"
    return None


async def _submit(sim: Simulator, call: Call) -> Response:
    try:
        body = await json_body(call.request)
    except BadJson as exc:
        return maxapi_error(400, str(exc))
    refusal = _structure(sim, body)
    if refusal is not None:
        return maxapi_error(400, refusal)
    model, data = body["model"], body["input"]
    marks = (
        directives(data.get("prompt") if isinstance(data.get("prompt"), str) else "") | call.flags
    )
    if "moderation" in marks:
        return dialect_error(MAXAPI, "moderation", call.request_id)
    task = sim.new_task(
        dialect=MAXAPI,
        task_id=sim.store.uuid(),
        model=model,
        request=body,
        base_url=sim.base_url(call.request),
        callback_url=body.get("callBackUrl"),
        marks=marks,
    )
    try:
        await _plan(sim, task, model, data, call.now)
    except Problem as exc:
        _fail_now(task, str(exc))
    if task.outcome == FAILED and task.failure_reason is None:
        task.failure_reason = "CONTENT_MODERATION"
    return JSONResponse({"code": 0, "msg": "ok", "data": {"taskId": task.id}})


async def _plan(sim: Simulator, task: Task, model: str, data: dict[str, Any], now: float) -> None:
    if model in MAXAPI_VIDEO_MODELS:
        plan = await check_video(sim.assets, model, MAXAPI_VIDEO_MODELS[model], data, now)
        attach_video(sim.assets, task, plan, style="cdn", ttl=CDN_TTL)
        task.info["kind"] = "video"
        return
    plans = await check_image(sim.assets, model, data, now)
    task.assets = add_images(
        sim.assets, task.id, plans, style="cdn", start=task.finish_time, ttl=CDN_TTL
    )
    task.plan = plans
    task.info["kind"] = "image"


def _fail_now(task: Task, problem: str) -> None:
    task.queue_s = task.run_s = 0.0
    task.expires_at = None
    task.outcome = FAILED
    task.failure_reason = "INVALID_PARAMETERS"
    task.detail = problem


async def _query(sim: Simulator, call: Call) -> Response:
    task = sim.store.get(call.request.path_params["task_id"], MAXAPI)
    if task is None:
        return maxapi_error(404, "task not found")
    return JSONResponse(maxapi_task(task, call.now))
