"""``%%seedance`` and ``%seedance``: generation from a cell, and a few line commands.

The magic parses (:mod:`.magic_args`), submits through the task manager and returns the task,
which displays itself as a live card that turns into a shareable result. It never blocks and
never prints.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import argument, kwds, magic_arguments, parse_argstring

from .. import errors
from . import commands, display, magic_args, template

_CELL_HELP = f"""Generate a video (Seedance) or images (Seedream) from the prompt in the cell body.

The cell returns at once with a live task card; the kernel stays free while the task runs. Once
the task has finished (and any later cell has run, or you ``await`` it) the output holds a static
result (poster, player, provenance) that shows on GitHub, nbviewer and in exported HTML.

Prompt variables (in the cell body):
    {template.SYNTAX_HELP}.
Single braces and $ stay as typed. On the %%seedance line itself IPython expands {{var}} and $var.

Materials (-i, --video, --audio-ref, --first-frame, --last-frame-image) take an http(s) URL, a
local path, or the name of a notebook variable holding a PIL image, bytes, or a finished task
(its last frame / first image). In the prompt, @1, @2, ... refer to the materials in order.

Example::

    %%seedance -m seedance-2.0 --duration 5 --ratio 16:9 -o shot1 --last-frame
    A red fox trots through fresh snow at dawn, {{{{camera}}}} shot

Line commands::

    %seedance models [PROVIDER]      the model catalog (what each model accepts)
    %seedance history [--status S] [--model M] [--tag T] [--text WORDS] [--limit N]
    %seedance status [ID]            a task's card (the latest one without ID)
    %seedance show ID                a task's current state and result, from the history (after
                                     a restart, for an output saved while its task ran)
    %seedance cancel ID              cancel a queued task
    %seedance resume                 poll unfinished tasks from the history again
    %seedance adopt ID               settle a lost create: ID (a listed candidate) is what it made
    %seedance config                 provider, base URL and where the key comes from (never the key)
    %seedance gallery                a grid of past results with Re-run and Fork
"""


@magics_class
class SeedanceMagics(Magics):
    """The ``seedance`` magics. ``manager`` (a task manager) is for tests; by default the
    package's shared manager is used."""

    def __init__(self, shell: Any = None, manager: Any = None) -> None:
        super().__init__(shell)
        self._manager = manager

    @property
    def manager(self) -> Any:
        if self._manager is None:
            from ..lifecycle import get_manager

            return get_manager()
        return self._manager

    @property
    def _user_ns(self) -> dict[str, Any]:
        assert self.shell is not None, "the magics are registered on a shell"
        ns: dict[str, Any] = self.shell.user_ns
        return ns

    @magic_arguments()
    @kwds(description=_CELL_HELP)
    @argument("-m", "--model", help="model short name or wire id (default seedance-2.0)")
    @argument("-p", "--provider", help="API dialect: ark, maxapi or maxapi-openai")
    @argument("--resolution", help="480p, 720p, 1080p (video); 1k, 2k, 4k (image)")
    @argument("--ratio", help="16:9, 4:3, 1:1, 3:4, 9:16, 21:9 or adaptive")
    @argument("--duration", type=int, help="seconds (-1: the model chooses)")
    @argument("--seed", type=int, help="random seed, for repeatable results")
    @argument("--audio", dest="generate_audio", action="store_const", const=True,
              help="generate sound with the video")  # fmt: skip
    @argument("--no-audio", dest="generate_audio", action="store_const", const=False,
              help="a silent video")  # fmt: skip
    @argument("--last-frame", action="store_true", help="also return the video's last frame")
    @argument("-i", "--image", action="append", metavar="SRC",
              help="image material (repeatable): URL, path or variable name")  # fmt: skip
    @argument("--video", action="append", metavar="SRC", help="reference video (repeatable)")
    @argument("--audio-ref", action="append", metavar="SRC", help="reference audio (repeatable)")
    @argument("--first-frame", metavar="SRC", help="image to start the video from")
    @argument("--last-frame-image", metavar="SRC", help="image to end the video on")
    @argument("--size", help="image size: a tier (2K) or WxH (Seedream)")
    @argument("-n", "--count", dest="n", type=int, help="number of images (Seedream)")
    @argument("--tag", action="append", help="tag the task (repeatable), for history filters")
    @argument("-o", "--out", metavar="NAME", help="also store the task in variable NAME")
    @argument("--dry-run", action="store_true", help="validate and estimate the cost; send nothing")
    @argument("--embed", action="store_true",
              help="embed the result files in the notebook even when large")  # fmt: skip
    @line_cell_magic
    def seedance(self, line: str, cell: str | None = None) -> Any:
        if cell is None:
            return self._line(line)
        args = parse_argstring(self.seedance, line)
        parsed = magic_args.build(args, cell, self._user_ns)
        return self._run(parsed)

    # -- %%seedance ------------------------------------------------------------------------------
    def _run(self, cell: magic_args.Cell) -> Any:
        if cell.dry_run:
            return commands.DryRun.of(cell.request, cell.provider, self.manager)
        try:
            task = self.manager.submit(cell.request, provider=cell.provider)
        except (errors.ValidationError, errors.BudgetExceeded, errors.ConfigError) as exc:
            raise UsageError(str(exc)) from None
        if cell.embed:
            display.configure(task, embed=True)
        if cell.out:
            self._user_ns[cell.out] = task
        return displayable(task)

    # -- %seedance COMMAND -----------------------------------------------------------------------
    def _line(self, line: str) -> Any:
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"cannot parse {line!r}: {exc}") from None
        if not words:
            raise UsageError(
                "%seedance needs a command (models, history, status, show, cancel, resume, adopt, "
                "config, gallery); to generate, put the prompt in a cell that starts with %%seedance"
            )
        name, rest = words[0], words[1:]
        handler = self._commands().get(name)
        if handler is None:
            if name.startswith("-"):
                raise UsageError(
                    "options go with the cell form: start the cell with %%seedance (two %) and "
                    "put the prompt below it"
                )
            raise UsageError(f"unknown command {name!r}; use one of: {', '.join(self._commands())}")
        return handler(rest)

    def _commands(self) -> dict[str, Callable[[list[str]], Any]]:
        return {
            "models": commands.models,
            "history": lambda rest: commands.history(rest, self.manager),
            "status": lambda rest: commands.status(rest, self.manager),
            "show": lambda rest: commands.status(rest, self.manager),
            "cancel": lambda rest: commands.cancel(rest, self.manager),
            "resume": lambda rest: commands.resume(rest, self.manager),
            "adopt": lambda rest: commands.adopt(rest, self.manager),
            "config": lambda rest: commands.config(rest, self.manager),
            "gallery": lambda rest: commands.gallery(rest, self.manager),
        }


def displayable(task: Any) -> Any:
    """The task itself when it displays itself, else a :class:`display.TaskDisplay` of it."""
    if callable(getattr(type(task), "_ipython_display_", None)):
        return task
    return display.TaskDisplay(task)
