"""Seedream on ModelArk: synchronous POST /images/generations, JSON or SSE (FACTS §3)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .envelopes import ARK, ark_error, dialect_error
from .guard import BadJson, Call, guarded, json_body
from .inputs import Unreadable, look
from .media import ImagePlan, color_for, image_size
from .outputs import ARK_TTL, add_images, ark_url
from .routes_ark import PREFIXES
from .rules_seedream import SeedreamRequest, parse_images
from .scenarios import directives
from .tables import SEEDREAM_2K, closest_ratio, seedream_size
from .values import Invalid, invalid

if TYPE_CHECKING:
    from .app import Simulator

OUTPUT_MODERATION = "OutputImageSensitiveContentDetected"
OUTPUT_MODERATION_MESSAGE = (
    "The request failed because the output image may contain sensitive information."
)


def routes(sim: Simulator) -> list[Route]:
    async def generate(request: Request) -> Response:
        return await guarded(sim, request, "images", ARK, lambda call: _generate(sim, call))

    return [
        Route(prefix + "/images/generations", generate, methods=["POST"]) for prefix in PREFIXES
    ]


async def _generate(sim: Simulator, call: Call) -> Response:
    try:
        body = await json_body(call.request)
        request = parse_images(body)
        base = await _first_reference(sim, request, call.now)
    except BadJson:
        message = "The request body is not valid JSON."
        return ark_error(400, "InvalidParameter", message, call.request_id, "body")
    except Invalid as exc:
        return ark_error(exc.status, exc.code, exc.message, call.request_id, exc.param)
    marks = directives(request.prompt) | call.flags
    if "moderation" in marks:
        return dialect_error(ARK, "moderation", call.request_id)
    if "output_moderation" in marks and not request.sequential:
        return ark_error(400, OUTPUT_MODERATION, OUTPUT_MODERATION_MESSAGE, call.request_id)
    plans = _plans(sim, request, base)
    sim.store.count("ark-images")
    stem = f"seedream-{sim.store.hex_id('')}"
    names = add_images(sim.assets, stem, plans, style="tos", start=call.now, ttl=ARK_TTL)
    failed = {len(plans) - 1} if "output_moderation" in marks else set()
    items = []
    for index, (plan, name) in enumerate(zip(plans, names, strict=True)):
        if index in failed:
            items.append(
                {"error": {"code": OUTPUT_MODERATION, "message": OUTPUT_MODERATION_MESSAGE}}
            )
            continue
        item: dict[str, Any] = {"size": f"{plan.width}x{plan.height}"}
        if request.response_format == "b64_json":
            asset = sim.assets.get(name)
            assert asset is not None
            data = await sim.assets.read(asset)
            item["b64_json"] = base64.b64encode(data).decode()
        else:
            item["url"] = ark_url(sim.base_url(call.request), name, call.now)
        items.append(item)
    made = [p for i, p in enumerate(plans) if i not in failed]
    tokens = sum(p.width * p.height // 256 for p in made)
    usage = {"generated_images": len(made), "output_tokens": tokens, "total_tokens": tokens}
    created = int(call.now)
    if request.stream:
        return StreamingResponse(
            _events(request.model, created, items, usage), media_type="text/event-stream"
        )
    return JSONResponse({"model": request.model, "created": created, "data": items, "usage": usage})


async def _first_reference(sim: Simulator, request: SeedreamRequest, now: float) -> bytes | None:
    first: bytes | None = None
    for index, url in enumerate(request.images):
        try:
            seen = await look(sim.assets, url, "image", now)
        except Unreadable as exc:
            raise invalid(f"image[{index}]", str(exc)) from exc
        if seen is not None and first is None:
            first = seen.data
    return first


def _plans(sim: Simulator, request: SeedreamRequest, base: bytes | None) -> list[ImagePlan]:
    if request.explicit is not None:
        width, height = request.explicit
    else:
        ratio = "1:1"
        if base is not None:
            size = image_size(base)
            if size is not None:
                ratio = closest_ratio(size[0], size[1], ratios=tuple(SEEDREAM_2K))
        width, height = seedream_size(request.tier or "2K", ratio)
    seed = request.seed if request.seed != -1 else sim.store.random_seed(2**31)
    color = color_for(request.prompt, seed)
    fmt = "jpeg" if request.output_format == "jpeg" else "png"
    return [ImagePlan(width, height, color, base, index, fmt) for index in range(request.count)]


async def _events(
    model: str, created: int, items: list[dict[str, Any]], usage: dict[str, Any]
) -> AsyncIterator[bytes]:
    """SSE in the SDK's event names; one event per image, then the usage."""
    for index, item in enumerate(items):
        kind = "partial_failed" if "error" in item else "partial_succeeded"
        event = {
            "type": f"image_generation.{kind}",
            "model": model,
            "created": created,
            "image_index": index,
            **item,
        }
        yield _sse(event)
        await asyncio.sleep(0)
    yield _sse(
        {"type": "image_generation.completed", "model": model, "created": created, "usage": usage}
    )
    yield b"data: [DONE]\n\n"


def _sse(event: dict[str, Any]) -> bytes:
    return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()
