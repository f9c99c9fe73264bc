"""The history as a pandas DataFrame: stable, documented columns and dtypes (docs/lifecycle.md).

pandas is imported here, on first use, never when the package is imported. Filtering happens in
SQL so a large history stays fast; one row per task, newest first.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

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
}

_SEP = "\x1f"
_TIMES = {"submitted_at", "started_at", "finished_at", "urls_expire_at"}

_SELECT = f"""
SELECT t.uid, t.id, t.provider, t.base_url, t.kind, t.model, t.mode, t.prompt, t.params,
       t.parent_id, t.tags, t.status, t.raw_status, t.phase, t.create_state, t.submitted_at,
       t.started_at, t.finished_at, t.estimated_tokens, t.estimated_cost, t.tokens, t.cost,
       t.currency, a.urls, a.expires, a.expired, a.paths, a.hashes, t.error_code,
       t.error_message, t.notebook
FROM tasks AS t
LEFT JOIN (
    SELECT uid,
           group_concat(CASE WHEN url LIKE 'data:%' THEN 'data:…' ELSE url END, '{_SEP}') AS urls,
           min(expires_at) AS expires,
           max(state = 'expired') AS expired,
           group_concat(path, '{_SEP}') FILTER (WHERE state = 'saved') AS paths,
           group_concat(sha256, '{_SEP}') FILTER (WHERE state = 'saved') AS hashes
    FROM assets GROUP BY uid
) AS a ON a.uid = t.uid
"""

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


def _where(status: Any, model: Any, since: Any, text: Any, tag: Any) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("status", status), ("model", model)):
        if value is None:
            continue
        values = [value] if isinstance(value, str) else [str(v) for v in value]
        values = [getattr(v, "value", v) for v in values]
        clauses.append(f"t.{column} IN ({', '.join('?' * len(values))})")
        params.extend(values)
    if since is not None:
        clauses.append("t.submitted_at >= ?")
        params.append(since_epoch(since))
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append("t.prompt LIKE ? ESCAPE '\\'")
        params.append(f"%{escaped}%")
    if tag:
        clauses.append("EXISTS (SELECT 1 FROM json_each(t.tags) WHERE json_each.value = ?)")
        params.append(tag)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def build_frame(
    conn: sqlite3.Connection,
    *,
    status: Any = None,
    model: Any = None,
    since: Any = None,
    text: str | None = None,
    tag: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    import pandas as pd

    where, params = _where(status, model, since, text, tag)
    sql = _SELECT + where + " ORDER BY t.uid DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    cursor = conn.cursor()
    cursor.row_factory = None
    rows = cursor.execute(sql, params).fetchall()
    names = list(COLUMNS)
    raw = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    now = time.time()
    data: dict[str, Any] = {}
    for name, values in zip(names, raw, strict=True):
        dtype = COLUMNS[name]
        if name == "tags":
            data[name] = pd.Series(_tags(values), dtype="object")
        elif name in ("result_urls", "files", "sha256"):
            data[name] = pd.Series([_split(v) for v in values], dtype="object")
        elif name == "urls_expired":
            data[name] = pd.array([None if e is None else bool(e) for e in values], dtype="boolean")
        elif name in _TIMES:
            data[name] = _times(pd, values)
        else:
            data[name] = pd.array(list(values), dtype=dtype)  # type: ignore[call-overload]
    frame = pd.DataFrame(data, columns=names)
    # A URL past its expiry whose file was never saved is dead even if nobody tried it yet.
    past = frame["urls_expire_at"].notna() & (
        frame["urls_expire_at"] < pd.Timestamp(now, unit="s", tz="UTC")
    )
    unsaved = frame["files"].map(len) == 0
    frame.loc[past & unsaved & frame["urls_expired"].notna(), "urls_expired"] = True
    return frame


def _times(pd: Any, values: tuple[Any, ...]) -> Any:
    series = pd.to_datetime(pd.Series(values, dtype="float64"), unit="s", utc=True)
    return series.astype("datetime64[ns, UTC]")


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(value.split(_SEP)) if value else ()


def _tags(values: tuple[Any, ...]) -> list[tuple[str, ...]]:
    cache: dict[str, tuple[str, ...]] = {}
    out: list[tuple[str, ...]] = []
    for value in values:
        if not value:
            out.append(())
            continue
        parsed = cache.get(value)
        if parsed is None:
            try:
                loaded = json.loads(value)
            except ValueError:
                loaded = []
            parsed = tuple(str(t) for t in loaded) if isinstance(loaded, list) else ()
            cache[value] = parsed
        out.append(parsed)
    return out


def utc(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=timezone.utc)
