"""``import seedance_nb`` against ``import httpx, pydantic``, each in a fresh interpreter.

The time is taken inside the child around the import statement only (interpreter start-up is
the same for both and would dilute the ratio). The runs alternate so that a noisy neighbour hits
both alike; medians are compared. The child also reports which heavy libraries the import pulled
in: pandas, widgets and media libraries must load lazily.
"""

from __future__ import annotations

import json
import subprocess
import sys

from table import Figure, median

RATIO_GOAL = 1.5
HEAVY = ("pandas", "numpy", "ipywidgets", "anywidget", "IPython", "av", "PIL", "starlette",
         "uvicorn", "httpx", "pydantic", "sqlite3")  # fmt: skip

_CHILD = """
import json, sys, time
start = time.perf_counter()
{statement}
took = time.perf_counter() - start
print(json.dumps({{"seconds": took, "loaded": [m for m in {heavy!r} if m in sys.modules]}}))
"""


def _once(statement: str) -> tuple[float, list[str]]:
    code = _CHILD.format(statement=statement, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return float(data["seconds"]), list(data["loaded"])


def run(quick: bool = False) -> list[Figure]:
    rounds = 5 if quick else 21
    ours: list[float] = []
    theirs: list[float] = []
    first_use: list[float] = []
    loaded: list[str] = []
    used: list[str] = []
    for _ in range(rounds):
        seconds, loaded = _once("import seedance_nb")
        ours.append(seconds)
        theirs.append(_once("import httpx, pydantic")[0])
        seconds, used = _once(
            "import seedance_nb; seedance_nb.VideoRequest; seedance_nb.AsyncSeedance"
        )
        first_use.append(seconds)
    ratio = median(ours) / median(theirs)
    use_ratio = median(first_use) / median(theirs)
    return [
        Figure(
            "import seedance_nb / import httpx, pydantic",
            f"{median(ours) * 1000:.1f} ms / {median(theirs) * 1000:.1f} ms = {ratio:.2f}x",
            f"<= {RATIO_GOAL:g}x",
            ratio <= RATIO_GOAL,
            f"median of {rounds} fresh interpreters each; heavy modules loaded by the import: "
            f"{', '.join(loaded) or 'none'}",
        ),
        Figure(
            "... plus first use (VideoRequest, AsyncSeedance)",
            f"{median(first_use) * 1000:.1f} ms = {use_ratio:.2f}x httpx+pydantic",
            "",
            None,
            "what a notebook's first cell pays (requests, catalog, client, adapters); it loads "
            f"{', '.join(used) or 'nothing heavy'}",
        ),
    ]
