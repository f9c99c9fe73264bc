"""History: 100 000 rows to a DataFrame, and a first page of 50 rows, on SQLite and PostgreSQL.

The database is made with the package's own schema (``History`` creates it) and filled in bulk
with realistic rows: prompts, request JSON, tags, times, one result file per succeeded task.
Each SQLite read opens the history afresh, as ``seedance_nb.history()`` does in a new kernel.
The PostgreSQL figures need Debian's ``postgresql`` package: a throwaway server is started on
127.0.0.1 (tests/team/pg_server.py); without it they are left out, and the table says why.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from table import Figure, median

from seedance_nb.lifecycle import History

ROWS = 100_000
GOAL = 0.5  # seconds, SQLite
PG_GOAL = 1.0  # seconds, PostgreSQL
PAGE_GOAL = 20.0  # milliseconds, both
TASK_COLUMNS = ("uid, id, provider, base_url, simulated, kind, model, mode, prompt, params, tags, "
                "status, raw_status, phase, create_state, submitted_at, sent_at, started_at, "
                "finished_at, updated_at, estimated_tokens, estimated_cost, tokens, cost, "
                "currency, error_code, error_message, member")  # fmt: skip
ASSET_COLUMNS = ("uid, idx, kind, url, expires_at, state, path, sha256, size, content_type, "
                 "error, attempts")  # fmt: skip
STATUSES = ["succeeded"] * 7 + ["failed", "running", "queued", "expired", "cancelled"]
WORDS = [
    "a",
    "red",
    "fox",
    "runs",
    "through",
    "fresh",
    "snow",
    "at",
    "dawn",
    "under",
    "pine",
    "trees",
    "with",
    "soft",
    "light",
]


def make_rows(rows: int, seed: int = 1) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    rng = random.Random(seed)
    start = 1_750_000_000.0
    tasks, assets = [], []
    for uid in range(1, rows + 1):
        status = rng.choice(STATUSES)
        prompt = " ".join(rng.choices(WORDS, k=rng.randint(6, 24)))
        submitted = start + uid * 30.0
        params = {"model": "seedance-2.0", "resolution": "720p", "ratio": "16:9",
                  "duration": rng.choice([4, 5, 8, 10]), "seed": rng.randint(0, 2**31)}  # fmt: skip
        finished = submitted + rng.uniform(120, 4 * 3600) if status != "running" else None
        tasks.append((
            uid, f"cgt-{uid:014d}-x{uid % 997:04d}", "ark",
            "https://ark.ap-southeast.bytepluses.com/api/v3", 0, "video", "seedance-2.0",
            "text", prompt, json.dumps(params), json.dumps(rng.sample(["fox", "snow", "test",
            "v2"], k=rng.randint(0, 2))), status, status, "done" if finished else "polling",
            "acknowledged", submitted, submitted + 1, submitted + 30, finished, finished or
            submitted, 108900, 0.33, 108900 if status == "succeeded" else None,
            0.33 if status == "succeeded" else None, "USD",
            "OutputVideoSensitiveContentDetected" if status == "failed" else None,
            "the output video may contain sensitive content" if status == "failed" else None,
            rng.choice(["ada", "bo", "cy"]),
        ))  # fmt: skip
        if status == "succeeded":
            url = (f"https://ark-content.example.com/{uid}.mp4?X-Tos-Date=20250101T000000Z"
                   "&X-Tos-Expires=86400&X-Tos-Signature=" + "ab" * 32)  # fmt: skip
            assets.append((uid, 0, "video", url, (finished or 0) + 86400, "saved",
                           f".seedance/media/{uid:06d}-cgt-{uid}-video-0.mp4", "ab" * 32,
                           2_400_000, "video/mp4", None, 1))  # fmt: skip
    return tasks, assets


def fill(path: Path, rows: int, seed: int = 1) -> None:
    tasks, assets = make_rows(rows, seed)
    History(path).conn  # noqa: B018 - creates the schema
    with sqlite3.connect(path) as conn:
        conn.executemany(
            f"INSERT INTO tasks ({TASK_COLUMNS}) VALUES ({', '.join('?' * len(tasks[0]))})", tasks
        )
        conn.executemany(
            f"INSERT INTO assets ({ASSET_COLUMNS}) VALUES ({', '.join('?' * len(assets[0]))})",
            assets,
        )


def fill_postgres(url: str, rows: int, seed: int = 1) -> None:
    import psycopg

    from seedance_nb.lifecycle.history_pg import PostgresHistory

    tasks, assets = make_rows(rows, seed)
    PostgresHistory(url).frame(limit=0)  # creates the schema
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        for table, columns, data in (("tasks", TASK_COLUMNS, tasks),
                                     ("assets", ASSET_COLUMNS, assets)):  # fmt: skip
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for record in data:
                    copy.write_row(record)
        cursor.execute("ANALYZE")


def _time(path: Path, **filters) -> tuple[float, int]:
    history = History(path)
    start = time.perf_counter()
    frame = history.frame(**filters)
    took = time.perf_counter() - start
    history.close()
    return took, len(frame)


def run(quick: bool = False) -> list[Figure]:
    rounds = 1 if quick else 7
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.sqlite3"
        started = time.perf_counter()
        fill(path, ROWS)
        filled = time.perf_counter() - started
        _time(path, limit=50)  # warm the OS cache, as any second read would be
        full = [_time(path) for _ in range(rounds)]
        page = [_time(path, limit=50) for _ in range(rounds)]
        search = [_time(path, status="succeeded", text="fox", tag="snow") for _ in range(rounds)]
    assert full[0][1] == ROWS and page[0][1] == 50
    seconds = median([t for t, _ in full])
    page_ms = median([t for t, _ in page]) * 1000
    return [
        Figure(
            f"history {ROWS // 1000}k rows -> DataFrame, SQLite (s)",
            f"{seconds:.2f}",
            f"< {GOAL:g} s",
            seconds < GOAL,
            f"median of {rounds}; database filled in {filled:.1f} s; a filtered read "
            f"(status, text, tag: {search[0][1]} rows) takes {median([t for t, _ in search]):.2f} s",
        ),
        Figure(
            "history first page of 50 rows, SQLite (ms)",
            f"{page_ms:.1f}",
            f"< {PAGE_GOAL:g} ms",
            page_ms < PAGE_GOAL,
            f"median of {rounds}, newest first, from {ROWS // 1000}k rows, opening included",
        ),
        *_postgres(rounds),
    ]


def _postgres(rounds: int) -> list[Figure]:
    """The same reads from a real PostgreSQL server, when one can be started here."""
    tests = Path(__file__).resolve().parent.parent / "tests"
    if str(tests) not in sys.path:
        sys.path.insert(0, str(tests))
    from team.pg_server import PgServer, PgUnavailable

    from seedance_nb.lifecycle.history_pg import PostgresHistory

    name = f"history {ROWS // 1000}k rows -> DataFrame, PostgreSQL (s)"
    try:
        server = PgServer()
        server.start()
    except PgUnavailable as exc:
        reason = str(exc).splitlines()[0][:120]
        return [Figure(name, "n/a", f"< {PG_GOAL:g} s", None, f"no server: {reason}")]
    try:
        url = server.new_database()
        started = time.perf_counter()
        fill_postgres(url, ROWS)
        filled = time.perf_counter() - started
        history = PostgresHistory(url)
        history.frame(limit=50)  # connected, as a kernel's history is after its first use
        full, page = [], []
        for _ in range(rounds):
            begun = time.perf_counter()
            assert len(history.frame()) == ROWS
            full.append(time.perf_counter() - begun)
            begun = time.perf_counter()
            assert len(history.frame(limit=50)) == 50
            page.append(time.perf_counter() - begun)
        history.close()
        begun = time.perf_counter()
        fresh = PostgresHistory(url)
        fresh.frame(limit=50)
        opened = time.perf_counter() - begun
        fresh.close()
    finally:
        server.stop()
    seconds, page_ms = median(full), median(page) * 1000
    return [
        Figure(name, f"{seconds:.2f}", f"< {PG_GOAL:g} s", seconds < PG_GOAL,
               f"median of {rounds}; filled in {filled:.1f} s (COPY); local server"),
        Figure("history first page of 50 rows, PostgreSQL (ms)", f"{page_ms:.1f}",
               f"< {PAGE_GOAL:g} ms", page_ms < PAGE_GOAL,
               f"median of {rounds}, connection open; opening afresh (connect, schema check) "
               f"and reading it: {opened * 1000:.0f} ms"),
    ]  # fmt: skip
