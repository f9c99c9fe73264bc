"""Shared fixtures: a set of small real media files, made once per test session.

The session also fails if a process it started outlives it (a served simulator, a kernel, a
Lab server left running): every fixture must stop what it starts.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import media_files
import psutil
import pytest

GRACE_SECONDS = 5.0  # a child that is still shutting down when the run ends gets this long


@pytest.fixture(autouse=True)
def _user_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """User files (prices.toml, catalog.toml) come from an empty folder, never the real home."""
    monkeypatch.setenv("SEEDANCE_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Named local media (see ``media_files.make_all``): ``media["video_16s"]`` and so on."""
    return media_files.make_all(tmp_path_factory.mktemp("media"))


def leftover_children(grace: float = GRACE_SECONDS) -> list[psutil.Process]:
    """Child processes of this run still alive ``grace`` seconds from now (zombies excluded:
    they have exited and only wait to be reaped)."""

    def alive(proc: psutil.Process) -> bool:
        try:
            return proc.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    children = [p for p in psutil.Process().children(recursive=True) if alive(p)]
    _, still = psutil.wait_procs(children, timeout=grace)
    return [p for p in still if alive(p)]


def _describe(proc: psutil.Process) -> str:
    try:
        return f"pid {proc.pid}: {' '.join(proc.cmdline())[:300]}"
    except psutil.Error:
        return f"pid {proc.pid}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    left = leftover_children()
    if not left:
        return
    lines = "\n".join(f"  {_describe(p)}" for p in left)
    message = (
        f"\n{len(left)} process(es) started by the tests outlived the run (a fixture did not "
        f"stop what it started); they are killed now:\n{lines}\n"
    )
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(message, red=True)
    else:
        print(message)
    for proc in left:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def byteplus_price(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's BytePlus price for seedance-2.0 (none is built in), so budgets count money."""
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    (folder / "prices.toml").write_text(
        '[[price]]\nregion = "byteplus"\nmodel = "seedance-2.0"\ncurrency = "USD"\n'
        "per_million_tokens = 7.0\n"
    )
    monkeypatch.setenv("SEEDANCE_CONFIG_DIR", str(folder))
