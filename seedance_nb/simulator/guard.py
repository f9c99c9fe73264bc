"""What every API route does around its handler: auth, scenarios, request id, JSON body."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from .envelopes import ARK, dialect_error, new_request_id
from .scenarios import FLAG_KINDS, POST_KINDS, PRE_KINDS, post_response, pre_response

if TYPE_CHECKING:
    from .app import Simulator

log = logging.getLogger(__name__)


@dataclass
class Call:
    """One request as a handler sees it."""

    request: Request
    request_id: str
    now: float
    flags: set[str] = field(default_factory=set)  # scenario flags for the task it creates


class BadJson(ValueError):
    pass


async def json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise BadJson("the request body is not valid JSON") from exc


def authorized(request: Request, api_key: str | None) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return False
    return api_key is None or token == api_key


async def guarded(
    sim: Simulator,
    request: Request,
    route: str,
    dialect: str,
    handler: Callable[[Call], Awaitable[Response]],
) -> Response:
    call = Call(request=request, request_id=new_request_id(), now=sim.now())
    response = await _run(sim, call, route, dialect, handler)
    if dialect == ARK:
        response.headers["X-Request-Id"] = call.request_id
    return response


async def _run(
    sim: Simulator,
    call: Call,
    route: str,
    dialect: str,
    handler: Callable[[Call], Awaitable[Response]],
) -> Response:
    if not authorized(call.request, sim.config.api_key):
        return dialect_error(dialect, "unauthorized", call.request_id)
    scenario = sim.scenarios.take(route, dialect)
    if scenario is not None and scenario.kind in PRE_KINDS:
        return pre_response(scenario, dialect, call.request_id)
    if scenario is not None and scenario.kind in FLAG_KINDS:
        call.flags.add(scenario.kind)
    try:
        response = await handler(call)
    except Exception:  # a simulator bug answers like the dialect's own 500, and is logged
        log.exception("simulator handler failed on %s %s", call.request.method, call.request.url)
        return dialect_error(dialect, "server_error", call.request_id)
    if scenario is not None and scenario.kind in POST_KINDS:
        response = await post_response(scenario, response)
    return response
