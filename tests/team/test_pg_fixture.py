"""Where no PostgreSQL server can be started, the team tests fail in CI and skip loudly elsewhere,
and leave nothing behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ONE = "tests/team/test_history_backend.py::test_a_manager_takes_a_url_as_its_home"
ROOT = Path(__file__).resolve().parents[2]


def _run(ci: bool, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["TMPDIR"] = str(tmp)  # what the run leaves behind is seen here, not other runs' servers
    env["SEEDANCE_PG_BINDIR"] = "/nonexistent/postgresql/bin"  # as if it were not installed
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", ONE, "-q", "-rs", "-p",
                           "no:cacheprovider"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)  # fmt: skip


@pytest.mark.slow
def test_no_server_fails_in_ci_and_skips_loudly_elsewhere(tmp_path: Path):
    in_ci, elsewhere = _run(ci=True, tmp=tmp_path), _run(ci=False, tmp=tmp_path)
    assert in_ci.returncode == 1, in_ci.stdout
    assert "NO POSTGRESQL SERVER" in in_ci.stdout and "1 error" in in_ci.stdout
    assert elsewhere.returncode == 0, elsewhere.stdout
    assert "1 skipped" in elsewhere.stdout and "NO POSTGRESQL SERVER" in elsewhere.stdout
    assert "initdb" in elsewhere.stdout  # the reason names what could not run
    assert list(tmp_path.glob("seedance-pg-*")) == []
