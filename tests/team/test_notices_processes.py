"""Change notices between two processes: a member's card follows a task another process runs."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from managers import build_manager

from seedance_nb.simulator import Simulator, SimulatorConfig
from seedance_nb.status import Status

from .pg_server import _free_port
from .test_notices import Counting, statuses

CHILD = Path(__file__).with_name("notice_child.py")


@pytest.fixture
def served_sim() -> Iterator[str]:
    """The simulator over real HTTP on 127.0.0.1; a task queues 1.5 s and runs 1.5 s."""
    sim = Simulator(SimulatorConfig(queue_seconds=1.5, run_seconds=1.5, jitter=0.0))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(sim.app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the simulator did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/api/v3"
    server.should_exit = True
    thread.join(timeout=10)


async def test_a_card_follows_a_task_another_process_runs(pg_url, served_sim, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEEDANCE_", "ARK_"))}
    env.update(SEEDANCE_HISTORY=pg_url, SEEDANCE_MEMBER="ada", SEEDANCE_PROVIDER="ark",
               SEEDANCE_BASE_URL=served_sim, SEEDANCE_HOME=str(tmp_path / "ada"))  # fmt: skip
    child = subprocess.Popen([sys.executable, str(CHILD)], stdout=subprocess.PIPE, text=True,
                             env=env, stdin=subprocess.DEVNULL)  # fmt: skip
    counting = Counting(httpx.AsyncHTTPTransport())
    bo = build_manager(pg_url, counting)
    try:
        assert child.stdout is not None
        line = await asyncio.to_thread(child.stdout.readline)
        uid = json.loads(line)["uid"]
        mirror = bo.task(uid)
        assert mirror.owned_elsewhere and mirror.owned_elsewhere.split(":")[1] == str(child.pid)
        seen: list[Any] = [mirror.status and mirror.status.value]
        mirror.observe(lambda t: seen.append(t.status and t.status.value))
        await asyncio.wait_for(mirror, 60)
        out = json.loads(await asyncio.to_thread(child.stdout.readline))
        assert out["status"] == "succeeded"
        assert mirror.status is Status.SUCCEEDED and [str(p) for p in mirror.files] == out["files"]
        assert statuses(seen)[-2:] == ["running", "succeeded"]
        assert counting.requests == 0
        assert await asyncio.to_thread(child.wait, 30) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()
        await bo.aclose()
