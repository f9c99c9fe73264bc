"""The ``%seedance`` line commands, and the dry run of ``%%seedance --dry-run``.

Each command takes the words after its name and returns an object that displays itself (a
DataFrame, a task, a widget, a small note); none prints.
"""

from __future__ import annotations

import argparse
import contextlib
import html
from dataclasses import dataclass
from typing import Any

from IPython.core.error import UsageError

from .. import catalog, errors


def settings_for(manager: Any, provider: str | None, *, local: bool = False) -> Any:
    """Where a request would go (provider, simulated or not); never shown with its key.

    ``local=True`` is for checks and estimates, which send nothing: a missing key is no reason
    to refuse them, so the settings are described without one.
    """
    from ..config import resolve_settings

    if not provider:
        provider = getattr(manager, "provider", None) or None
    try:
        return resolve_settings(provider)
    except errors.ConfigError as exc:
        if local:
            with contextlib.suppress(errors.ConfigError):
                return resolve_settings(provider, api_key="-")  # never sent anywhere
        raise UsageError(str(exc)) from None


def provider_of(manager: Any, provider: str | None) -> str:
    """The dialect a request goes to: the one asked for, else the configured default."""
    if provider:
        return provider
    try:
        return str(settings_for(manager, None).provider)
    except UsageError:
        return "ark"


def check(request: Any, settings: Any) -> list[Any]:
    """Local validation as the manager will do it (simulated dialects upload local media)."""
    from .. import validation

    return validation.check(
        request, settings.provider, volcengine=settings.volcengine, will_upload=settings.simulated
    )


@dataclass(frozen=True)
class DryRun:
    """What ``--dry-run`` shows: the request, its problems, and the estimated cost."""

    request: Any
    provider: str
    problems: tuple[Any, ...]
    estimate: Any

    @classmethod
    def of(cls, request: Any, provider: str | None, manager: Any) -> DryRun:
        from .. import cost

        settings = settings_for(manager, provider, local=True)
        found = tuple(check(request, settings))
        estimate = cost.estimate(request, settings.provider, volcengine=settings.volcengine)
        return cls(request, settings.provider, found, estimate)

    @property
    def ok(self) -> bool:
        return not self.problems

    def _lines(self) -> list[str]:
        lines = [f"dry run on {self.provider}, nothing sent: {self.request.summary()}"]
        lines.append(f"estimate: {self.estimate}")
        lines += [f"  assumes: {a}" for a in getattr(self.estimate, "assumptions", ())]
        if self.problems:
            lines.append("would be refused:")
            lines += [f"  - {p}" for p in self.problems]
        else:
            lines.append("valid: it would be sent")
        return lines

    def __repr__(self) -> str:
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self._lines()[1:])
        head = html.escape(self._lines()[0])
        cls = "seedance-dry-run" + (" seedance-refused" if self.problems else "")
        return f'<div class="{cls}"><b>{head}</b><ul>{items}</ul></div>'


@dataclass(frozen=True)
class Note:
    """A short message as a cell result."""

    text: str

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f'<div class="seedance-note">{html.escape(self.text)}</div>'


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse would exit the kernel
        raise UsageError(f"%seedance {self.prog}: {message}")


def models(rest: list[str]) -> Any:
    """The catalog as a DataFrame: one row per model (on ``PROVIDER`` when given)."""
    import pandas as pd

    if len(rest) > 1:
        raise UsageError("usage: %seedance models [PROVIDER]")
    provider = rest[0] if rest else None
    try:
        specs = catalog.models_for(provider)
    except errors.ConfigError as exc:
        raise UsageError(str(exc)) from None
    rows = []
    for spec in specs:
        caps = catalog.capabilities(spec, provider or spec.providers[0])
        rows.append(
            {
                "model": spec.short,
                "kind": spec.kind,
                "title": spec.title,
                "providers": ", ".join(spec.providers),
                "resolutions": ", ".join(caps.resolutions or caps.size_tiers),
                "durations": _span(caps.durations),
                "modes": ", ".join(sorted(m.value for m in caps.modes)),
                "source": "user" if catalog.is_user_model(spec) else "built-in",
            }
        )
    return pd.DataFrame(rows)


def _span(values: tuple[int, ...]) -> str:
    return f"{min(values)}-{max(values)} s" if values else ""


def history(rest: list[str], manager: Any) -> Any:
    """The history as a DataFrame, newest first, with the usual filters."""
    parser = _Parser(prog="history", add_help=False)
    parser.add_argument("--status")
    parser.add_argument("--model")
    parser.add_argument("--tag")
    parser.add_argument("--text")
    parser.add_argument("--since")
    parser.add_argument("--limit", type=int, default=50)
    args = parser.parse_args(rest)
    from .. import lifecycle

    filters = {k: v for k, v in vars(args).items() if v is not None}
    return lifecycle.history(**filters)


def find_task(manager: Any, ident: str | None) -> Any:
    """The task with id (or local uid) ``ident``, or the latest of this session."""
    if ident is None:
        tasks = list(getattr(manager, "tasks", None) or [])
        if not tasks:
            raise UsageError("no task yet in this session. Fix: give a task id")
        return tasks[-1]
    try:
        return manager.task(ident)
    except (KeyError, LookupError):
        raise UsageError(
            f"no task {ident!r} in this session or the history. Fix: `%seedance history` lists them"
        ) from None


def status(rest: list[str], manager: Any) -> Any:
    if len(rest) > 1:
        raise UsageError("usage: %seedance status [ID]")
    from .magics import displayable

    return displayable(find_task(manager, rest[0] if rest else None))


def cancel(rest: list[str], manager: Any) -> Any:
    if len(rest) != 1:
        raise UsageError("usage: %seedance cancel ID")
    task = find_task(manager, rest[0])
    if not getattr(task, "can_cancel", False):
        reason = getattr(task, "cancel_reason", None) or "not in a state that can be cancelled"
        raise UsageError(f"task {rest[0]} cannot be cancelled: {reason}")
    try:
        task.cancel()
    except errors.SeedanceError as exc:
        raise UsageError(f"cancel refused: {exc}") from None
    from .magics import displayable

    return displayable(task)


def resume(rest: list[str], manager: Any) -> Any:
    if rest:
        raise UsageError("usage: %seedance resume")
    from ..lifecycle import resume as resume_all

    resumed = resume_all()
    count = len(resumed) if hasattr(resumed, "__len__") else 0
    return Note(f"polling {count} unfinished task(s) again" if count else "nothing to resume")


def adopt(rest: list[str], manager: Any) -> Any:
    """``%seedance adopt ID`` (a listed candidate) or ``%seedance adopt UID ID``."""
    if len(rest) not in (1, 2):
        raise UsageError("usage: %seedance adopt TASK_ID  (or: %seedance adopt UID TASK_ID)")
    try:
        task = manager.adopt(*rest) if len(rest) == 1 else manager.adopt(rest[0], rest[1])
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"adopt refused: {exc}") from None
    from .magics import displayable

    return displayable(task)


def config(rest: list[str], manager: Any) -> Any:
    """Provider, base URL and key source; the key itself is never shown."""
    if rest:
        raise UsageError("usage: %seedance config")
    from ..config import resolve_settings

    try:
        settings = resolve_settings(provider_of(manager, None))
    except errors.ConfigError as exc:
        return Note(f"configuration problem: {exc}")
    return Facts(config_facts(settings))


def config_facts(settings: Any) -> list[tuple[str, str]]:
    """What ``%seedance config`` shows, as (name, value) rows; never the key itself."""
    from .. import prices, user_files

    region = prices.region(settings.provider, volcengine=settings.volcengine)
    where = "the in-process simulator" if settings.simulated else settings.base_url
    rows = [
        ("provider", settings.provider),
        ("base URL", where),
        ("key from", settings.key_source),
        ("prices of", f"{region} ({'CNY' if region == 'volcengine' else 'USD'})"),
        ("config folder", user_files.shown("")),
    ]
    for name in (user_files.PRICES_FILE, user_files.CATALOG_FILE):
        file = user_files.path(name)
        rows.append((name, "in use" if file.is_file() else "none (optional)"))
    return rows


@dataclass(frozen=True)
class Facts:
    """Rows of name and value: a two-column table in a notebook, aligned lines in a terminal."""

    rows: list[tuple[str, str]]

    def __repr__(self) -> str:
        width = max((len(name) for name, _ in self.rows), default=0)
        return "\n".join(f"{name.ljust(width)}  {value}" for name, value in self.rows)

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><th style='text-align:left'>{html.escape(n)}</th><td>{html.escape(v)}</td></tr>"
            for n, v in self.rows
        )
        return f"<table>{cells}</table>"


def gallery(rest: list[str], manager: Any) -> Any:
    if rest:
        raise UsageError("usage: %seedance gallery")
    from .gallery import Gallery

    return Gallery(manager=manager)
