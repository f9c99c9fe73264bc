"""Running the simulator as a local HTTP server."""

from __future__ import annotations

import dataclasses

from .app import Simulator
from .config import SimulatorConfig

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    api_key: str | None = None,
    config: SimulatorConfig | None = None,
    log_level: str = "warning",
) -> None:
    """Serve all dialects on one port until interrupted (blocking).

    Only loopback addresses are allowed: the simulator is a test double, not a service.
    A ticker advances tasks and sends callbacks every ~50 ms.

    >>> serve(port=8765)  # then point a client at http://127.0.0.1:8765
    """
    if host not in LOOPBACK:
        raise ValueError(
            f"the simulator only listens on loopback ({', '.join(LOOPBACK)}), not {host!r}"
        )
    import uvicorn

    config = config or SimulatorConfig()
    if api_key is not None:
        config = dataclasses.replace(config, api_key=api_key)
    if config.clock is not None and not hasattr(config.clock, "advance"):
        raise ValueError("a served simulator needs the real clock or a ManualClock")
    simulator = Simulator(config)
    # The app writes its own Date header from the simulator's clock.
    uvicorn.run(
        simulator.app,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="on",
        date_header=False,
    )
