"""Every usage error of ``seedance`` is one line on stderr with its documented exit code (2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "seedance"


def run(tmp_path: Path, *argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("ARK_API_KEY", "MAXAPI_KEY")}
    done = subprocess.run(
        [str(BIN), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        cwd=tmp_path,
        env={**base, "SEEDANCE_HOME": str(tmp_path / ".seedance"), **(env or {})},
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["download", "nope"], "no task 'nope'"),
        (["download", "#99"], "no task '#99'"),
        (["status"], "the following arguments are required: task_id"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["submit", "--duration", "x"], "invalid int value: 'x'"),
        (["history", "--limit"], "expected one argument"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_usage_error_is_one_line_with_exit_2(tmp_path: Path, argv: list[str], says: str) -> None:
    code, out, err = run(tmp_path, *argv)
    assert code == 2, err
    assert out == ""
    assert says in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


def test_demo_without_its_runner_names_the_extra(tmp_path: Path) -> None:
    # A plain `pip install seedance_nb` has no notebook runner: hide nbclient as such an install would.
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\n"
        "class _Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('nbclient', 'nbconvert'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, _Hide())\n"
    )
    code, _out, err = run(tmp_path, "demo", env={"PYTHONPATH": str(blocker)})
    assert code == 2, err
    assert "pip install 'seedance_nb[demo]'" in err
    assert "nbclient" in err and "Traceback" not in err
    assert not list(tmp_path.glob("seedance-demo-*")), "nothing is created when the demo cannot run"
