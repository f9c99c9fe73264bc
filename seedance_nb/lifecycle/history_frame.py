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

_SEP = "\x1f"  # joins a task's several files in one SQL value
_TIMES = {"submitted_at", "started_at", "finished_at", "urls_expire_at"}
_FROM_ASSETS = {"result_urls", "urls_expire_at", "urls_expired", "files", "sha256"}
_TASK_COLUMNS = [c for c in COLUMNS if c not in _FROM_ASSETS]

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
    chosen = f"SELECT t.uid FROM tasks AS t{where} ORDER BY t.uid DESC"
    if limit is not None:
        chosen += f" LIMIT {int(limit)}"
    cursor = conn.cursor()
    cursor.row_factory = None
    columns = ", ".join(f"t.{c}" for c in _TASK_COLUMNS)
    rows = cursor.execute(
        f"SELECT {columns} FROM tasks AS t WHERE t.uid IN ({chosen}) ORDER BY t.uid DESC"
        if where or limit is not None
        else f"SELECT {columns} FROM tasks AS t ORDER BY t.uid DESC",
        params,
    ).fetchall()
    files = _assets(cursor, chosen if where or limit is not None else None, params)
    raw = dict(zip(_TASK_COLUMNS, zip(*rows, strict=True), strict=True)) if rows else {}
    now = time.time()
    data: dict[str, Any] = {}
    for name, dtype in COLUMNS.items():
        if name in _FROM_ASSETS:
            continue
        values = raw.get(name, ())
        if name == "tags":
            data[name] = pd.Series(_tags(values), dtype="object")
        elif name in _TIMES:
            data[name] = _times(pd, values)
        else:
            data[name] = pd.array(list(values), dtype=dtype)  # type: ignore[call-overload]
    uids = raw.get("uid", ())
    none: tuple[str, ...] = ()
    urls: list[tuple[str, ...]] = []
    expires: list[float | None] = []
    dead: list[bool | None] = []
    paths: list[tuple[str, ...]] = []
    hashes: list[tuple[str, ...]] = []
    for uid in uids:
        entry = files.get(uid)
        if entry is None:
            urls.append(none)
            expires.append(None)
            dead.append(None)
            paths.append(none)
            hashes.append(none)
            continue
        _, joined_urls, soonest, any_dead, joined_paths, joined_hashes = entry
        saved = tuple(joined_paths.split(_SEP)) if joined_paths else none
        # A URL past its expiry whose file was never saved is dead even if nobody tried it.
        dead.append(bool(any_dead) or (soonest is not None and soonest < now and not saved))
        urls.append(tuple(joined_urls.split(_SEP)))
        expires.append(soonest)
        paths.append(saved)
        hashes.append(tuple(joined_hashes.split(_SEP)) if joined_hashes else none)
    data["result_urls"] = pd.Series(urls, dtype="object")
    data["urls_expire_at"] = _times(pd, tuple(expires))
    data["urls_expired"] = pd.array(dead, dtype="boolean")
    data["files"] = pd.Series(paths, dtype="object")
    data["sha256"] = pd.Series(hashes, dtype="object")
    return pd.DataFrame(data, columns=list(COLUMNS))


def _assets(cursor: sqlite3.Cursor, chosen: str | None, params: list[Any]) -> dict[int, Any]:
    """uid -> (uid, urls, earliest expiry, any expired, saved paths, their sha256), the lists
    joined with a separator (the table is stored in (uid, idx) order, so SQLite groups as it
    scans)."""
    where = f" WHERE uid IN ({chosen})" if chosen is not None else ""
    sql = (
        "SELECT uid, group_concat(CASE WHEN url LIKE 'data:%' THEN 'data:…' ELSE url END, "
        f"'{_SEP}'), min(expires_at), max(state = 'expired'), "
        f"group_concat(CASE WHEN state = 'saved' THEN path END, '{_SEP}'), "
        f"group_concat(CASE WHEN state = 'saved' THEN COALESCE(sha256, '') END, '{_SEP}') "
        f"FROM assets{where} GROUP BY uid"
    )
    return {row[0]: row for row in cursor.execute(sql, params)}


def _times(pd: Any, values: tuple[Any, ...]) -> Any:
    series = pd.to_datetime(pd.Series(values, dtype="float64"), unit="s", utc=True)
    return series.astype("datetime64[ns, UTC]")


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
