"""Fixtures for the notebook face: an IPython shell that re-raises, and a fake task manager."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from notebook_fakes import FakeManager

from seedance_nb.notebook import display


@pytest.fixture
def manager() -> FakeManager:
    return FakeManager()


@pytest.fixture
def shell(manager: FakeManager, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A real IPython shell with the magics on a fake manager; errors propagate to the test."""
    from seedance_nb.notebook.magics import SeedanceMagics

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)  # the notebook folder is tmp_path
    ip = InteractiveShell.instance()
    ip.register_magics(SeedanceMagics(ip, manager=manager))
    display.install(ip)
    names = set(ip.user_ns)
    yield ip
    display.uninstall(ip)
    for name in set(ip.user_ns) - names:
        del ip.user_ns[name]


@pytest.fixture(autouse=True)
def _fresh_displays() -> Iterator[None]:
    yield
    for entry in list(display._entries.values()):
        display.forget(entry.task)
        if entry.card is not None:
            entry.card.close()
