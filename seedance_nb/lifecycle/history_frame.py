"""The history as a pandas DataFrame: stable, documented columns and dtypes (docs/lifecycle.md).

pandas is imported here, on first use, never when the package is imported. Filtering happens in
SQL so a large history stays fast; one row per task, newest first.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
    "member": "string",  # who submitted it (SEEDANCE_MEMBER or the OS user name; never a key)
}

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


@dataclass(frozen=True)
class Dialect:
    """What differs between the databases in the frame's SQL: the parameter mark, a
    case-insensitive LIKE and the test for one tag in the JSON ``tags`` column."""

    mark: str
    ilike: str
    has_tag: str


SQLITE = Dialect("?", "LIKE", "EXISTS (SELECT 1 FROM json_each(t.tags) WHERE json_each.value = ?)")
POSTGRES = Dialect("%s", "ILIKE", "t.tags::jsonb @> jsonb_build_array(%s::text)")

# fetch(sql, params) -> rows as tuples
Fetch = Callable[[str, Sequence[Any]], Sequence[Sequence[Any]]]


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
) -> pd.DataFrame:
    import pandas as pd

    where, params = _where(dialect, status, model, since, text, tag)
    chosen = None
    if where or limit is not None:
        chosen = f"SELECT t.uid FROM tasks AS t{where} ORDER BY t.uid DESC"
        if limit is not None:
            chosen += f" LIMIT {int(limit)}"
    # Most tasks have one result file: it comes with the row; any others in a second query.
    columns = ", ".join(f"t.{c}" for c in _TASK_COLUMNS)
    sql = (
        f"SELECT {columns}, a.url, a.expires_at, a.state, a.path, a.sha256 FROM tasks AS t "
        "LEFT JOIN assets AS a ON a.uid = t.uid AND a.idx = 0"
        + (f" WHERE t.uid IN ({chosen})" if chosen else "")
        + " ORDER BY t.uid DESC"
    )
    rows = fetch(sql, params)
    extra = _more_files(fetch, chosen, params)
    names = [*_TASK_COLUMNS, "_url", "_expires", "_state", "_path", "_sha"]
    raw = dict(zip(names, zip(*rows, strict=True), strict=True)) if rows else {}
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
    files = _files(raw, extra, time.time())
    data["result_urls"] = pd.Series(files[0], dtype="object")
    data["urls_expire_at"] = _times(pd, tuple(files[1]))
    data["urls_expired"] = pd.array(files[2], dtype="boolean")
    data["files"] = pd.Series(files[3], dtype="object")
    data["sha256"] = pd.Series(files[4], dtype="object")
    return pd.DataFrame(data, columns=list(COLUMNS))


def _more_files(
    fetch: Fetch, chosen: str | None, params: list[Any]
) -> dict[int, list[tuple[Any, ...]]]:
    """Result files after the first, per task (video + last frame, image sets)."""
    sql = "SELECT uid, url, expires_at, state, path, sha256 FROM assets WHERE idx > 0"
    if chosen is not None:
        sql += f" AND uid IN ({chosen})"
    found: dict[int, list[tuple[Any, ...]]] = {}
    for uid, *rest in fetch(sql + " ORDER BY uid, idx", params):
        found.setdefault(uid, []).append(tuple(rest))
    return found


def _files(raw: dict[str, Any], extra: dict[int, list[tuple[Any, ...]]], now: float) -> Any:
    """The five file columns: URLs, earliest expiry, expired?, saved paths, their sha256."""
    none: tuple[str, ...] = ()
    urls: list[tuple[str, ...]] = []
    soonest: list[float | None] = []
    dead: list[bool | None] = []
    paths: list[tuple[str, ...]] = []
    hashes: list[tuple[str, ...]] = []
    columns = ("uid", "_url", "_expires", "_state", "_path", "_sha")
    for uid, url, expires, state, path, sha in zip(*(raw.get(c, ()) for c in columns),
                                                    strict=True):  # fmt: skip
        if url is None:
            urls.append(none)
            soonest.append(None)
            dead.append(None)
            paths.append(none)
            hashes.append(none)
            continue
        more = extra.get(uid)
        if more is not None:
            _several(url, expires, state, path, sha, more, now,
                     (urls, soonest, dead, paths, hashes))  # fmt: skip
            continue
        saved = state == "saved" and bool(path)
        urls.append(("data:…",) if url.startswith("data:") else (url,))
        soonest.append(expires)
        # A URL past its expiry whose file was never saved is dead even if nobody tried it.
        dead.append(state == "expired" or (not saved and expires is not None and expires < now))
        paths.append((path,) if saved else none)
        hashes.append((sha or "",) if saved else none)
    return urls, soonest, dead, paths, hashes


def _several(url: str, expires: Any, state: Any, path: Any, sha: Any,
             more: list[tuple[Any, ...]], now: float, out: tuple[list[Any], ...]) -> None:  # fmt: skip
    files = [(url, expires, state, path, sha), *more]
    saved = [f for f in files if f[2] == "saved" and f[3]]
    times = [f[1] for f in files if f[1] is not None]
    first = min(times) if times else None
    gone = any(f[2] == "expired" for f in files)
    out[0].append(tuple("data:…" if f[0].startswith("data:") else f[0] for f in files))
    out[1].append(first)
    out[2].append(gone or (not saved and first is not None and first < now))
    out[3].append(tuple(f[3] for f in saved))
    out[4].append(tuple(f[4] or "" for f in saved))


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
