"""Scripted misbehaviour: queued scenarios and prompt directives.

A scenario is taken by the next ``count`` requests on its route (and provider, if given). Kinds:

- answered instead of the real handler: ``moderation``, ``unauthorized``, ``forbidden``,
  ``rate_limit``, ``server_error``, ``bad_gateway``, ``html_error``;
- applied to the real answer: ``truncated_json``, ``unknown_status``, ``lost_response``
  (``mode`` timeout | reset | 502 | 504 — the work is done, the answer never arrives intact);
- flags for the next created task: ``output_moderation``, ``expire``.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .envelopes import DIALECTS, challenge_page, dialect_error, gateway_page

ROUTES = ("create", "get", "list", "cancel", "media", "images")
PRE_KINDS = (
    "moderation",
    "unauthorized",
    "forbidden",
    "rate_limit",
    "server_error",
    "bad_gateway",
    "html_error",
)
POST_KINDS = ("truncated_json", "unknown_status", "lost_response")
FLAG_KINDS = ("output_moderation", "expire")
KINDS = PRE_KINDS + POST_KINDS + FLAG_KINDS
LOST_MODES = ("timeout", "reset", "502", "504")

DIRECTIVE = re.compile(r"\[sim:([a-z_]+)\]")


def directives(text: str | None) -> set[str]:
    """``[sim:...]`` words in a prompt: moderation, output_moderation, expire, slow."""
    return set(DIRECTIVE.findall(text or ""))


@dataclass
class Scenario:
    route: str
    kind: str
    count: int = 1
    provider: str | None = None
    retry_after: float | None = None
    delay: float | None = None
    mode: str | None = None
    status: int | None = None

    def __post_init__(self) -> None:
        if self.route not in ROUTES:
            raise ValueError(f"route must be one of {', '.join(ROUTES)}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if self.provider is not None and self.provider not in DIALECTS:
            raise ValueError(f"provider must be one of {', '.join(DIALECTS)}")
        if self.count < 1:
            raise ValueError("count must be at least 1")
        if self.kind == "lost_response":
            self.mode = self.mode or "timeout"
            if self.mode not in LOST_MODES:
                raise ValueError(f"mode must be one of {', '.join(LOST_MODES)}")


class ScenarioQueue:
    def __init__(self) -> None:
        self._pending: list[Scenario] = []

    def push(self, scenario: Scenario) -> int:
        self._pending.append(scenario)
        return len(self._pending)

    def take(self, route: str, provider: str) -> Scenario | None:
        for scenario in self._pending:
            if scenario.route == route and scenario.provider in (None, provider):
                scenario.count -= 1
                if scenario.count <= 0:
                    self._pending.remove(scenario)
                return scenario
        return None

    def pending(self) -> list[dict[str, Any]]:
        return [dict(vars(s)) for s in self._pending]

    def clear(self) -> None:
        self._pending.clear()


def pre_response(scenario: Scenario, dialect: str, request_id: str) -> Response:
    """The answer a pre-kind scenario gives instead of the real one."""
    kind = scenario.kind
    if kind == "bad_gateway":
        return gateway_page(scenario.status or 502)
    if kind == "html_error":
        return challenge_page(scenario.status or 200)
    response = dialect_error(dialect, kind, request_id)
    if kind == "rate_limit":
        response.headers["Retry-After"] = _seconds(scenario.retry_after or 1)
    return response


async def post_response(scenario: Scenario, response: Response) -> Response:
    """Spoil a real answer after the work behind it is done."""
    if scenario.kind == "truncated_json":
        body = bytes(response.body)
        cut = body[: max(1, len(body) // 2)]
        return Response(cut, status_code=response.status_code, media_type="application/json")
    if scenario.kind == "unknown_status":
        try:
            data = json.loads(bytes(response.body))
        except ValueError:
            return response
        spoiled = _replace_status(data)
        return Response(
            json.dumps(spoiled), status_code=response.status_code, media_type="application/json"
        )
    # lost_response
    if scenario.mode == "timeout":
        await asyncio.sleep(scenario.delay if scenario.delay is not None else 30.0)
        return response
    if scenario.mode == "reset":
        return BrokenResponse(bytes(response.body)[:8])
    return gateway_page(int(scenario.mode or 502))


def _replace_status(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "status" and isinstance(value, str):
                out[key] = "SUSPENDED" if value.isupper() else "suspended"
            else:
                out[key] = _replace_status(value)
        return out
    if isinstance(node, list):
        return [_replace_status(item) for item in node]
    return node


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class BrokenResponse(Response):
    """Starts answering, then drops the connection.

    Under uvicorn the client sees the connection close mid-response; in-process through
    ``httpx.ASGITransport`` the error surfaces as ``httpx.RemoteProtocolError``, the same
    exception a real connection would give.
    """

    def __init__(self, head: bytes) -> None:
        super().__init__(status_code=200, media_type="application/json")
        self.head = head

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(self.head) * 8).encode()),  # promises more than comes
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": self.head, "more_body": True})
        raise httpx.RemoteProtocolError("simulated connection reset by peer")
