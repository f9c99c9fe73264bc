"""Shared fixtures: a set of small real media files, made once per test session."""

from __future__ import annotations

from pathlib import Path

import media_files
import pytest


@pytest.fixture(autouse=True)
def _user_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """User files (prices.toml, catalog.toml) come from an empty folder, never the real home."""
    monkeypatch.setenv("SEEDANCE_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Named local media (see ``media_files.make_all``): ``media["video_16s"]`` and so on."""
    return media_files.make_all(tmp_path_factory.mktemp("media"))
