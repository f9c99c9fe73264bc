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
