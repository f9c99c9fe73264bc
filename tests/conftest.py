"""Shared fixtures: a set of small real media files, made once per test session."""

from __future__ import annotations

from pathlib import Path

import media_files
import pytest


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Named local media (see ``media_files.make_all``): ``media["video_16s"]`` and so on."""
    return media_files.make_all(tmp_path_factory.mktemp("media"))
