"""``python -m seedance_nb.simulator --port 8765``: serve the simulator on loopback."""

from __future__ import annotations

import argparse

from .config import SimulatorConfig
from .server import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m seedance_nb.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--api-key", default=None, help="accept only this bearer token")
    parser.add_argument("--queue-seconds", type=float, default=2.0)
    parser.add_argument("--run-seconds", type=float, default=6.0)
    parser.add_argument("--media-dir", default=None, help="keep rendered files here")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    config = SimulatorConfig(
        queue_seconds=args.queue_seconds,
        run_seconds=args.run_seconds,
        media_dir=args.media_dir,
        seed=args.seed,
    )
    serve(args.host, args.port, api_key=args.api_key, config=config)


if __name__ == "__main__":
    main()
