"""SIGKILL trials: start ``child.py`` against a served simulator, kill it at a chosen point, and
check what the next process finds. Shared by tests/durability and benchmarks/bench_durability.py.

What must hold after any kill:

* every task id the child reported as acknowledged is in the history;
* every task the simulator made is accounted for: a row holds its id, or a row whose create was
  in flight (``sent``, no id yet) can still be reconciled with it;
* ``PRAGMA integrity_check`` is ``ok``;
* every file under a final name in the media folder is complete: byte for byte what the server
  serves at its URL (temporary ``.part-*`` files are allowed, and counted).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from processes import die_with_parent

CHILD = Path(__file__).with_name("child.py")
FINAL_NAME = re.compile(r"^(\d{6})-.+-(video|last_frame|image)-(\d+)\.[a-z0-9]+$")
KEY_ENV = ("ARK_API_KEY", "MAXAPI_KEY", "SEEDANCE_PROVIDER", "SEEDANCE_BASE_URL", "SEEDANCE_HOME")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def served_simulator(
    queue: float = 0.3, run: float = 0.6, api_key: str | None = None
) -> Iterator[str]:
    """A simulator served for real (``serve``, uvicorn) in a child process on 127.0.0.1;
    yields its base URL. With ``api_key`` it accepts that key only."""
    port = free_port()
    code = (
        "from seedance_nb.simulator import serve, SimulatorConfig; "
        f"serve(port={port}, api_key={api_key!r}, "
        f"config=SimulatorConfig(queue_seconds={queue}, run_seconds={run}))"
    )
    server = subprocess.Popen([sys.executable, "-c", code], preexec_fn=die_with_parent)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/", timeout=0.5)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the simulator did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        server.kill()  # a test double: nothing to shut down gracefully
        server.wait(timeout=10)


@dataclass
class Trial:
    point: str
    lines: list[str] = field(default_factory=list)
    killed_after: str = ""  # the last line seen before the kill
    finished: bool = False  # the child ended on its own before the kill point

    @property
    def acknowledged(self) -> set[str]:
        return {line.split()[2] for line in self.lines if line.startswith("ACK ")}


def run_child(
    home: Path,
    base_url: str,
    *,
    count: int,
    marker: str | None = None,
    after: float | None = None,
    media_gap: float = 0.0,
    timeout: float = 60.0,
) -> Trial:
    """Run the child; SIGKILL it when a line starts with ``marker`` or ``after`` seconds from
    its first line (whichever is given)."""
    env = {k: v for k, v in os.environ.items() if k not in KEY_ENV}
    env["PYTHONUNBUFFERED"] = "1"
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(home), base_url + "/api/v3", str(count), str(media_gap)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        preexec_fn=die_with_parent,
    )
    trial = Trial(point=marker or f"+{after:.2f}s")
    assert child.stdout is not None
    watchdog = threading.Timer(timeout, child.kill)
    watchdog.start()
    started: float | None = None
    killer: threading.Timer | None = None
    try:
        for line in child.stdout:
            line = line.strip()
            trial.lines.append(line)
            if started is None:
                started = time.monotonic()
                if after is not None:
                    killer = threading.Timer(after, child.send_signal, (signal.SIGKILL,))
                    killer.start()
            if marker is not None and line.startswith(marker):
                child.send_signal(signal.SIGKILL)
                break
            if line == "ALLDONE":
                trial.finished = True
        trial.killed_after = trial.lines[-1] if trial.lines else ""
    finally:
        watchdog.cancel()
        if killer is not None:
            killer.cancel()
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        child.stdout.close()
    return trial


def check(home: Path, base_url: str, trial: Trial) -> tuple[list[str], int]:
    """Problems found after ``trial`` (empty: all held), and the number of ``.part-`` files."""
    problems: list[str] = []
    db = home / "history.sqlite3"
    if not db.exists():
        if trial.acknowledged:
            problems.append("no history database, yet tasks were acknowledged")
        return problems, 0
    with sqlite3.connect(db) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            problems.append(f"integrity_check: {integrity}")
        rows = conn.execute("SELECT uid, id, create_state FROM tasks").fetchall()
        assets = {(uid, idx): url for uid, idx, url in
                  conn.execute("SELECT uid, idx, url FROM assets")}  # fmt: skip
    ids = {task_id for _, task_id, _ in rows if task_id}
    in_flight = sum(
        1 for _, task_id, state in rows if not task_id and state in ("sent", "ambiguous")
    )
    lost = trial.acknowledged - ids
    if lost:
        problems.append(f"acknowledged ids missing from the history: {sorted(lost)}")
    upstream = {t["id"] for t in httpx.get(base_url + "/sim/control/tasks").json()["tasks"]}
    unknown = upstream - ids
    if len(unknown) > in_flight:
        problems.append(f"{len(unknown)} upstream tasks unaccounted for ({in_flight} in flight)")
    parts = 0
    media = home / "seedance-media"
    for path in sorted(media.iterdir()) if media.exists() else []:
        if path.name.startswith(".part-"):
            parts += 1
            continue
        found = FINAL_NAME.match(path.name)
        if found is None:
            problems.append(f"unexpected file {path.name}")
            continue
        url = assets.get((int(found.group(1)), int(found.group(3))))
        if url is None:
            problems.append(f"{path.name} has no asset row")
            continue
        expected = hashlib.sha256(httpx.get(url, timeout=30).content).hexdigest()
        if hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            problems.append(f"{path.name} is incomplete or differs from {url}")
    return problems, parts
