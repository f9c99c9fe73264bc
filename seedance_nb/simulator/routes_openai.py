"""The OpenAI-style route of seed 003: POST/GET /v1/videos/generations.

Seed 003 names the body fields but not the media ones; this simulator takes ``images``,
``videos`` and ``audios`` (lists of URLs). Mode and images must agree: text_to_video 0,
image_to_video 1, first_last_frame 2, multi_ref 1-9 (videos/audios only in multi_ref).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .envelopes import OPENAI, dialect_error, openai_error
from .guard import BadJson, Call, guarded, json_body
from .inputs import Seen, Unreadable, look
from .media import VideoPlan, color_for
from .outputs import CDN_TTL, attach_video
from .routes_maxapi import is_local
from .scenarios import directives
from .store import FAILED
from .tables import (
    FPS,
    OPENAI_MODELS,
    OPENAI_MODES,
    OPENAI_RESOLUTIONS,
    OPENAI_ROUTE_MODES,
    PIXELS_V2,
    RATIOS,
)
from .values import is_int
from .views import openai_task

if TYPE_CHECKING:
    from .app import Simulator

IMAGES_FOR_MODE = {
    "text_to_video": (0, 0),
    "image_to_video": (1, 1),
    "first_last_frame": (2, 2),
    "multi_ref": (1, 9),
}


class Refused(ValueError):
    def __init__(self, message: str, status: int = 400, code: str = "invalid_parameter") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def routes(sim: Simulator) -> list[Route]:
    async def create(request: Request) -> Response:
        return await guarded(sim, request, "create", OPENAI, lambda call: _create(sim, call))

    async def get(request: Request) -> Response:
        return await guarded(sim, request, "get", OPENAI, lambda call: _get(sim, call))

    return [
        Route("/v1/videos/generations", create, methods=["POST"]),
        Route("/v1/videos/generations/{task_id}", get, methods=["GET"]),
    ]


def _urls(body: dict[str, Any], key: str) -> list[str]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(u, str) and u for u in value):
        raise Refused(f"{key} must be a list of URLs")
    return value


def _check(sim: Simulator, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Refused("the request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise Refused("model is required")
    if model not in OPENAI_MODELS:
        raise Refused(f"The model `{model}` does not exist", 404, "model_not_found")
    images, videos, audios = (_urls(body, k) for k in ("images", "videos", "audios"))
    mode = body.get("mode")
    if mode is None:  # not given: follow the materials
        mode = (
            ("text_to_video", "image_to_video", "first_last_frame")[len(images)]
            if (len(images) <= 2 and not videos and not audios)
            else "multi_ref"
        )
    if mode not in OPENAI_MODES:
        raise Refused(f"mode must be one of {', '.join(OPENAI_MODES)}")
    low, high = IMAGES_FOR_MODE[mode]
    if not low <= len(images) <= high:
        raise Refused(f"mode {mode} takes {low}-{high} images, got {len(images)}")
    if (videos or audios) and mode != "multi_ref":
        raise Refused("videos and audios are only accepted in multi_ref mode")
    prompt = body.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise Refused("prompt must be a string")
    if mode == "text_to_video" and not prompt:
        raise Refused("prompt is required for text_to_video")
    ratio = _choice(body, "ratio", RATIOS, "16:9")
    resolution = _choice(body, "resolution", OPENAI_RESOLUTIONS, "720p")
    _choice(body, "route_mode", OPENAI_ROUTE_MODES, None)
    delivery = _choice(body, "asset_delivery", ("mirror",), None)
    duration = body.get("duration") if body.get("duration") is not None else 5
    if not is_int(duration) or not 4 <= duration <= 15:
        raise Refused("duration must be an integer within [4, 15]")
    callback = body.get("callback_url")
    if callback is not None and (
        not isinstance(callback, str) or not callback.startswith(("http://", "https://"))
    ):
        raise Refused("callback_url must be an http(s) URL")
    if callback is not None and is_local(callback) and not sim.config.allow_local_callbacks:
        raise Refused("callback_url must be a public URL")
    return {
        "model": model,
        "mode": mode,
        "images": images,
        "prompt": prompt or "",
        "ratio": ratio,
        "resolution": resolution,
        "duration": duration,
        "delivery": delivery,
        "callback": callback,
    }


def _choice(body: dict[str, Any], key: str, allowed: tuple[str, ...], default: str | None) -> Any:
    value = body.get(key)
    if value is None:
        return default
    if value not in allowed:
        raise Refused(f"{key} must be one of {', '.join(allowed)}")
    return value


async def _create(sim: Simulator, call: Call) -> Response:
    try:
        body = await json_body(call.request)
        checked = _check(sim, body)
        seen = await _first_frames(sim, checked, call.now)
    except BadJson as exc:
        return openai_error(400, str(exc), "invalid_request_error", "invalid_json")
    except Refused as exc:
        return openai_error(exc.status, str(exc), "invalid_request_error", exc.code)
    marks = directives(checked["prompt"]) | call.flags
    if "moderation" in marks:
        return dialect_error(OPENAI, "moderation", call.request_id)
    task = sim.new_task(
        dialect=OPENAI,
        task_id=sim.store.hex_id("vgt_"),
        model=checked["model"],
        request=body,
        base_url=sim.base_url(call.request),
        callback_url=checked["callback"],
        marks=marks,
    )
    task.info["channel"] = "mirror" if checked["delivery"] == "mirror" else "cdn"
    if task.outcome == FAILED:
        task.error_code, task.error_message = (
            "content_moderation",
            "output video rejected by moderation",
        )
    else:  # shown only if the task expires
        task.error_code, task.error_message = "timeout", "the generation did not finish in time"
    width, height = PIXELS_V2[(checked["resolution"], checked["ratio"])]
    frame_mode = checked["mode"] in ("image_to_video", "first_last_frame")
    plan = VideoPlan(
        width=width,
        height=height,
        frames=FPS * checked["duration"] + 1,
        audio=True,
        color=color_for(checked["prompt"], task.id),
        first_frame=seen[0].data if frame_mode and seen[0] is not None else None,
        last_frame=seen[1].data
        if checked["mode"] == "first_last_frame" and seen[1] is not None
        else None,
    )
    attach_video(sim.assets, task, plan, style="cdn", ttl=CDN_TTL)
    return JSONResponse(
        {
            "task_id": task.id,
            "status": "queued",
            "model": task.model,
            "created_at": int(task.created),
        }
    )


async def _first_frames(sim: Simulator, checked: dict[str, Any], now: float) -> list[Seen | None]:
    out: list[Seen | None] = [None, None]
    for index, url in enumerate(checked["images"][:2]):
        try:
            out[index] = await look(sim.assets, url, "image", now)
        except Unreadable as exc:
            raise Refused(f"images[{index}] {exc}") from exc
    return out


async def _get(sim: Simulator, call: Call) -> Response:
    task = sim.store.get(call.request.path_params["task_id"], OPENAI)
    if task is None:
        return openai_error(404, "task not found", "invalid_request_error", "task_not_found")
    return JSONResponse(openai_task(task, call.now))
