"""History: 100 000 rows to a DataFrame, and a first page of 50 rows.

The database is made with the package's own schema (``History`` creates it) and filled in bulk
with realistic rows: prompts, request JSON, tags, times, one result file per succeeded task.
Each read opens the history afresh, as ``seedance_nb.history()`` does in a new kernel.
"""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from table import Figure, median

from seedance_nb.lifecycle import History

ROWS = 100_000
GOAL = 1.0
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


def fill(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    History(path).conn  # noqa: B018 - creates the schema
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
        ))  # fmt: skip
        if status == "succeeded":
            url = (f"https://ark-content.example.com/{uid}.mp4?X-Tos-Date=20250101T000000Z"
                   "&X-Tos-Expires=86400&X-Tos-Signature=" + "ab" * 32)  # fmt: skip
            assets.append((uid, 0, "video", url, (finished or 0) + 86400, "saved",
                           f".seedance/media/{uid:06d}-cgt-{uid}-video-0.mp4", "ab" * 32,
                           2_400_000, "video/mp4", None, 1))  # fmt: skip
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO tasks (uid, id, provider, base_url, simulated, kind, model, mode, prompt,"
            " params, tags, status, raw_status, phase, create_state, submitted_at, sent_at,"
            " started_at, finished_at, updated_at, estimated_tokens, estimated_cost, tokens, cost,"
            " currency, error_code, error_message) VALUES (" + ", ".join("?" * 27) + ")",
            tasks,
        )
        conn.executemany(
            "INSERT INTO assets (uid, idx, kind, url, expires_at, state, path, sha256, size,"
            " content_type, error, attempts) VALUES (" + ", ".join("?" * 12) + ")",
            assets,
        )


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
    return [
        Figure(
            f"history {ROWS // 1000}k rows -> DataFrame (s)",
            f"{seconds:.2f}",
            f"< {GOAL:g} s",
            seconds < GOAL,
            f"median of {rounds}; database filled in {filled:.1f} s; a filtered read "
            f"(status, text, tag: {search[0][1]} rows) takes {median([t for t, _ in search]):.2f} s",
        ),
        Figure(
            "history first page of 50 rows (ms)",
            f"{median([t for t, _ in page]) * 1000:.1f}",
            "",
            None,
            f"median of {rounds}, newest first, from {ROWS // 1000}k rows",
        ),
    ]
