"""``Problem``: one broken rule of a request, with the fix. Re-exported by ``seedance_nb.validation``.

It lives in its own module so the catalog (which refuses unknown models) and the validation rules
can both build problems without importing each other.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One reason a request would be refused, and what to do about it.

    >>> str(Problem("resolution", "seedance-2.0-fast does not offer 1080p", "use 720p or 480p"))
    'resolution: seedance-2.0-fast does not offer 1080p. Fix: use 720p or 480p'
    """

    field: str
    rule: str
    fix: str

    def __str__(self) -> str:
        return f"{self.field}: {self.rule}. Fix: {self.fix}"


class Problems(list[Problem]):
    """What :func:`seedance_nb.check` returns: a list of :class:`Problem` that shows itself as a
    table in a notebook and as numbered lines in a terminal. Empty means the request may be sent.

    >>> Problems([Problem("duration", "99 s is too long", "use 4 to 15")])
    1 problem:
      1. duration: 99 s is too long. Fix: use 4 to 15
    >>> Problems()
    no problems: the request may be sent
    """

    def __repr__(self) -> str:
        if not self:
            return "no problems: the request may be sent"
        head = f"{len(self)} problem{'s' if len(self) > 1 else ''}:"
        return "\n".join([head, *(f"  {i}. {p}" for i, p in enumerate(self, start=1))])

    __str__ = __repr__

    def _repr_html_(self) -> str:
        import html

        if not self:
            return '<div class="seedance-ok">no problems: the request may be sent</div>'
        rows = "".join(
            "<tr>"
            + "".join(f"<td>{html.escape(x)}</td>" for x in (p.field, p.rule, p.fix))
            + "</tr>"
            for p in self
        )
        return (
            f"<table><thead><tr><th>field</th><th>problem</th><th>fix</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )


def problems_from_pydantic(cls: type[Any], exc: Any) -> list[Problem]:
    """Problems from a ``pydantic.ValidationError`` raised while building ``cls``.

    Unknown fields get a "did you mean" fix, so a typo is refused with the field's name.
    """
    problems = []
    names = list(cls.model_fields)
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or cls.__name__
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(error["loc"][0]), names, n=1)
            fix = f"did you mean {close[0]!r}?" if close else f"{cls.__name__} fields: {names}"
            problems.append(Problem(where, f"{cls.__name__} has no field {where!r}", fix))
        else:
            fix = f"see help({cls.__name__}) for the accepted values"
            problems.append(Problem(where, str(error["msg"]), fix))
    return problems
