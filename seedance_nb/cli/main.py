"""``seedance``: the command line.

Exit codes: 0 done, 2 refused locally (nothing was sent: a rule the API would refuse, a budget
cap, a setting, a usage error such as an unknown option or task id), 1 API or transport error (or
a task that did not succeed), 3 the history database is unusable (corrupt, locked, read-only;
nothing was sent). Every error is one line on stderr; ``-v`` adds the traceback. With no API key
configured every command talks to the built-in simulator and says so on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import NoReturn

from ..errors import (
    BudgetExceeded,
    ConfigError,
    HistoryError,
    SeedanceError,
    TaskNotFound,
    ValidationError,
)
from . import callbacks, commands, local
from .build import add_request_arguments

EXIT_OK, EXIT_API, EXIT_REFUSED, EXIT_HISTORY = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line that says where the help is (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_REFUSED, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _common() -> _Parser:
    common = _Parser(add_help=False)
    common.add_argument(
        "-p", "--provider", help="ark, maxapi or maxapi-openai (default: $SEEDANCE_PROVIDER or ark)"
    )
    common.add_argument(
        "--base-url", help="API base URL (a proxy, a running simulator, or byteplus/volcengine)"
    )
    common.add_argument(
        "--history",
        help="the history: a folder, a SQLite file or a team's postgresql:// URL "
        "(default: $SEEDANCE_HISTORY, else ./.seedance)",
    )
    common.add_argument("--json", action="store_true", help="print JSON instead of a table")
    common.add_argument("-v", "--verbose", action="store_true", help="log HTTP calls (no keys)")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = _Parser(
        prog="seedance",
        description="Seedance video and Seedream image generation from the shell.",
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    def add(
        name: str, func: Callable[[argparse.Namespace], int], text: str
    ) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, parents=[common], help=text, description=text)
        cmd.set_defaults(func=func)
        return cmd

    sim = add(
        "simulator", local.simulator, "serve the simulator of all three dialects on 127.0.0.1"
    )
    sim.add_argument("--port", type=int, default=8765)
    sim.add_argument("--api-key", help="accept only this bearer key (default: any non-empty key)")
    sim.add_argument("--queue-seconds", type=float, default=2.0)
    sim.add_argument("--run-seconds", type=float, default=6.0)

    add("models", commands.models, "the model catalog for a dialect")
    for name, func, text in (
        ("validate", commands.validate, "check a request locally; sends nothing"),
        ("estimate", commands.estimate, "tokens and cost of a request; sends nothing"),
        ("submit", commands.submit, "validate, then create the task"),
    ):
        cmd = add(name, func, text)
        add_request_arguments(cmd)
        if name == "submit":
            cmd.add_argument("--wait", action="store_true", help="wait and download the results")
            cmd.add_argument("--out", help="copy the results into this folder (with --wait)")
            cmd.add_argument("--timeout", type=float, help="give up waiting after N seconds")
    status = add("status", commands.status, "a task's current state")
    status.add_argument("task_id")
    cancel = add("cancel", commands.cancel, "cancel a queued task")
    cancel.add_argument("task_id")
    listing = add("list", commands.list_tasks, "tasks the provider knows (ModelArk)")
    listing.add_argument("--status", help="queued, running, succeeded, failed, cancelled")
    listing.add_argument("--task-id", action="append", default=[], dest="task_ids")
    listing.add_argument("--page-size", type=int, default=20)

    hist = add("history", local.history, "this folder's history of requests")
    fmt = hist.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    hist.add_argument("--status")
    hist.add_argument("--model")
    hist.add_argument("--text", help="only rows whose prompt contains this")
    hist.add_argument("--tag")
    hist.add_argument("--limit", type=int)
    add("resume", local.resume, "poll unfinished tasks again and fetch missing results")
    adopt = add("adopt", local.adopt, "settle a lost create: this upstream task id is what it made")
    adopt.add_argument("task_id", help="a candidate listed by the unknown task")
    adopt.add_argument("--uid", type=int, help="the history row (when the id is not a candidate)")
    adopt.add_argument("--wait", action="store_true", help="wait until it finishes")
    dl = add("download", local.download, "fetch a finished task's results into the cache")
    dl.add_argument("task_id")
    callbacks.add_commands(sub, common)
    demo = add("demo", local.demo, "execute the quickstart headless; write the notebook and HTML")
    demo.add_argument("--out", help="folder for the executed notebook and its HTML export")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    chosen_history = getattr(args, "history", None)
    try:
        if chosen_history:
            from ..lifecycle import configure

            configure(history=chosen_history)
        return int(args.func(args))
    except (ValidationError, BudgetExceeded, ConfigError) as exc:
        print(f"seedance: refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except TaskNotFound as exc:
        print(f"seedance {args.command}: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except HistoryError as exc:
        print(f"seedance: history unusable: {exc}", file=sys.stderr)
        return EXIT_HISTORY
    except SeedanceError as exc:
        _trace(args)
        print(f"seedance: error: {exc}", file=sys.stderr)
        return EXIT_API
    except KeyboardInterrupt:
        print("seedance: interrupted; running tasks go on (see `seedance resume`)", file=sys.stderr)
        return 130
    except OSError as exc:  # a folder that cannot be written, a disk that is full, ...
        _trace(args)
        print(f"seedance {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_API
    finally:
        if chosen_history:  # --history holds for this command only (main may run in-process)
            from ..lifecycle import configure

            with contextlib.suppress(SeedanceError):
                configure(history=None)


def _trace(args: argparse.Namespace) -> None:
    if args.verbose:
        traceback.print_exc()


if __name__ == "__main__":
    sys.exit(main())
