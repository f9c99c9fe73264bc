"""Prompt templates: ``{{name}}`` puts a notebook variable into a ``%%seedance`` prompt.

Only double braces are special, so single braces, JSON snippets and ``$`` amounts stay as they
are. A placeholder holds a variable name, optionally with attributes and a format spec:

>>> fill("A {{animal}} in {{place.name}}, {{n:02d}} {braces} stay", {"animal": "fox", "n": 3,
...      "place": type("P", (), {"name": "snow"})})
'A fox in snow, 03 {braces} stay'

Write ``\\{{`` for a literal ``{{``. Anything else between double braces (an expression, an
unknown name) raises :class:`TemplateError` naming the fix; nothing is evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PLACEHOLDER = re.compile(
    r"\\\{\{"  # an escaped opening: literal "{{"
    r"|\{\{\s*(?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*(?::(?P<spec>[^{}]*))?\}\}"
    r"|\{\{(?P<bad>.*?)(?:\}\}|$)",
    re.DOTALL,
)

SYNTAX_HELP = (
    "{{name}}, {{name.attr}} or {{name:format}} inserts a notebook variable; "
    "write \\{{ for literal double braces"
)


class TemplateError(ValueError):
    """A placeholder that cannot be filled; the message says which and how to fix it."""


def names(text: str) -> list[str]:
    """The variable names a template uses, in order, without repeats."""
    seen: list[str] = []
    for match in _PLACEHOLDER.finditer(text):
        name = match.group("name")
        if name and name.split(".")[0] not in seen:
            seen.append(name.split(".")[0])
    return seen


def fill(text: str, namespace: Mapping[str, Any]) -> str:
    """``text`` with every ``{{...}}`` placeholder replaced from ``namespace``."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "\\{{":
            return "{{"
        if match.group("name") is None:
            shown = match.group(0).strip()
            raise TemplateError(f"{shown!r} is not a variable placeholder; {SYNTAX_HELP}")
        return _value(match.group("name"), match.group("spec"), namespace)

    return _PLACEHOLDER.sub(replace, text)


def _value(dotted: str, spec: str | None, namespace: Mapping[str, Any]) -> str:
    head, *rest = dotted.split(".")
    if head not in namespace:
        raise TemplateError(
            f"the prompt uses {{{{{dotted}}}}} but no variable {head!r} is defined; "
            f"define it in a cell above, or write \\{{{{ for literal braces"
        )
    value = namespace[head]
    for index, attr in enumerate(rest):
        try:
            value = getattr(value, attr)
        except AttributeError:
            where = ".".join([head, *rest[:index]])
            raise TemplateError(f"{where} has no attribute {attr!r}") from None
    try:
        return format(value, spec.strip()) if spec else str(value)
    except (ValueError, TypeError) as exc:
        raise TemplateError(f"cannot format {dotted} with {spec!r}: {exc}") from None
