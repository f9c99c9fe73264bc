"""A budget cap holds across every member of a shared PostgreSQL ledger: processes submitting at
the same moment never overshoot it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

import seedance_nb as sd
from seedance_nb.lifecycle import open_history
from seedance_nb.simulator import Simulator, SimulatorConfig

from .pg_server import _free_port

CHILD = Path(__file__).with_name("budget_child.py")
MEMBERS, SUBMITS, FITS = 3, 20, 10


@pytest.fixture
def served_sim() -> Iterator[tuple[Simulator, str]]:
    """The simulator over real HTTP on 127.0.0.1 (tasks stay queued: nothing finishes and
    frees budget while the members submit)."""
    sim = Simulator(SimulatorConfig(queue_seconds=600, run_seconds=600, jitter=0.0))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(sim.app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the simulator did not start"
        time.sleep(0.02)
    yield sim, f"http://127.0.0.1:{port}/api/v3"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.slow
def test_members_submitting_at_once_never_pass_a_shared_cap(pg_url, served_sim, tmp_path):
    sim, base_url = served_sim
    tokens = sd.estimate(sd.VideoRequest(prompt="a fox, take 0", duration=5), "ark").tokens
    assert tokens
    cap = FITS * tokens + tokens // 2  # room for ten, not eleven
    go = tmp_path / "go"
    children = []
    for i in range(MEMBERS):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SEEDANCE_", "ARK_"))}
        env.update(SEEDANCE_HISTORY=pg_url, SEEDANCE_MEMBER=f"member{i}",
                   SEEDANCE_PROVIDER="ark", SEEDANCE_BASE_URL=base_url,
                   SEEDANCE_HOME=str(tmp_path / f"home{i}"))  # fmt: skip
        children.append(subprocess.Popen(
            [sys.executable, str(CHILD), str(go), str(SUBMITS), str(cap)],
            stdout=subprocess.PIPE, text=True, env=env, stdin=subprocess.DEVNULL,
        ))  # fmt: skip
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "READY"
        go.touch()  # all three start submitting now
        reports = []
        for child in children:
            out, _ = child.communicate(timeout=120)
            assert child.returncode == 0
            reports.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    assert sum(r["admitted"] for r in reports) == FITS
    assert sum(r["refused"] for r in reports) == MEMBERS * SUBMITS - FITS
    assert sim.tasks_created() == FITS  # exactly ten creates reached the provider
    assert all(r["rows"] == FITS for r in reports)  # every member sees every row
    frame = open_history(pg_url).frame()
    assert len(frame) == FITS and frame["id"].notna().all()
    submitted = {f"member{i}": r["admitted"] for i, r in enumerate(reports)}
    assert frame["member"].value_counts().to_dict() == {k: v for k, v in submitted.items() if v}
