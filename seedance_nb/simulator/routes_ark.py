"""ModelArk v3 video tasks: create, retrieve, list, cancel-or-delete (FACTS §1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .envelopes import ARK, ark_error, dialect_error
from .guard import BadJson, Call, guarded, json_body
from .outputs import ARK_TTL, attach_video
from .plan_ark import find_draft, plan_video, read_materials
from .rules_ark import parse_video
from .scenarios import directives
from .store import CANCELLED, FAILED, QUEUED, RUNNING, TERMINAL, Task
from .values import Invalid
from .views import ark_task

if TYPE_CHECKING:
    from .app import Simulator

PREFIXES = ("/api/v3", "/byteplus/api/v3")
RETENTION = 7 * 86_400  # task records and the list window
CANCELLED_RETENTION = 86_400
LIST_STATUSES = ("queued", "running", "cancelled", "succeeded", "failed", "expired")


def routes(sim: Simulator) -> list[Route]:
    async def create(request: Request) -> Response:
        return await guarded(sim, request, "create", ARK, lambda call: _create(sim, call))

    async def get(request: Request) -> Response:
        return await guarded(sim, request, "get", ARK, lambda call: _get(sim, call))

    async def listing(request: Request) -> Response:
        return await guarded(sim, request, "list", ARK, lambda call: _list(sim, call))

    async def delete(request: Request) -> Response:
        return await guarded(sim, request, "cancel", ARK, lambda call: _delete(sim, call))

    out = []
    for prefix in PREFIXES:
        tasks = prefix + "/contents/generations/tasks"
        out += [
            Route(tasks, create, methods=["POST"]),
            Route(tasks, listing, methods=["GET"]),
            Route(tasks + "/{task_id}", get, methods=["GET"]),
            Route(tasks + "/{task_id}", delete, methods=["DELETE"]),
        ]
    return out


def _invalid(call: Call, exc: Invalid) -> Response:
    return ark_error(exc.status, exc.code, exc.message, call.request_id, exc.param)


async def _create(sim: Simulator, call: Call) -> Response:
    try:
        body = await json_body(call.request)
        request = parse_video(body)
    except BadJson:
        message = "The request body is not valid JSON."
        return ark_error(400, "InvalidParameter", message, call.request_id, "body")
    except Invalid as exc:
        return _invalid(call, exc)
    marks = directives(request.prompt) | call.flags
    if "moderation" in marks:
        return dialect_error(ARK, "moderation", call.request_id)
    try:
        seen = await read_materials(sim.assets, request, call.now)
        draft = find_draft(sim.store, request, call.now)
        plan, info = plan_video(request, seen, sim.store, draft)
    except Invalid as exc:
        return _invalid(call, exc)
    task = sim.new_task(
        dialect=ARK,
        task_id=sim.store.ark_id(call.now),
        model=request.model,
        request=body,
        base_url=sim.base_url(call.request),
        callback_url=request.callback_url,
        marks=marks,
        expires_after=request.execution_expires_after,
    )
    task.info = info
    if task.outcome == FAILED:
        task.error_code = "OutputVideoSensitiveContentDetected"
        task.error_message = (
            "The request failed because the output video may contain sensitive information."
            f" Request id: {call.request_id}"
        )
    else:  # shown only if the task expires
        task.error_code = "ExecutionExpired"
        task.error_message = (
            "The task was not finished within execution_expires_after"
            f" ({request.execution_expires_after} s)."
        )
    attach_video(
        sim.assets, task, plan, style="tos", ttl=ARK_TTL, last_frame=request.return_last_frame
    )
    return JSONResponse({"id": task.id})


def _live(sim: Simulator, task_id: str, now: float) -> Task | None:
    task = sim.store.get(task_id, ARK)
    if task is None or now - task.created > RETENTION:
        return None
    if task.cancelled_at is not None and now - task.cancelled_at > CANCELLED_RETENTION:
        return None
    return task


def _not_found(call: Call, task_id: str) -> Response:
    message = f"The specified task {task_id} is not found."
    return ark_error(404, "ResourceNotFound", message, call.request_id, "id")


async def _get(sim: Simulator, call: Call) -> Response:
    task_id = call.request.path_params["task_id"]
    task = _live(sim, task_id, call.now)
    if task is None:
        return _not_found(call, task_id)
    return JSONResponse(ark_task(task, call.now))


async def _delete(sim: Simulator, call: Call) -> Response:
    """FACTS §1.6: queued → cancelled; running/cancelled → refused; finished → record deleted."""
    task_id = call.request.path_params["task_id"]
    task = _live(sim, task_id, call.now)
    if task is None:
        return _not_found(call, task_id)
    phase = task.phase(call.now)
    if phase == QUEUED:
        task.cancelled_at = call.now
    elif phase in (RUNNING, CANCELLED):
        message = f"The task {task_id} cannot be cancelled or deleted in status {phase}."
        return ark_error(400, "InvalidParameter", message, call.request_id, "id")
    elif phase in TERMINAL:
        sim.store.remove(task_id)
    return JSONResponse({})


def _page_arg(call: Call, key: str, default: int) -> int:
    raw = call.request.query_params.get(key)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 500:
        raise Invalid(
            f"The parameter `{key}` specified in the request is not valid: must be within [1, 500].",
            param=key,
        )
    return int(raw)


async def _list(sim: Simulator, call: Call) -> Response:
    query = call.request.query_params
    try:
        page_num = _page_arg(call, "page_num", 1)
        page_size = _page_arg(call, "page_size", 10)
    except Invalid as exc:
        return _invalid(call, exc)
    status = query.get("filter.status") or None
    if status is not None and status not in LIST_STATUSES:
        message = "The parameter `filter.status` specified in the request is not valid."
        return ark_error(400, "InvalidParameter", message, call.request_id, "filter.status")
    wanted_ids = set(query.getlist("filter.task_ids"))
    model = query.get("filter.model") or None
    tier = query.get("filter.service_tier") or None
    items = []
    newest_first = reversed(list(sim.store.tasks.values()))  # insertion order breaks ties
    for task in sorted(newest_first, key=lambda t: t.created, reverse=True):
        if task.dialect != ARK or _live(sim, task.id, call.now) is None:
            continue
        if status is not None and task.phase(call.now) != status:
            continue
        if wanted_ids and task.id not in wanted_ids:
            continue
        if model is not None and task.model != model:
            continue
        if tier is not None and task.info.get("service_tier") != tier:
            continue
        items.append(task)
    page = items[(page_num - 1) * page_size : page_num * page_size]
    return JSONResponse({"total": len(items), "items": [ark_task(t, call.now) for t in page]})
