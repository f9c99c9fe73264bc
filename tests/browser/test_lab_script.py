"""The README's first command: ``bash scripts/lab.sh`` serves the quickstart (checked with --check)."""

from __future__ import annotations

import subprocess

from .jupyter import REPO


def test_lab_script_serves_the_quickstart() -> None:
    result = subprocess.run(
        ["bash", "scripts/lab.sh", "--check"],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "OK: notebooks/quickstart.ipynb answered 200" in result.stdout
