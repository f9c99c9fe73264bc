"""Test controls under /sim/control/ (no auth): scenarios, reset, tasks, clock, cancel, tick."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .clock import iso_micro
from .views import generic_status

if TYPE_CHECKING:
    from .app import Simulator

SCENARIO_FIELDS = ("route", "kind", "count", "provider", "retry_after", "delay", "mode", "status")


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def routes(sim: Simulator) -> list[Route]:
    async def scenario(request: Request) -> Response:
        try:
            data = await _body(request)
            unknown = set(data) - set(SCENARIO_FIELDS)
            if unknown:
                raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
            pending = sim.push_scenario(**data)
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"ok": True, "pending": pending})

    async def reset(request: Request) -> Response:
        sim.reset()
        return JSONResponse({"ok": True})

    async def tasks(request: Request) -> Response:
        now = sim.now()
        listing = [
            {
                "id": task.id,
                "dialect": task.dialect,
                "model": task.model,
                "status": generic_status(task, now),
                "phase": task.phase(now),
                "created_at": iso_micro(task.created),
                "detail": task.detail,
            }
            for task in sim.store.tasks.values()
        ]
        return JSONResponse(
            {
                "tasks": listing,
                "counts": dict(sim.store.created),
                "scenarios": sim.scenarios.pending(),
            }
        )

    async def clock(request: Request) -> Response:
        try:
            data = await _body(request)
            seconds = float(data.get("advance", 0))
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        advance = getattr(sim.clock, "advance", None)
        if advance is None:
            return JSONResponse({"error": "the simulator runs on a real clock"}, status_code=409)
        try:
            advance(seconds)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"now": sim.now()})

    async def cancel(request: Request) -> Response:
        try:
            data = await _body(request)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"ok": sim.cancel(str(data.get("task_id", "")))})

    async def tick(request: Request) -> Response:
        return JSONResponse({"started": await sim.tick()})

    async def callbacks(request: Request) -> Response:
        return JSONResponse({"deliveries": sim.callbacks.log})

    base = "/sim/control/"
    return [
        Route(base + "scenario", scenario, methods=["POST"]),
        Route(base + "reset", reset, methods=["POST"]),
        Route(base + "tasks", tasks, methods=["GET"]),
        Route(base + "clock", clock, methods=["POST"]),
        Route(base + "cancel", cancel, methods=["POST"]),
        Route(base + "tick", tick, methods=["POST"]),
        Route(base + "callbacks", callbacks, methods=["GET"]),
    ]
