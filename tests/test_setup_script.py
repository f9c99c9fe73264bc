"""``scripts/setup.sh`` behaves the same however it is called (issue: the front door).

It is called from ``test.sh`` (``.venv/bin`` first on PATH), from ``lab.sh`` nested inside a test,
from an activated ``.venv``, with or without ``uv``, with a new HOME. In each case it must pick a
base interpreter outside ``.venv`` and never an installer inside it. The cold install itself is
what ``.ci/run`` does on a fresh machine.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from fresh_machine import REPO, fresh_env


def run_setup(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "scripts/setup.sh", *args],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def choice(env: dict[str, str]) -> dict[str, str]:
    result = run_setup(env, "--which")
    assert result.returncode == 0, result.stderr
    return dict(line.split(": ", 1) for line in result.stdout.splitlines())


@pytest.mark.parametrize(
    ("venv_first", "activated"),
    [(False, False), (True, False), (False, True)],
    ids=["plain PATH", ".venv/bin first on PATH", "activated .venv"],
)
def test_base_interpreter_and_installer_are_outside_the_venv(
    tmp_path: Path, venv_first: bool, activated: bool
) -> None:
    chosen = choice(fresh_env(tmp_path / "home", venv_first=venv_first, activated=activated))
    venv = str(REPO / ".venv") + "/"
    python = Path(chosen["python"])
    assert python.is_absolute() and python.exists()
    assert not str(python.resolve()).startswith(venv), chosen
    assert not str(python).startswith(venv), chosen
    # Where uv is used it is a tool outside .venv; without uv, venv + pip from the base python.
    kind, command = chosen["installer"].split(": ", 1)
    assert kind in ("uv", "pip")
    assert venv not in command, chosen


def test_without_uv_the_fallback_is_venv_and_pip(tmp_path: Path) -> None:
    env = fresh_env(tmp_path / "home") | {"SEEDANCE_SETUP_UV": "never"}
    chosen = choice(env)
    assert chosen["installer"] == f"pip: {chosen['python']} -m venv"


@pytest.mark.parametrize("activated", [False, True], ids=["venv first", "activated"])
def test_a_current_setup_changes_nothing(tmp_path: Path, activated: bool) -> None:
    stamp = REPO / ".venv" / ".seedance-setup-stamp"
    before = stamp.stat().st_mtime_ns
    result = run_setup(fresh_env(tmp_path / "home", activated=activated))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # nothing installed, nothing bootstrapped
    assert stamp.stat().st_mtime_ns == before
    # no tool was ever installed into the project's virtualenv
    assert not (REPO / ".venv" / "bin" / "uv").exists()
    assert not list((REPO / ".venv").glob("lib/python*/site-packages/uv"))


def test_unknown_argument_is_refused(tmp_path: Path) -> None:
    result = run_setup(fresh_env(tmp_path / "home"), "--frob")
    assert result.returncode == 2
    assert "unknown argument: --frob" in result.stderr
