"""An offline stand-in for the Seedance/Seedream APIs, returning real synthetic media.

It speaks three dialects on one ASGI app — ModelArk v3 (``/api/v3`` and ``/byteplus/api/v3``),
the task API (``/api/v1/task``) and the OpenAI-style route (``/v1/videos/generations``) — plus
Seedream image generation, media files under ``/sim/media`` and test controls under
``/sim/control``. It imports nothing from the rest of ``seedance_nb``: it implements the wire
formats from the API documents, so the package's adapters and the simulator check each other.

>>> sim = Simulator(SimulatorConfig(queue_seconds=1, run_seconds=2, clock=ManualClock()))
>>> client = httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url="http://sim")
>>> sim.push_scenario(route="create", kind="rate_limit")  # next create answers 429
>>> await sim.tick()                                      # deliver due callbacks
>>> serve(port=8765)                                      # or run it on 127.0.0.1
"""

from .app import Simulator
from .clock import ManualClock
from .config import SimulatorConfig
from .server import serve

__all__ = ["ManualClock", "Simulator", "SimulatorConfig", "serve"]
