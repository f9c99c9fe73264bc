"""The receiver's web app: ``POST /seedance/callback/<uid>/<secret>`` and ``GET /healthz``.

Run by ``seedance callbacks serve`` under uvicorn, behind the team's HTTPS reverse proxy. Every
other path answers 404. uvicorn's access log is off (request paths hold secrets); the receiver
logs each outcome itself, with the task's uid, never its secret.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .handling import DEFAULT_MIN_GAP, Receiver
from .tokens import PATH_PREFIX

if TYPE_CHECKING:
    import socket

    from ..lifecycle.manager import TaskManager

log = logging.getLogger("seedance_nb.callbacks")

MAX_BODY = 1024 * 1024


def build_app(receiver: Receiver) -> Starlette:
    """The ASGI app for ``receiver`` (its manager is bound to the serving loop at startup)."""

    async def callback(request: Request) -> JSONResponse:
        uid = int(request.path_params["uid"])
        secret = str(request.path_params["secret"])
        size = request.headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > MAX_BODY):
            return JSONResponse({"ok": False}, status_code=413)
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return JSONResponse({"ok": False}, status_code=413)
        try:
            body = json.loads(raw.decode("utf-8-sig")) if raw else None
        except ValueError:
            log.warning("callback for task #%s refused: its body is not JSON", uid)
            return JSONResponse({"ok": False}, status_code=400)
        status = await receiver.handle(uid, secret, body)
        return JSONResponse({"ok": status == 200}, status_code=status)

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True, "counts": dict(receiver.counts)})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        receiver.manager.start()  # bind the manager to this loop
        try:
            yield
        finally:
            await receiver.aclose()

    routes = [
        Route(PATH_PREFIX + "{uid:int}/{secret:str}", callback, methods=["POST"]),
        Route("/healthz", health, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def uvicorn_server(
    app: Any, *, host: str = "127.0.0.1", port: int = 8787, log_level: str = "warning"
) -> Any:
    """A uvicorn server for ``app`` with the access log off (paths hold secrets)."""
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False,
                            lifespan="on", proxy_headers=True)  # fmt: skip
    return uvicorn.Server(config)


async def serve(
    manager: TaskManager,
    *,
    host: str = "127.0.0.1",
    port: int = 8787,
    min_gap: float = DEFAULT_MIN_GAP,
    sockets: list[socket.socket] | None = None,
) -> None:
    """Receive callbacks for ``manager``'s history until cancelled."""
    receiver = Receiver(manager, min_gap=min_gap)
    server = uvicorn_server(build_app(receiver), host=host, port=port)
    await server.serve(sockets=sockets)
