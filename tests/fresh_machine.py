"""The environment of a fresh machine, as the README's commands meet it: no ``uv`` anywhere on
``PATH``, a new empty ``HOME``, and (as ``scripts/test.sh`` leaves it) ``.venv/bin`` first."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"


def fresh_env(home: Path, *, venv_first: bool = True, activated: bool = False) -> dict[str, str]:
    """This process's environment made fresh: no uv on PATH, ``home`` as HOME."""
    dirs = [
        d
        for d in os.environ.get("PATH", "").split(os.pathsep)
        if d and not (Path(d) / "uv").exists() and Path(d) != VENV_BIN
    ]
    if venv_first or activated:
        dirs.insert(0, str(VENV_BIN))
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "XDG_CACHE_HOME")}
    env.update(PATH=os.pathsep.join(dirs), HOME=str(home))
    if activated:  # what `source .venv/bin/activate` sets
        env["VIRTUAL_ENV"] = str(REPO / ".venv")
    return env
