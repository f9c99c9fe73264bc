"""The account's queued-task cap (ModelArk: 120 per account) and the creates per minute hold
across every member of a shared PostgreSQL ledger, counted from the ledger rather than per
process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seedance_nb.simulator import SimulatorConfig

from .served import CREATE, served
from .test_lease_takeover import _child, _env, _stop

MEMBERS, SUBMITS, CAP = 3, 5, 4


def _created(pg_url: str, tmp_path: Path, *limits: str) -> tuple[list[dict], int, int]:
    """Each member submits SUBMITS with these limits; what each created, and what reached the
    simulator (creates counted at the server and by it)."""
    # Tasks stay queued upstream: none leaves the queue to free a slot while the members submit.
    config = SimulatorConfig(queue_seconds=600, run_seconds=600, jitter=0.0)
    with served(config) as (simulator, base_url, counted):
        children = [_child(_env(pg_url, base_url, tmp_path / f"m{i}", f"member{i}"), "queue",
                           str(SUBMITS), *limits) for i in range(MEMBERS)]  # fmt: skip
        try:
            reports = []
            for child in children:
                assert child.stdout is not None
                assert child.stdout.readline().strip() == "READY"
            for child in children:
                assert child.stdout is not None
                reports.append(json.loads(child.stdout.readline()))
            created = simulator.tasks_created()
        finally:
            for child in children:
                _stop(child)
    return reports, created, counted.hits[CREATE]


@pytest.mark.slow
def test_members_together_keep_the_accounts_queue_cap(pg_url, tmp_path: Path):
    reports, created, posts = _created(pg_url, tmp_path, str(CAP))
    assert sum(r["created"] for r in reports) == CAP  # the others wait for a slot
    assert created == CAP and posts == CAP


@pytest.mark.slow
def test_members_together_keep_the_creates_per_minute(pg_url, tmp_path: Path):
    reports, created, posts = _created(pg_url, tmp_path, "120", str(CAP))
    assert sum(r["created"] for r in reports) == CAP  # the rest wait for the minute to pass
    assert created == CAP and posts == CAP
