"""``seedance callbacks serve``: the team's callback receiver (run it behind your HTTPS proxy)."""

from __future__ import annotations

import argparse
import asyncio

from .output import note


def serve(args: argparse.Namespace) -> int:
    from ..callbacks import tokens
    from ..callbacks.app import serve as serve_app
    from ..lifecycle import TaskManager

    public = tokens.check_public_url(args.public_url) if args.public_url else tokens.public_url()
    manager = TaskManager(args.history)
    where = f"http://{args.host}:{args.port}"
    note(
        f"seedance callbacks: listening on {where}{tokens.PATH_PREFIX}<uid>/<secret> for the "
        f"history at {manager.history.location}; "
        + (
            f"providers reach it at {public}{tokens.PATH_PREFIX}… (set "
            f"{tokens.ENV_VAR}={public} for every member)"
            if public
            else f"give members the proxy's public URL as {tokens.ENV_VAR}"
        )
    )

    async def run() -> None:
        try:
            await serve_app(manager, host=args.host, port=args.port, min_gap=args.min_gap)
        finally:
            await manager.aclose()

    asyncio.run(run())
    return 0


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """``seedance callbacks serve`` and its options."""
    text = "the callback receiver providers POST to (behind your HTTPS reverse proxy)"
    group = sub.add_parser("callbacks", help=text, description=text)
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION",
                                   parser_class=type(group))  # fmt: skip
    text = "receive ModelArk and task-API callbacks and record them in the history"
    cmd = actions.add_parser("serve", parents=[common], help=text, description=text)
    cmd.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    cmd.add_argument("--port", type=int, default=8787, help="port to bind (default 8787)")
    cmd.add_argument("--public-url", help="the proxy's public https URL, shown to check "
                     "(default $SEEDANCE_CALLBACK_URL)")  # fmt: skip
    cmd.add_argument("--min-gap", type=float, default=3.0,
                     help="seconds between two GETs of one task (callbacks in between wait)")  # fmt: skip
    cmd.set_defaults(func=serve, command="callbacks serve")
