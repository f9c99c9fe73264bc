"""The aggregator's task API ("maxapi"): one submit/query pair for Seedance video and Seedream images.

Wire format: seeds 000 and 002, FACTS §7. Every answer is wrapped in ``{code, msg, data}``; a
non-zero ``code`` is an error even when the HTTP status is 200.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from .. import catalog
from ..errors import ApiError, MalformedResponseError
from ..status import Asset, Status, TaskSnapshot
from .base import (
    AnyRequest,
    CreateResult,
    HttpCall,
    build_error,
    drop_none,
    envelope_code,
    error_from_body,
    items,
    map_status,
    material_url,
    opt_id,
    opt_str,
    parse_time,
    require_dict,
    sub,
    url_expiry,
)

SUBMIT = "/api/v1/task/submit"
# Result URLs are kept 7 days (FACTS §7).
URL_TTL = timedelta(days=7)
STATUSES = {
    "pending": Status.QUEUED,
    "processing": Status.RUNNING,
    "submitted": Status.RUNNING,
    "success": Status.SUCCEEDED,
    "failure": Status.FAILED,
    "timeout": Status.EXPIRED,
    "cancelled": Status.CANCELLED,
}


class MaxapiAdapter:
    """The task API: ``POST /api/v1/task/submit`` and ``GET /api/v1/task/{taskId}``."""

    name = "maxapi"
    key_env = "MAXAPI_KEY"
    default_base_url = "https://api.maxapi.io"
    # The task API documents no cancel endpoint.
    can_cancel: frozenset[Status] = frozenset()
    has_list = False

    def model_id(self, request: AnyRequest) -> str:
        spec = catalog.resolve(request.model, self.name)
        if request.model in spec.ids.get(self.name, ()):
            return request.model
        return catalog.wire_id(spec, self.name)

    def build_create(self, request: AnyRequest, *, callback_url: str | None = None) -> HttpCall:
        body = drop_none(
            {
                "model": self.model_id(request),
                "callBackUrl": callback_url or getattr(request, "callback_url", None),
                "input": drop_none(self._input(request)),
            }
        )
        return HttpCall("POST", SUBMIT, json=body, idempotent=False)

    def _input(self, request: Any) -> dict[str, Any]:
        if request.kind == "image":
            return {
                "prompt": request.prompt,
                "imageUrls": [material_url(m) for m in request.images] or None,
                "ratio": request.ratio,
                # On the task API a size tier (2K) is the resolution (2k).
                "resolution": request.resolution or (request.size or "").lower() or None,
                "n": request.n,
            }
        return {
            "prompt": request.prompt,
            "mediaUrls": [material_url(m) for m in request.resolved_materials()] or None,
            "ratio": request.ratio,
            "resolution": request.resolution,
            "duration": request.duration,
            "fallback": request.fallback,
        }

    def _data(self, body: Any) -> dict[str, Any]:
        envelope = require_dict(body, "response envelope", provider=self.name)
        if "code" not in envelope:
            raise MalformedResponseError(
                "answer has no 'code': not the task API's {code, msg, data} envelope",
                provider=self.name,
            )
        code = envelope.get("code")
        number = envelope_code(code)
        if number not in (0, 200):
            message = opt_str(envelope.get("msg")) or "request refused"
            status = number if number is not None and 400 <= number < 600 else 400
            raise build_error(
                provider=self.name,
                status_code=status,
                message=message,
                code=str(code),
                headers={},
            )
        return require_dict(envelope.get("data"), "'data'", provider=self.name)

    def parse_create(self, body: Any, request: AnyRequest) -> CreateResult:
        task_id = opt_id(self._data(body).get("taskId"))
        if not task_id:
            raise MalformedResponseError("submit response has no taskId", provider=self.name)
        return CreateResult(task_id)

    def build_get(self, task_id: str) -> HttpCall:
        return HttpCall("GET", f"/api/v1/task/{task_id}")

    def parse_task(self, body: Any) -> TaskSnapshot:
        return self._snapshot(self._data(body))

    def _snapshot(self, data: dict[str, Any]) -> TaskSnapshot:
        task_id = opt_id(data.get("taskId"))
        if not task_id:
            raise MalformedResponseError("task has no taskId", provider=self.name)
        updated = parse_time(data.get("updated_at"))
        result = sub(data, "result")
        kind = "image" if result.get("type") == "image" else "video"
        urls = items(result, "urls")
        assets = tuple(
            Asset(kind, url, url_expiry(url, updated, URL_TTL))  # type: ignore[arg-type]
            for url in urls
            if isinstance(url, str) and url
        )
        status = map_status(data.get("status"), STATUSES)
        no_result = status is Status.SUCCEEDED and not assets
        if no_result:
            status = Status.UNKNOWN  # "succeeded" without a result is not a success we can use
        reason = opt_str(data.get("failure_reason"))
        echo = sub(data, "input")
        return TaskSnapshot(
            id=task_id,
            status=status,
            raw_status=str(data.get("status")),
            assets=assets,
            error_code=reason,
            error_message=opt_str(data.get("failure_message") or data.get("error")) or reason,
            model=opt_str(echo.get("model")),
            created_at=parse_time(data.get("created_at")),
            updated_at=updated,
            raw=data,
            no_result=no_result,
        )

    def build_list(self, **_: Any) -> None:
        return None

    def parse_list(self, body: Any) -> list[TaskSnapshot]:
        return []

    def build_cancel(self, task_id: str) -> None:
        return None

    def parse_error(self, status_code: int, body: bytes, headers: Mapping[str, str]) -> ApiError:
        return error_from_body(
            provider=self.name, status_code=status_code, body=body, headers=headers
        )
