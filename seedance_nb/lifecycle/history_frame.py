"""The history as a pandas DataFrame: stable, documented columns and dtypes (docs/lifecycle.md).

pandas is imported here, on first use, never when the package is imported. Filtering happens in
SQL so a large history stays fast; one row per task, newest first.
"""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .history_read import parse_tags, read_rows

if TYPE_CHECKING:
    import pandas as pd

# column -> dtype. Append new columns at the end; never rename or retype one (a notebook's code
# depends on them).
COLUMNS: dict[str, str] = {
    "uid": "int64",  # local row id
    "id": "string",  # provider task id (<NA> until the create answered)
    "provider": "string",
    "base_url": "string",
    "kind": "string",  # video | image
    "model": "string",
    "mode": "string",
    "prompt": "string",
    "params": "string",  # JSON of the request's options
    "parent_id": "string",  # lineage: the task this one was forked from
    "tags": "object",  # tuple[str, ...]
    "status": "string",  # queued | running | succeeded | failed | cancelled | expired | unknown
    "raw_status": "string",  # the provider's own word
    "phase": "string",  # submitting | polling | downloading | done
    "create_state": "string",  # pending | sent | acknowledged | ambiguous | reconciled | ...
    "submitted_at": "datetime64[ns, UTC]",
    "started_at": "datetime64[ns, UTC]",
    "finished_at": "datetime64[ns, UTC]",
    "estimated_tokens": "Int64",
    "estimated_cost": "float64",
    "tokens": "Int64",
    "cost": "float64",
    "currency": "string",
    "result_urls": "object",  # tuple[str, ...]
    "urls_expire_at": "datetime64[ns, UTC]",  # earliest expiry among the result URLs
    "urls_expired": "boolean",  # a result URL is known to be dead (and its file not saved)
    "files": "object",  # tuple[str, ...] local paths of saved results
    "sha256": "object",  # tuple[str, ...] matching ``files``
    "error_code": "string",
    "error_message": "string",
    "notebook": "string",
    "member": "string",  # who submitted it (SEEDANCE_MEMBER or the OS user name; never a key)
}

_TIMES = {"submitted_at", "started_at", "finished_at", "urls_expire_at"}
_FROM_ASSETS = {"result_urls", "urls_expire_at", "urls_expired", "files", "sha256"}

_SINCE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def since_epoch(since: Any, now: float | None = None) -> float:
    """A ``since`` filter value → epoch seconds."""
    now = time.time() if now is None else now
    if isinstance(since, (int, float)):
        return float(since)
    if isinstance(since, timedelta):
        return now - since.total_seconds()
    if isinstance(since, datetime):
        aware = since if since.tzinfo else since.astimezone()
        return aware.timestamp()
    if isinstance(since, date):
        return datetime(since.year, since.month, since.day).astimezone().timestamp()
    if isinstance(since, str):
        match = _SINCE.match(since)
        if match:
            return now - float(match.group(1)) * _UNITS[match.group(2)]
        return since_epoch(datetime.fromisoformat(since), now)
    if hasattr(since, "to_pydatetime"):  # pandas.Timestamp
        return since_epoch(since.to_pydatetime(), now)
    raise TypeError(
        f"since must be a datetime, date, timedelta or '7d'-style string, not {since!r}"
    )


@dataclass(frozen=True)
class Dialect:
    """What differs between the databases in the frame's SQL: the parameter mark, a
    case-insensitive LIKE and the test for one tag in the JSON ``tags`` column."""

    mark: str
    ilike: str
    has_tag: str
    postgres: bool

    def pack(self, texts: list[str]) -> str:
        """One string of these SQL text values, joined by U+001F (see history_read)."""
        if self.postgres:
            return f"concat_ws(chr(31), {', '.join(texts)})"
        return f"printf('{chr(31).join(['%s'] * len(texts))}', {', '.join(texts)})"


SQLITE = Dialect(
    "?", "LIKE", "EXISTS (SELECT 1 FROM json_each(t.tags) WHERE json_each.value = ?)", False
)
POSTGRES = Dialect("%s", "ILIKE", "t.tags::jsonb @> jsonb_build_array(%s::text)", True)

# fetch(sql, params) -> rows as tuples
Fetch = Callable[[str, Sequence[Any]], Sequence[Sequence[Any]]]
# read(chosen, params, now) -> the columns as read_rows gives them, or None to read with fetch
Read = Callable[[str | None, list[Any], float], dict[str, Any] | None]


def _where(
    dialect: Dialect, status: Any, model: Any, since: Any, text: Any, tag: Any
) -> tuple[str, list[Any]]:
    mark = dialect.mark
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("status", status), ("model", model)):
        if value is None:
            continue
        values = [value] if isinstance(value, str) else [str(v) for v in value]
        values = [getattr(v, "value", v) for v in values]
        clauses.append(f"t.{column} IN ({', '.join([mark] * len(values))})")
        params.extend(values)
    if since is not None:
        clauses.append(f"t.submitted_at >= {mark}")
        params.append(since_epoch(since))
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append(f"t.prompt {dialect.ilike} {mark} ESCAPE '\\'")
        params.append(f"%{escaped}%")
    if tag:
        clauses.append(dialect.has_tag)
        params.append(tag)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def build_frame(
    fetch: Fetch,
    dialect: Dialect = SQLITE,
    *,
    status: Any = None,
    model: Any = None,
    since: Any = None,
    text: str | None = None,
    tag: str | None = None,
    limit: int | None = None,
    read: Read | None = None,
) -> pd.DataFrame:
    """The frame of the tasks these filters choose. ``read``, when given, reads the rows a
    faster way (history_arrow); should it give ``None``, ``fetch`` reads them."""
    import numpy as np
    import pandas as pd

    where, params = _where(dialect, status, model, since, text, tag)
    chosen = None
    if where or limit is not None:
        chosen = f"SELECT t.uid FROM tasks AS t{where} ORDER BY t.uid DESC"
        if limit is not None:
            chosen += f" LIMIT {int(limit)}"
    now = time.time()
    # A large history makes millions of objects, none in a cycle: the cyclic collector would
    # only walk them again and again (about a sixth of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        raw = read(chosen, params, now) if read is not None else None
        if raw is None:
            raw = read_rows(fetch, dialect, chosen, params, now)
        return _frame(pd, np, fetch, raw, chosen, params, now)
    finally:
        if collecting:
            gc.enable()


def _frame(pd: Any, np: Any, fetch: Fetch, raw: dict[str, Any], chosen: str | None,
           params: list[Any], now: float) -> pd.DataFrame:  # fmt: skip
    data: dict[str, Any] = {}
    for name, dtype in COLUMNS.items():
        if name in _FROM_ASSETS:
            continue
        values = raw.get(name, ())
        if isinstance(values, pd.api.extensions.ExtensionArray):
            data[name] = values  # made ready by read_rows
        elif name == "tags":
            data[name] = _objects(pd, np, values if isinstance(values, np.ndarray)
                                  else parse_tags(values))  # fmt: skip
        elif name in _TIMES:
            data[name] = _times(pd, np, values)
        elif dtype in ("Int64", "float64"):
            data[name] = _numbers(pd, np, values, dtype)
        else:
            data[name] = pd.array(np.array(values, dtype=object), dtype=dtype)
    none: tuple[str, ...] = ()
    urls = [none if u is None else (u,) for u in raw.get("_url", ())]
    expires = list(raw.get("_expires", ()))
    dead = list(raw.get("_dead", ()))
    files = [none if p is None else (p,) for p in raw.get("_path", ())]
    hashes = [none if h is None else (h,) for h in raw.get("_sha", ())]
    several = _more_files(fetch, chosen, params)
    if several:
        position = {uid: i for i, uid in enumerate(raw["uid"])}
        for uid, found in several.items():
            i = position.get(uid)
            if i is not None:
                urls[i], expires[i], dead[i], files[i], hashes[i] = _several(found, now)
    data["result_urls"] = _objects(pd, np, urls)
    data["urls_expire_at"] = _times(pd, np, expires)
    data["urls_expired"] = _numbers(pd, np, dead, "boolean")
    data["files"] = _objects(pd, np, files)
    data["sha256"] = _objects(pd, np, hashes)
    return pd.DataFrame(data, columns=list(COLUMNS))


def _more_files(fetch: Fetch, chosen: str | None, params: list[Any]) -> dict[int, list[Any]]:
    """Every result file of the tasks that have more than one (video + last frame, image sets)."""
    several = "SELECT uid FROM assets WHERE idx > 0"
    if chosen is not None:
        several += f" AND uid IN ({chosen})"
    sql = f"SELECT uid, url, expires_at, state, path, sha256 FROM assets WHERE uid IN ({several})"
    found: dict[int, list[tuple[Any, ...]]] = {}
    for uid, *rest in fetch(sql + " ORDER BY uid, idx", params):
        found.setdefault(uid, []).append(tuple(rest))
    return found


def _several(files: list[tuple[Any, ...]], now: float) -> tuple[Any, ...]:
    """The five file columns of one task with several files: URLs, earliest expiry, expired?,
    saved paths, their sha256. A URL past its expiry whose file was never saved is dead even if
    nobody tried it."""
    saved = [f for f in files if f[2] == "saved" and f[3]]
    times = [f[1] for f in files if f[1] is not None]
    first = min(times) if times else None
    gone = any(f[2] == "expired" for f in files)
    return (
        tuple("data:…" if f[0].startswith("data:") else f[0] for f in files),
        first,
        gone or (not saved and first is not None and first < now),
        tuple(f[3] for f in saved),
        tuple(f[4] or "" for f in saved),
    )


def _numbers(pd: Any, np: Any, values: Any, dtype: str) -> Any:
    """A nullable column from numbers and None, without a Python loop."""
    floats = np.array(values, dtype="float64")  # None becomes NaN
    if dtype == "float64":
        return floats
    missing = np.isnan(floats)
    filled = np.where(missing, 0, floats)
    if dtype == "boolean":
        return pd.arrays.BooleanArray(filled != 0, missing)
    return pd.arrays.IntegerArray(filled.astype("int64"), missing)


def _objects(pd: Any, np: Any, values: Any) -> Any:
    """An object column holding each value as it is (tuples stay tuples)."""
    return pd.Series(np.fromiter(values, dtype=object, count=len(values)), dtype="object")


def _times(pd: Any, np: Any, values: Any) -> Any:
    series = pd.to_datetime(pd.Series(np.array(values, dtype="float64")), unit="s", utc=True)
    return series.astype("datetime64[ns, UTC]")


def utc(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=timezone.utc)
