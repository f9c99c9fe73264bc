"""Reading a SQLite history's rows for the DataFrame straight into Arrow columns (ADBC's driver).

The sqlite3 module makes a Python object per cell, which is most of the time a large frame
takes. ADBC's SQLite driver fills Arrow arrays instead, and pandas' ``string`` dtype takes
those as they are. The columns come out the same as :func:`history_read.read_rows` gives them,
so ``history_frame`` builds the same frame from either.

The driver infers each column's Arrow type from the rows of its first batch (and reserves
room for that many rows), so the rows are counted first and read as one batch: every column's
type then comes from every row, never from a first few NULLs. The table's declared types keep
each column's values of one kind; a column NULL on every row comes back as ``int64`` and is
retyped here. A large history is read as two halves at once, on two connections (the driver
lets go of the GIL while it reads). Any failure (the driver missing, the file locked, a value
of another type) returns ``None``, logged at debug, and the caller reads the slow way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .history_read import FEW, OTHERS, expressions, parse_tags

log = logging.getLogger(__name__)

_NUMBERS = {"uid", "submitted_at", "started_at", "finished_at", "estimated_tokens",
            "estimated_cost", "tokens", "cost", "_expires", "_dead"}  # fmt: skip
# Kept as Python objects: made into one-element tuples by history_frame.
_OBJECTS = {"_url", "_path", "_sha"}
_SPARE = 1024  # rows a writer may add between the count and the read
_HALVES = 20_000  # from this many tasks on, a whole history is read as two halves at once


def read_arrow(
    path: str | Path,
    chosen: str | None,
    params: list[Any],
    now: float,
    *,
    busy_timeout: float = 10.0,
) -> dict[str, Any] | None:
    """Column name -> its values, newest row first, as ``read_rows`` gives them; ``None`` if
    this way of reading failed (the caller then reads with the sqlite3 module)."""
    try:
        return _read(Path(path), chosen, params, now, busy_timeout)
    except Exception as exc:  # whatever goes wrong here, the slow way still gives the frame
        log.debug("history frame: the Arrow read failed, reading row by row: %r", exc)
        return None


def _sql(chosen: str | None, now: float, part: str | None = None) -> tuple[list[str], str]:
    exprs = expressions(now)
    names = [*OTHERS, *FEW]
    where = [f"t.uid IN ({chosen})" if chosen else "", part or ""]
    sql = (
        f"SELECT {', '.join(exprs[name] for name in names)}"
        " FROM tasks AS t LEFT JOIN assets AS a ON a.uid = t.uid AND a.idx = 0"
        + (" WHERE " + " AND ".join(w for w in where if w) if any(where) else "")
        + " ORDER BY t.uid DESC"
    )
    return names, sql


def _read(
    path: Path, chosen: str | None, params: list[Any], now: float, busy_timeout: float
) -> dict[str, Any]:
    import adbc_driver_sqlite.dbapi as adbc

    # Read-only: this connection never writes, even while the kernel's own one does.
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"

    def query(sql: str, rows: str, cursor: Any = None) -> Any:
        if cursor is None:
            with adbc.connect(uri) as conn, conn.cursor() as own:
                return query(sql, rows, own)
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cursor.fetchall()
        cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": rows})
        cursor.execute(sql, params)
        return cursor.fetch_arrow_table()

    with adbc.connect(uri) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tasks")  # an upper bound of the rows read
        count = int((cursor.fetchone() or (0,))[0])
        rows = str(count + _SPARE)
        middle = None
        if chosen is None and count >= _HALVES:
            cursor.execute(f"SELECT uid FROM tasks ORDER BY uid DESC LIMIT 1 OFFSET {count // 2}")
            middle = (cursor.fetchone() or (None,))[0]
        if middle is None:
            names, sql = _sql(chosen, now)
            tables = [query(sql, rows, cursor)]
        else:
            # Two connections read the two halves at once (the driver lets go of the GIL);
            # each row is whole, as of the moment its half was read.
            names, newer = _sql(None, now, f"t.uid > {int(middle)}")
            names, older = _sql(None, now, f"t.uid <= {int(middle)}")
            other = _Thread(lambda: query(newer, rows))
            other.start()
            tables = [query(older, rows, cursor)]
            tables.insert(0, other.result())
    if sum(table.num_rows for table in tables) == 0:
        return {}
    return _columns(names, tables)


class _Thread(threading.Thread):
    """A thread whose function's result (or exception) ``result()`` gives back."""

    def __init__(self, function: Callable[[], Any]):
        super().__init__(daemon=True)
        self._function = function
        self._outcome: tuple[bool, Any] = (False, None)

    def run(self) -> None:
        try:
            self._outcome = (True, self._function())
        except BaseException as exc:
            self._outcome = (False, exc)

    def result(self) -> Any:
        self.join()
        done, value = self._outcome
        if not done:
            raise value if isinstance(value, BaseException) else RuntimeError("no result")
        return value


def _typed(name: str, column: Any) -> Any:
    """The column with the type the frame needs; a column NULL on every row of its read is typed
    int64 by the driver."""
    import pyarrow as pa

    number = name in _NUMBERS
    if column.null_count == len(column):
        return pa.chunked_array([pa.nulls(len(column), pa.float64() if number else pa.string())])
    if number and column.type not in (pa.int64(), pa.float64()):
        raise TypeError(f"column {name} came back as {column.type}, not numbers")
    if number:
        return column if name == "uid" else column.cast(pa.float64())
    if column.type != pa.string():
        raise TypeError(f"column {name} came back as {column.type}, not text")
    return column


def _columns(names: list[str], tables: list[Any]) -> dict[str, Any]:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    text: Any = pd.StringDtype()  # the frame's ``string`` dtype, whichever storage it has
    out: dict[str, Any] = {}
    for j, name in enumerate(names):
        parts = [_typed(name, table.column(j)) for table in tables if table.num_rows]
        column = pa.chunked_array([c for part in parts for c in part.chunks], parts[0].type)
        number = name in _NUMBERS
        if name == "uid":
            out[name] = pd.array(column.to_numpy(), dtype="int64")
        elif number:
            out[name] = column.to_numpy()  # NULL becomes NaN
        elif name in _OBJECTS:
            out[name] = column.to_numpy(zero_copy_only=False)  # NULL becomes None
        elif name == "tags":
            coded = pc.dictionary_encode(column.combine_chunks(), null_encoding="encode")
            tuples = parse_tags(coded.dictionary.to_pylist())
            parsed = np.fromiter(tuples, dtype=object, count=len(tuples))
            out[name] = parsed[coded.indices.to_numpy()]
        else:
            out[name] = text.__from_arrow__(column)
    return out
