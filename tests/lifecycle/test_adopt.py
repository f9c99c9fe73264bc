"""The user decides a lost create: ``adopt(id)``, ``%seedance adopt ID`` and ``seedance adopt ID``
take a listed candidate and polling takes over; an id listed by two rows needs the row named."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.error import UsageError

from seedance_nb.cli.main import main
from seedance_nb.lifecycle import get_manager, set_manager
from seedance_nb.local_simulator import use_simulator
from seedance_nb.notebook.magics import SeedanceMagics
from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import Simulator, SimulatorConfig
from seedance_nb.status import Status


@pytest.fixture
def two_unknown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple]:
    """Two identical creates whose answers were lost: two rows, each listing both tasks."""
    monkeypatch.setenv("SEEDANCE_HOME", str(tmp_path / ".seedance"))
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.1, jitter=0.0))
    use_simulator(sim)
    set_manager(None)
    sim.push_scenario(route="create", kind="lost_response", mode="502", count=2)
    manager = get_manager()
    manager.reconcile_delays = (0.5, 1.0)  # both creates are out before the first look
    request = VideoRequest(prompt="a red fox", resolution="480p", duration=4, seed=9)
    a, b = manager.submit(request), manager.submit(request)
    a.wait(timeout=30)
    b.wait(timeout=30)
    try:
        yield manager, a, b
    finally:
        manager.close()
        set_manager(None)
        use_simulator(None)


def test_cli_adopt_needs_the_row_when_two_list_the_id(two_unknown, capsys):
    _, a, b = two_unknown
    assert a.status is Status.UNKNOWN and sorted(a.candidates) == sorted(b.candidates)
    first, second = sorted(a.candidates)
    assert main(["adopt", first]) == 2
    assert f"#{a.uid}" in capsys.readouterr().err
    assert main(["adopt", first, "--uid", str(a.uid), "--wait"]) == 0
    # Now only b lists the other id: the id alone is enough.
    assert main(["adopt", second, "--wait", "--json"]) == 0
    assert (a.id, b.id) == (first, second)
    assert a.status is Status.SUCCEEDED and b.status is Status.SUCCEEDED
    assert main(["adopt", first]) == 2  # already adopted: refused, nothing changes


def test_magic_adopt_takes_a_listed_candidate(two_unknown):
    manager, a, b = two_unknown
    magics = SeedanceMagics(shell=None, manager=manager)
    first, second = sorted(a.candidates)
    with pytest.raises(UsageError, match="say which"):
        magics.seedance(f"adopt {first}")
    magics.seedance(f"adopt {a.uid} {first}")
    shown = magics.seedance(f"adopt {second}")
    assert a.id == first and b.id == second
    assert shown is b or getattr(shown, "task", None) is b
