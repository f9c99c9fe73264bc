"""Reading a SQLite history's rows for the DataFrame straight into Arrow columns (ADBC's driver).

The sqlite3 module makes a Python object per cell, which is most of the time a large frame
takes. ADBC's SQLite driver fills Arrow arrays instead, and pandas' ``string`` dtype takes
those as they are. The columns come out the same as :func:`history_read.read_rows` gives them,
so ``history_frame`` builds the same frame from either.

The driver infers each column's Arrow type from the rows of its first batch (and reserves
room for that many rows), so the rows are counted first and read as one batch: every column's
type then comes from every row, never from a first few NULLs. The table's declared types keep
each column's values of one kind; a column NULL on every row comes back as ``int64`` and is
retyped here. Any failure (the driver missing, the file locked, a value of another type)
returns ``None``, logged at debug, and the caller reads the slow way.
"""

from __future__ import annotations

import logging
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


def _sql(chosen: str | None, now: float) -> tuple[list[str], str]:
    exprs = expressions(now)
    names = [*OTHERS, *FEW]
    sql = (
        f"SELECT {', '.join(exprs[name] for name in names)}"
        " FROM tasks AS t LEFT JOIN assets AS a ON a.uid = t.uid AND a.idx = 0"
        + (f" WHERE t.uid IN ({chosen})" if chosen else "")
        + " ORDER BY t.uid DESC"
    )
    return names, sql


def _read(
    path: Path, chosen: str | None, params: list[Any], now: float, busy_timeout: float
) -> dict[str, Any]:
    import adbc_driver_sqlite.dbapi as adbc

    names, sql = _sql(chosen, now)
    # Read-only: this connection never writes, even while the kernel's own one does.
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    with adbc.connect(uri) as conn, conn.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cursor.fetchall()
        cursor.execute("SELECT count(*) FROM tasks")  # an upper bound of the rows read
        (count,) = cursor.fetchone() or (0,)
        rows = str(int(count) + _SPARE)
        cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": rows})
        cursor.execute(sql, params)
        table = cursor.fetch_arrow_table()
    if table.num_rows == 0:
        return {}
    return _columns(names, table)


def _columns(names: list[str], table: Any) -> dict[str, Any]:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    text: Any = pd.StringDtype()  # the frame's ``string`` dtype, whichever storage it has
    out: dict[str, Any] = {}
    for name, column in zip(names, table.columns, strict=True):
        number = name in _NUMBERS
        if column.null_count == len(column):  # NULL on every row: typed int64 by the driver
            column = pa.chunked_array(
                [pa.nulls(len(column), pa.float64() if number else pa.string())]
            )
        elif number and column.type not in (pa.int64(), pa.float64()):
            raise TypeError(f"column {name} came back as {column.type}, not numbers")
        elif not number and column.type != pa.string():
            raise TypeError(f"column {name} came back as {column.type}, not text")
        if name == "uid":
            out[name] = pd.array(column.to_numpy(), dtype="int64")
        elif number:
            out[name] = column.cast(pa.float64()).to_numpy()  # NULL becomes NaN
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
