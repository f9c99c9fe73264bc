"""Temporary files of downloads killed long ago are swept on resume; live ones are left alone."""

from __future__ import annotations

import os
import time
from pathlib import Path

from seedance_nb.lifecycle.reconcile import PARTIAL_MAX_AGE, sweep_partial_files


def test_old_partials_go_fresh_ones_and_finished_files_stay(tmp_path: Path) -> None:
    old = tmp_path / ".part-killed"
    fresh = tmp_path / ".part-another-kernel-is-writing"
    final = tmp_path / "task-1-video.mp4"
    for path in (old, fresh, final):
        path.write_bytes(b"\0\0\0\x18ftypmp42")
    long_ago = time.time() - PARTIAL_MAX_AGE - 60
    os.utime(old, (long_ago, long_ago))
    os.utime(final, (long_ago, long_ago))
    assert sweep_partial_files(tmp_path) == 1
    assert not old.exists() and fresh.exists() and final.exists()


def test_missing_folder_is_fine(tmp_path: Path) -> None:
    assert sweep_partial_files(tmp_path / "not-yet") == 0
