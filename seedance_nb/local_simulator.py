"""The in-process simulator used when no API key is configured.

One simulator per process, made on first use (never at import), so every client in a kernel sees
the same tasks. Its timings can be set with ``SEEDANCE_SIM_QUEUE_SECONDS`` and
``SEEDANCE_SIM_RUN_SECONDS``, or replaced entirely with :func:`use_simulator`.
"""

from __future__ import annotations

import base64
import os
from typing import TYPE_CHECKING, Any

import httpx

from .config import SIMULATOR_HOST

if TYPE_CHECKING:
    from .requests import ImageRequest, VideoRequest
    from .simulator import Simulator

_shared: Simulator | None = None


def shared_simulator() -> Simulator:
    """The process's in-process simulator, created on first use."""
    global _shared
    if _shared is None:
        from .simulator import Simulator, SimulatorConfig

        _shared = Simulator(
            SimulatorConfig(
                queue_seconds=float(os.environ.get("SEEDANCE_SIM_QUEUE_SECONDS", "2")),
                run_seconds=float(os.environ.get("SEEDANCE_SIM_RUN_SECONDS", "6")),
            )
        )
    return _shared


def use_simulator(simulator: Simulator | None) -> None:
    """Replace the in-process simulator (tests pass one with a fake clock); None resets it."""
    global _shared
    _shared = simulator


def simulator_transport() -> httpx.AsyncBaseTransport:
    return httpx.ASGITransport(app=shared_simulator().app)


async def upload_local_materials(
    http: httpx.AsyncClient, request: VideoRequest | ImageRequest, provider: str
) -> Any:
    """Local files a dialect only takes by URL are uploaded to the simulator first.

    Against a real API the validator refuses such requests (the user must host the file); the
    simulator offers an upload endpoint so offline notebooks can use local video and audio.
    """
    from .validation import needs_url

    field = "images" if request.kind == "image" else "materials"
    materials = list(getattr(request, field))
    changed = False
    for index, material in enumerate(materials):
        if not needs_url(material, provider):
            continue
        header, _, payload = material.to_data_url().partition(",")
        mime = header[5:].split(";")[0]
        response = await http.post(
            SIMULATOR_HOST + "/sim/uploads",
            content=base64.b64decode(payload),
            headers={"Content-Type": mime},
        )
        response.raise_for_status()
        materials[index] = material.model_copy(update={"source": response.json()["url"]})
        changed = True
    return request.with_changes(**{field: materials}) if changed else request
