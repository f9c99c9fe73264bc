"""ModelArk v3 (BytePlus / Volcengine and proxies of them): video tasks and Seedream images.

Wire format: seeds 001 and 004, FACTS §1 and §3. Video tasks are created with
``POST {base}/contents/generations/tasks`` and polled; Seedream answers synchronously on
``POST {base}/images/generations``, which we present as a task that is already finished.
"""

from __future__ import annotations

import uuid
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
    opt_int,
    opt_str,
    parse_time,
    require_dict,
    sub,
    url_expiry,
)

BASE_URLS = {
    "byteplus": "https://ark.ap-southeast.bytepluses.com/api/v3",
    "volcengine": "https://ark.cn-beijing.volces.com/api/v3",
}
TASKS = "/contents/generations/tasks"
IMAGES = "/images/generations"
# Result URLs are pre-signed for 24 h (FACTS §1.8).
URL_TTL = timedelta(hours=24)

STATUSES = {
    "queued": Status.QUEUED,
    "running": Status.RUNNING,
    "succeeded": Status.SUCCEEDED,
    "failed": Status.FAILED,
    "cancelled": Status.CANCELLED,
    "expired": Status.EXPIRED,
}
_CONTENT_TYPE = {"image": "image_url", "video": "video_url", "audio": "audio_url"}


class ArkAdapter:
    """ModelArk v3. ``volcengine=True`` sends the ``doubao-`` model ids of the Chinese region."""

    name = "ark"
    key_env = "ARK_API_KEY"
    default_base_url = BASE_URLS["byteplus"]
    # Only queued tasks can be cancelled (FACTS §1.6).
    can_cancel = frozenset({Status.QUEUED})
    has_list = True

    def __init__(self, *, volcengine: bool = False) -> None:
        self.volcengine = volcengine

    def model_id(self, request: AnyRequest) -> str:
        spec = catalog.resolve(request.model, self.name)
        if request.model in spec.ids.get(self.name, ()):
            return request.model  # the user named the dialect's own id: send it as is
        return catalog.wire_id(spec, self.name, volcengine=self.volcengine)

    # -- create -----------------------------------------------------------------------------
    def build_create(self, request: AnyRequest, *, callback_url: str | None = None) -> HttpCall:
        if request.kind == "image":
            return HttpCall("POST", IMAGES, json=self._image_body(request), idempotent=False)
        return HttpCall(
            "POST", TASKS, json=self._video_body(request, callback_url), idempotent=False
        )

    def _video_body(self, request: Any, callback_url: str | None) -> dict[str, Any]:
        content: list[dict[str, Any]] = []
        if request.prompt:
            content.append({"type": "text", "text": request.prompt})
        for material in request.resolved_materials():
            kind = _CONTENT_TYPE[material.kind]
            item: dict[str, Any] = {"type": kind, kind: {"url": material_url(material)}}
            if material.role:
                item["role"] = material.role
            content.append(item)
        if request.draft_task_id:
            content.append({"type": "draft_task", "draft_task": {"id": request.draft_task_id}})
        body = {
            "model": self.model_id(request),
            "content": content,
            "callback_url": callback_url or request.callback_url,
            "return_last_frame": request.return_last_frame,
            "service_tier": request.service_tier,
            "execution_expires_after": request.execution_expires_after,
            "priority": request.priority,
            "generate_audio": request.generate_audio,
            "draft": request.draft,
            "camera_fixed": request.camera_fixed,
            "watermark": request.watermark,
            "seed": request.seed,
            "resolution": request.resolution,
            "ratio": request.ratio,
            "duration": request.duration,
            "frames": request.frames,
            "tools": [{"type": tool} for tool in request.tools] if request.tools else None,
            "safety_identifier": request.safety_identifier,
        }
        return drop_none(body)

    def _image_body(self, request: Any) -> dict[str, Any]:
        images = [material_url(m) for m in request.images]
        size = request.size
        if size is None and (request.ratio or request.resolution):
            width, height = request.output_size(self.name)
            size = f"{width}x{height}"
        sequential = request.sequential
        max_images = request.max_images
        if request.n is not None and request.n > 1:
            # Ark makes several images through group ("sequential") generation.
            sequential, max_images = "auto", max_images or request.n
        elif request.n == 1 and sequential is None:
            sequential = "disabled"  # one image, said explicitly
        body = {
            "model": self.model_id(request),
            "prompt": request.prompt,
            "image": (images[0] if len(images) == 1 else images) if images else None,
            "size": size,
            "seed": request.seed,
            "sequential_image_generation": sequential,
            "sequential_image_generation_options": (
                {"max_images": max_images} if max_images and sequential == "auto" else None
            ),
            "watermark": request.watermark,
            "response_format": request.response_format,
            "guidance_scale": request.guidance_scale,
            "optimize_prompt_options": (
                {"mode": request.optimize_prompt} if request.optimize_prompt else None
            ),
            "output_format": request.output_format,
            "tools": [{"type": tool} for tool in request.tools] if request.tools else None,
            "stream": False,
        }
        return drop_none(body)

    def parse_create(self, body: Any, request: AnyRequest) -> CreateResult:
        data = require_dict(body, "create response", provider=self.name)
        if request.kind == "image":
            snapshot = self._image_snapshot(data)
            return CreateResult(snapshot.id, snapshot)
        task_id = opt_str(data.get("id"))
        if not task_id:
            raise MalformedResponseError("create response has no task id", provider=self.name)
        return CreateResult(task_id)

    def _image_snapshot(self, data: dict[str, Any]) -> TaskSnapshot:
        created = parse_time(data.get("created") or data.get("created_at"))
        assets = []
        failures = []
        for item in items(data, "data"):
            if not isinstance(item, dict):
                continue
            if sub(item, "error"):
                failures.append(sub(item, "error"))
            url = opt_str(item.get("url"))
            if url:
                assets.append(Asset("image", url, url_expiry(url, created, URL_TTL)))
            elif opt_str(item.get("b64_json")):
                assets.append(Asset("image", "data:image/png;base64," + item["b64_json"]))
        error = sub(data, "error") or (failures[0] if failures and not assets else {})
        usage = sub(data, "usage")
        return TaskSnapshot(
            id=f"img-{uuid.uuid4().hex[:20]}",
            status=Status.SUCCEEDED if assets else Status.FAILED,
            raw_status="succeeded" if assets else "failed",
            assets=tuple(assets),
            error_code=opt_str(error.get("code")),
            error_message=opt_str(error.get("message")),
            tokens=opt_int(usage.get("output_tokens") or usage.get("total_tokens")),
            model=opt_str(data.get("model")),
            created_at=created,
            updated_at=created,
            raw=data,
        )

    # -- get / list / cancel ----------------------------------------------------------------
    def build_get(self, task_id: str) -> HttpCall:
        return HttpCall("GET", f"{TASKS}/{task_id}")

    def parse_task(self, body: Any) -> TaskSnapshot:
        data = require_dict(body, "task", provider=self.name)
        task_id = opt_str(data.get("id"))
        if not task_id:
            raise MalformedResponseError("task object has no id", provider=self.name)
        updated = parse_time(data.get("updated_at"))
        content = sub(data, "content")
        assets = []
        for key, kind in (("video_url", "video"), ("last_frame_url", "last_frame")):
            url = opt_str(content.get(key))
            if url:
                assets.append(Asset(kind, url, url_expiry(url, updated, URL_TTL)))  # type: ignore[arg-type]
        error = sub(data, "error")
        usage = sub(data, "usage")
        status = map_status(data.get("status"), STATUSES)
        no_result = status is Status.SUCCEEDED and not any(a.kind == "video" for a in assets)
        if no_result:
            status = Status.UNKNOWN  # "succeeded" without a result is not a success we can use
        return TaskSnapshot(
            id=task_id,
            status=status,
            raw_status=str(data.get("status")),
            assets=tuple(assets),
            error_code=opt_str(error.get("code")),
            error_message=opt_str(error.get("message")),
            tokens=opt_int(usage.get("completion_tokens") or usage.get("total_tokens")),
            model=opt_str(data.get("model")),
            created_at=parse_time(data.get("created_at")),
            updated_at=updated,
            seed=opt_int(data.get("seed")),
            resolution=opt_str(data.get("resolution")),
            ratio=opt_str(data.get("ratio")),
            duration=opt_int(data.get("duration")),
            raw=data,
            no_result=no_result,
        )

    def build_list(
        self,
        *,
        task_ids: list[str] | None = None,
        status: Status | None = None,
        model: str | None = None,
        page_size: int = 100,
        page_num: int = 1,
    ) -> HttpCall:
        params: list[tuple[str, str]] = [("page_num", str(page_num)), ("page_size", str(page_size))]
        if status is not None:
            params.append(("filter.status", status.value))
        if model:
            params.append(("filter.model", model))
        params.extend(("filter.task_ids", task_id) for task_id in task_ids or ())
        return HttpCall("GET", TASKS, params=tuple(params))

    def parse_list(self, body: Any) -> list[TaskSnapshot]:
        data = require_dict(body, "task list", provider=self.name)
        items = data.get("items")
        if items is None:
            return []
        if not isinstance(items, list):
            raise MalformedResponseError("task list 'items' is not a list", provider=self.name)
        return [self.parse_task(item) for item in items]

    def build_cancel(self, task_id: str) -> HttpCall:
        return HttpCall("DELETE", f"{TASKS}/{task_id}")

    def parse_error(self, status_code: int, body: bytes, headers: Mapping[str, str]) -> ApiError:
        return error_from_body(
            provider=self.name, status_code=status_code, body=body, headers=headers
        )
