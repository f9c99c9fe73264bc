"""Serving media files (with expiry by the simulator clock) and accepting test uploads."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .assets import Asset
from .envelopes import ARK, MAXAPI, OPENAI, media_expired, media_missing, new_request_id
from .materials import EXT_FOR_TYPE
from .scenarios import POST_KINDS, PRE_KINDS, post_response, pre_response

if TYPE_CHECKING:
    from .app import Simulator

CHANNEL_DIALECT = {"tos": ARK, "cdn": MAXAPI, "mirror": OPENAI}
RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


def routes(sim: Simulator) -> list[Route]:
    async def media(request: Request) -> Response:
        return await _media(sim, request)

    async def upload(request: Request) -> Response:
        return await _upload(sim, request)

    return [
        Route("/sim/media/{name}", media, methods=["GET", "HEAD"]),
        Route("/sim/media/{channel}/{name}", media, methods=["GET", "HEAD"]),
        Route("/sim/uploads", upload, methods=["POST"]),
    ]


async def _media(sim: Simulator, request: Request) -> Response:
    name = request.path_params["name"]
    channel = request.path_params.get("channel", "cdn")
    style = "tos" if channel == "tos" else "cdn"
    request_id = new_request_id()
    now = sim.now()
    scenario = sim.scenarios.take("media", CHANNEL_DIALECT.get(channel, MAXAPI))
    if scenario is not None and scenario.kind in PRE_KINDS:
        return pre_response(scenario, CHANNEL_DIALECT.get(channel, MAXAPI), request_id)
    asset = sim.assets.get(name)
    if asset is None or now < asset.available_from:
        return media_missing(style, request_id)
    if asset.expires_at is not None and now > asset.expires_at:
        return media_expired(style, request_id)
    response = await _serve(sim, request, asset)
    if scenario is not None and scenario.kind in POST_KINDS:
        response = await post_response(scenario, response)
    return response


async def _serve(sim: Simulator, request: Request, asset: Asset) -> Response:
    data = await sim.assets.read(asset)
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, max-age=86400"}
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(data))
        return Response(b"", media_type=asset.content_type, headers=headers)
    match = RANGE.match(request.headers.get("range", ""))
    if match and (match.group(1) or match.group(2)):
        start_s, end_s = match.groups()
        if start_s:
            start, end = int(start_s), int(end_s) if end_s else len(data) - 1
        else:  # a suffix range: the last N bytes
            start, end = max(0, len(data) - int(end_s)), len(data) - 1
        end = min(end, len(data) - 1)
        if start > end:
            headers["Content-Range"] = f"bytes */{len(data)}"
            return Response(b"", status_code=416, headers=headers)
        headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        return Response(data[start : end + 1], 206, headers, media_type=asset.content_type)
    return Response(data, media_type=asset.content_type, headers=headers)


async def _upload(sim: Simulator, request: Request) -> Response:
    """Raw bytes in, a simulator URL out; the name carries an extension for the content type."""
    data = await request.body()
    if not data:
        return JSONResponse({"error": "empty upload"}, status_code=400)
    content_type = request.headers.get("content-type", "application/octet-stream")
    content_type = content_type.split(";")[0].strip().lower()
    ext = EXT_FOR_TYPE.get(content_type, "")
    name = f"upload-{sim.store.hex_id('')}{ext}"
    sim.assets.add(Asset(name, content_type, "cdn", available_from=0.0, expires_at=None, data=data))
    url = f"{sim.base_url(request)}/sim/media/{name}"
    return JSONResponse({"url": url, "content_type": content_type, "size": len(data)})
