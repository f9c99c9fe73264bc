"""The README's first command: ``bash scripts/lab.sh`` serves the quickstart (checked with --check),
also as a fresh machine runs it: no uv on PATH, a new HOME, ``.venv/bin`` first on PATH."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fresh_machine import REPO, fresh_env


def test_lab_script_serves_the_quickstart_on_a_fresh_machine(tmp_path: Path) -> None:
    result = subprocess.run(
        ["bash", "scripts/lab.sh", "--check"],
        cwd=REPO,
        env=fresh_env(tmp_path / "home"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "OK: notebooks/quickstart.ipynb answered 200" in result.stdout
