"""A corrupt, locked or unwritable history gets a clear error naming the file and the fix, the
CLI exits 3, and nothing is sent (a paid task without a durable row could be lost)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from seedance_nb.cli.main import main
from seedance_nb.errors import HistoryError
from seedance_nb.lifecycle import History, set_manager
from seedance_nb.local_simulator import use_simulator
from seedance_nb.simulator import Simulator, SimulatorConfig

from .conftest import MakeManager
from .wire import Recorder, small_request


def corrupt(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "history.sqlite3"
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 200)
    return path


async def test_corrupt_history_is_named_and_nothing_is_sent(make_manager: MakeManager, sim,
                                                            tmp_path):  # fmt: skip
    path = corrupt(tmp_path / "home")
    wire = Recorder(httpx.ASGITransport(app=sim.app))
    manager = make_manager(wire, home=tmp_path / "home")
    with pytest.raises(HistoryError) as caught:
        manager.submit(small_request("ark"), provider="ark")
    text = str(caught.value)
    assert str(path) in text and "corrupt" in text and "Fix" in text and "nothing was sent" in text
    assert caught.value.__cause__ is None and caught.value.path == str(path)
    assert wire.log == [] and sim.tasks_created() == 0


async def test_locked_history_is_named_and_nothing_is_sent(make_manager: MakeManager, sim,
                                                           tmp_path):  # fmt: skip
    home = tmp_path / "home"
    healthy = History(home)
    assert healthy.frame().empty  # a healthy database ...
    healthy.close()
    holder = sqlite3.connect(home / "history.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # ... that another process keeps locked
    try:
        wire = Recorder(httpx.ASGITransport(app=sim.app))
        manager = make_manager(wire, history=History(home, busy_timeout=0.2))
        with pytest.raises(HistoryError, match="locked") as caught:
            manager.submit(small_request("ark"), provider="ark")
        assert "history.sqlite3" in str(caught.value) and "Fix" in str(caught.value)
        assert wire.log == [] and sim.tasks_created() == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()


async def test_history_folder_that_is_a_file(make_manager: MakeManager, sim, tmp_path):
    home = tmp_path / "home"
    home.write_text("a file where the folder should be")
    wire = Recorder(httpx.ASGITransport(app=sim.app))
    manager = make_manager(wire, home=home)
    with pytest.raises(HistoryError, match="Fix") as caught:
        manager.submit(small_request("ark"), provider="ark")
    assert str(home) in str(caught.value)
    assert wire.log == []


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path / ".seedance"
    monkeypatch.setenv("SEEDANCE_HOME", str(home))
    sim = Simulator(SimulatorConfig(queue_seconds=0.05, run_seconds=0.1))
    use_simulator(sim)
    set_manager(None)
    yield home, sim
    set_manager(None)
    use_simulator(None)


def test_cli_exits_3_on_a_corrupt_history(cli_home, capsys):
    home, sim = cli_home
    path = corrupt(home)
    code = main(["submit", "-m", "seedance-2.0", "--prompt", "a fox", "--resolution", "480p",
                 "--duration", "4"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 3, err
    assert str(path) in err and "Fix" in err and "Traceback" not in err
    assert sim.tasks_created() == 0
    assert main(["history"]) == 3
