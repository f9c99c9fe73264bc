"""The OpenAI-style video route ("maxapi-openai") of seed 003.

``POST /v1/videos/generations`` returns a ``task_id``; ``GET /v1/videos/generations/{task_id}``
is polled until ``succeeded``, ``failed`` or ``canceled``. Seed 003 is the only document: where it
is silent (media field names, the task object's shape) the parsing below accepts the usual
spellings, so a field can be added without touching the rest.
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
    drop_none,
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

PATH = "/v1/videos/generations"
# Assets live on the CDN with a 7-day TTL (seed 003).
URL_TTL = timedelta(days=7)
STATUSES = {
    "queued": Status.QUEUED,
    "pending": Status.QUEUED,
    "running": Status.RUNNING,
    "in_progress": Status.RUNNING,
    "processing": Status.RUNNING,
    "succeeded": Status.SUCCEEDED,
    "completed": Status.SUCCEEDED,
    "failed": Status.FAILED,
    "canceled": Status.CANCELLED,
    "cancelled": Status.CANCELLED,
    "expired": Status.EXPIRED,
}
MODES = {
    "text": "text_to_video",
    "first_frame": "image_to_video",
    "first_last_frame": "first_last_frame",
    "multi_reference": "multi_ref",
    "multimodal": "multi_ref",
}
_MEDIA_FIELD = {"image": "images", "video": "videos", "audio": "audios"}


class MaxapiOpenaiAdapter:
    """OpenAI-style ``/v1/videos/generations`` route with ``mode``, ``route_mode``, ``asset_delivery``."""

    name = "maxapi-openai"
    key_env = "MAXAPI_KEY"
    default_base_url = "https://api.maxapi.dev"
    # Seed 003 documents no cancel endpoint.
    can_cancel: frozenset[Status] = frozenset()
    has_list = False

    def model_id(self, request: AnyRequest) -> str:
        spec = catalog.resolve(request.model, self.name)
        if request.model in spec.ids.get(self.name, ()):
            return request.model
        return catalog.wire_id(spec, self.name)

    def build_create(self, request: AnyRequest, *, callback_url: str | None = None) -> HttpCall:
        video: Any = request
        media: dict[str, list[str]] = {}
        for material in video.resolved_materials():
            media.setdefault(_MEDIA_FIELD[material.kind], []).append(material_url(material))
        body = {
            "model": self.model_id(request),
            "prompt": video.prompt,
            "ratio": video.ratio,
            "duration": video.duration,
            "mode": MODES.get(
                str(video.mode.value if hasattr(video.mode, "value") else video.mode)
            ),
            "resolution": video.resolution,
            "seed": video.seed,
            "route_mode": video.route_mode,
            "asset_delivery": video.asset_delivery,
            "callback_url": callback_url or video.callback_url,
            **media,
        }
        return HttpCall("POST", PATH, json=drop_none(body), idempotent=False)

    def parse_create(self, body: Any, request: AnyRequest) -> CreateResult:
        data = _unwrap(require_dict(body, "create response", provider=self.name))
        task_id = opt_id(data.get("task_id")) or opt_id(data.get("id"))
        if not task_id:
            raise MalformedResponseError("create response has no task_id", provider=self.name)
        return CreateResult(task_id)

    def build_get(self, task_id: str) -> HttpCall:
        return HttpCall("GET", f"{PATH}/{task_id}")

    def parse_task(self, body: Any) -> TaskSnapshot:
        data = _unwrap(require_dict(body, "task", provider=self.name))
        task_id = opt_id(data.get("task_id")) or opt_id(data.get("id"))
        if not task_id:
            raise MalformedResponseError("task has no task_id", provider=self.name)
        updated = parse_time(data.get("updated_at"))
        expires = parse_time(data.get("expires_at"))
        assets = tuple(
            Asset("video", url, expires or url_expiry(url, updated, URL_TTL))
            for url in _video_urls(data)
        )
        status = map_status(data.get("status"), STATUSES)
        no_result = status is Status.SUCCEEDED and not assets
        if no_result:
            status = Status.UNKNOWN  # "succeeded" without a result is not a success we can use
        error = sub(data, "error")
        return TaskSnapshot(
            id=task_id,
            status=status,
            raw_status=str(data.get("status")),
            assets=assets,
            error_code=opt_str(error.get("code")) or opt_str(error.get("type")),
            error_message=opt_str(error.get("message")),
            model=opt_str(data.get("model")),
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


def _unwrap(data: dict[str, Any]) -> dict[str, Any]:
    """Accept both a bare task object and one wrapped in ``{"data": {...}}``."""
    inner = data.get("data")
    return inner if isinstance(inner, dict) and ("task_id" in inner or "id" in inner) else data


def _video_urls(data: dict[str, Any]) -> list[str]:
    for key in ("video_url", "url"):
        if opt_str(data.get(key)):
            return [data[key]]
    for key in ("output", "result", "content"):
        inner = data.get(key)
        if isinstance(inner, dict):
            urls = _video_urls(inner) or [u for u in inner.get("urls", []) if isinstance(u, str)]
            if urls:
                return urls
    return [
        item["url"]
        for item in items(data, "data")
        if isinstance(item, dict) and opt_str(item.get("url"))
    ]
