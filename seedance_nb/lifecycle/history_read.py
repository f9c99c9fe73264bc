"""Reading every row of the history fast, for the DataFrame, row by row through a DB-API
cursor: PostgreSQL's, and SQLite's when the Arrow read (history_arrow) is not possible.

Making a Python object per cell is most of the cost of a large frame. The columns with few
distinct values (providers, models, states, tags...) therefore come packed into one string per
row: a bit mask of their NULLs, then each value, joined by U+001F; only the distinct packs are
split (a history has a few hundred). Should a value hold U+001F, those columns are read again
one by one (exact, slower). Every other column comes as it is; the rows become one
two-dimensional object array, sliced by column.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Protocol

# fetch(sql, params) -> rows as tuples
Fetch = Callable[[str, Sequence[Any]], Sequence[Sequence[Any]]]


class Dialect(Protocol):
    """What the read needs of a database dialect (``history_frame.Dialect``)."""

    def pack(self, texts: list[str]) -> str: ...


SEP = "\x1f"

FEW = ("provider", "base_url", "kind", "model", "mode", "status", "raw_status", "phase",
       "create_state", "currency", "error_code", "notebook", "member", "tags")  # fmt: skip
# The rest; ``_url`` ... are the first result file's columns, worked out by the database.
OTHERS = ("uid", "id", "prompt", "params", "parent_id", "error_message", "submitted_at",
          "started_at", "finished_at", "estimated_tokens", "estimated_cost", "tokens", "cost",
          "_url", "_expires", "_dead", "_path", "_sha")  # fmt: skip


def expressions(now: float) -> dict[str, str]:
    """Column name -> its SQL expression over ``tasks AS t`` and the first file, ``assets AS a``."""
    saved = "(a.state = 'saved' AND a.path IS NOT NULL AND a.path <> '')"
    exprs = {name: f"t.{name}" for name in (*FEW, *OTHERS) if not name.startswith("_")}
    exprs.update({
        "_url": "CASE WHEN substr(a.url, 1, 5) = 'data:' THEN 'data:…' ELSE a.url END",
        "_path": f"CASE WHEN {saved} THEN a.path END",
        "_sha": f"CASE WHEN {saved} THEN COALESCE(a.sha256, '') END",
        "_expires": "a.expires_at",
        "_dead": f"CASE WHEN a.url IS NULL THEN NULL WHEN a.state = 'expired' OR (NOT {saved} "
                 f"AND a.expires_at < {now!r}) THEN 1 ELSE 0 END",
    })  # fmt: skip
    return exprs


def read_rows(
    fetch: Fetch, dialect: Dialect, chosen: str | None, params: list[Any], now: float
) -> dict[str, Any]:
    """Column name -> its values, newest row first."""
    import numpy as np
    import pandas as pd

    exprs = expressions(now)
    tail = (
        " FROM tasks AS t LEFT JOIN assets AS a ON a.uid = t.uid AND a.idx = 0"
        + (f" WHERE t.uid IN ({chosen})" if chosen else "")
        + " ORDER BY t.uid DESC"
    )
    nulls = " + ".join(f"{1 << j} * (CASE WHEN {exprs[n]} IS NULL THEN 1 ELSE 0 END)"
                       for j, n in enumerate(FEW))  # fmt: skip
    pack = dialect.pack([f"({nulls})", *(f"COALESCE({exprs[n]}, '')" for n in FEW)])
    rows = fetch(f"SELECT {', '.join(exprs[n] for n in OTHERS)}, {pack}{tail}", params)
    if not rows:
        return {}
    # One two-dimensional object array, sliced by column: no tuple per column to make.
    table = np.array(rows, dtype=object)
    del rows
    out: dict[str, Any] = {name: table[:, j] for j, name in enumerate(OTHERS)}
    few = _unpack(pd, np, table[:, -1])
    if few is None:  # a value holds the separator: read those columns one by one
        plain = fetch(f"SELECT {', '.join(exprs[n] for n in FEW)}{tail}", params)
        few = dict(zip(FEW, zip(*plain, strict=True), strict=True))
    out.update(few)
    return out


def _unpack(pd: Any, np: Any, packs: Any) -> dict[str, Any] | None:
    """Ready columns (``string`` arrays; ``tags`` as tuples) made from the distinct packs."""

    codes, distinct = pd.factorize(np.array(packs, dtype=object))
    split = [text.split(SEP) for text in distinct]
    if any(len(parts) != len(FEW) + 1 for parts in split):
        return None
    out = {}
    for j, name in enumerate(FEW):
        bit = 1 << j
        values = [None if int(p[0]) & bit else p[j + 1] for p in split]
        if name == "tags":
            tuples = np.fromiter(parse_tags(values), dtype=object, count=len(values))
            out[name] = tuples[codes]
        else:
            out[name] = pd.array(np.array(values, dtype=object), dtype="string").take(codes)
    return out


def parse_tags(values: Any) -> list[tuple[str, ...]]:
    """The ``tags`` column's JSON lists as tuples (each distinct list parsed once)."""
    parsed: dict[Any, tuple[str, ...]] = {}
    for value in set(values):  # a history holds few distinct tag lists
        try:
            loaded = json.loads(value) if value else []
        except ValueError:
            loaded = []
        parsed[value] = tuple(str(t) for t in loaded) if isinstance(loaded, list) else ()
    column = [parsed[v] for v in values]
    return column
