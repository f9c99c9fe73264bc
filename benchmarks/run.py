"""Measure every figure of issue 5 in one run and print them beside their goals.

    .venv/bin/python benchmarks/run.py            # the full run (a few minutes)
    .venv/bin/python benchmarks/run.py --quick    # a smoke run for CI (under a minute)
    .venv/bin/python benchmarks/run.py --trials 100 --only durability

Machines are noisy: every figure is a median or a ratio measured within this one run, and the
run's command, machine and time are printed with the table. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import logging
import os
import platform
import sys
import time
import traceback
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from table import Figure, render
from wiring import KEY_ENV

# name -> module; the order keeps the subprocess-timed figures away from the busy ones.
BENCHES = {
    "import": "bench_import",
    "submit": "bench_submit",
    "history": "bench_history",
    "notebook": "bench_notebook",
    "simulator": "bench_simulator",
    "loop_lag": "bench_loop_lag",
    "polling": "bench_polling",
    "doorbell": "bench_doorbell",
    "callbacks": "bench_callbacks",
    "notices": "bench_notices",
    "durability": "bench_durability",
    "faults": "bench_faults",
    "team": "bench_team",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run for CI (< 60 s)")
    parser.add_argument("--trials", type=int, default=None, help="SIGKILL trials to run")
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHES), help="run only these")
    args = parser.parse_args(argv)
    for name in KEY_ENV:  # never send anything anywhere but the simulator
        os.environ.pop(name, None)
    logging.basicConfig(level=logging.CRITICAL)  # expected warnings of fault paths stay quiet
    warnings.simplefilter("ignore")

    command = "benchmarks/run.py" + "".join(f" {a}" for a in (argv or sys.argv[1:]))
    print(f"$ .venv/bin/python {command}")
    print(f"{datetime.datetime.now().isoformat(timespec='seconds')}  Python "
          f"{platform.python_version()}  {platform.platform()}  {os.cpu_count()} CPUs")  # fmt: skip
    figures: list[Figure] = []
    failed = []
    started = time.perf_counter()
    for name in args.only or BENCHES:
        module = __import__(BENCHES[name])
        begun = time.perf_counter()
        try:
            if name == "durability":
                figures += module.run(quick=args.quick, trials=args.trials)
            else:
                figures += module.run(quick=args.quick)
        except Exception:
            failed.append(name)
            traceback.print_exc()
            figures.append(Figure(f"{name}: benchmark failed", "error", "", False))
        print(f"  {name}: {time.perf_counter() - begun:.1f} s", file=sys.stderr, flush=True)
        asyncio.set_event_loop(None)
    print()
    print(render(figures))
    missed = [f.name for f in figures if f.met is False]
    print(f"\n{len(figures)} figures in {time.perf_counter() - started:.0f} s; "
          f"goals missed: {len(missed)}" + (f" ({'; '.join(missed)})" if missed else ""))  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
