"""A paid result is never skipped silently: a URL just returned is tried before it is called
expired (the provider's timestamps may be old or skewed), and ``seedance submit --wait --out``
that saves nothing exits 1 and says why."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from durability.harness import served_simulator

from seedance_nb.simulator import Simulator, SimulatorConfig
from seedance_nb.status import Status

from .conftest import MakeManager
from .wire import KEY_ENV, small_request

BIN = Path(sys.executable).parent / "seedance"


@pytest.mark.parametrize("skew", [-3 * 86400, -30 * 86400])
async def test_url_stamped_long_ago_is_still_tried_and_saved(make_manager: MakeManager, skew):
    """The provider's clock is days behind ours: by its stamps every URL looks expired on
    arrival, yet the file host serves it. The video is saved, not marked expired unseen."""
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.1, jitter=0.0,
                                    clock=lambda: time.time() + skew))  # fmt: skip
    manager = make_manager(httpx.ASGITransport(app=sim.app))
    task = manager.submit(small_request("ark"), provider="ark")
    await asyncio.wait_for(task._wait_async(None), 20)
    assert task.status is Status.SUCCEEDED
    assert [d["state"] for d in task.downloads] == ["saved"] and len(task.files) == 1


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with served_simulator(queue=0.2, run=0.4) as url:
        yield url


def test_cli_submit_that_saves_nothing_exits_1_and_says_why(served: str, tmp_path: Path):
    # The file host refuses every download (as an expired pre-signed URL would).
    answer = httpx.post(served + "/sim/control/scenario",
                        json={"route": "media", "kind": "forbidden", "count": 50})  # fmt: skip
    assert answer.status_code == 200, answer.text
    env = {k: v for k, v in os.environ.items() if k not in KEY_ENV}
    env["SEEDANCE_HOME"] = str(tmp_path / ".seedance")
    done = subprocess.run(
        [str(BIN), "submit", "--base-url", served + "/api/v3", "-m", "seedance-2.0",
         "--prompt", "a paper boat", "--resolution", "480p", "--duration", "4",
         "--wait", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "succeeded" in done.stdout
    assert "nothing was saved" in done.stderr and "not saved (expired)" in done.stderr
    assert "seedance download" in done.stderr
