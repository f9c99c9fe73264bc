"""The secret canary: a planted key, everything the package writes or raises collected, and a
scan for the key. ``Leaks`` gathers texts; the ``debug_log`` fixture records every log record at
DEBUG from every logger, formatted with its traceback."""

from __future__ import annotations

import logging
import secrets
import sqlite3
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from faults.wire import KEY_ENV


@pytest.fixture(autouse=True)
def _no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KEY_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def canary() -> str:
    """A fresh planted key; long and random so a hit can only be the key itself."""
    return "sk-canary-" + secrets.token_hex(16)


def verbose(exc: BaseException, *, frame_locals: bool = True) -> str:
    """Everything a verbose traceback shows: the chain (causes and contexts), every frame's
    locals (as ``%xmode Verbose`` prints them) and the repr of every exception in the chain."""
    parts = [
        "".join(
            traceback.TracebackException.from_exception(exc, capture_locals=frame_locals).format(
                chain=True
            )
        )
    ]
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        parts += [repr(current), str(current), repr(getattr(current, "__dict__", {}))]
        parts += [repr(a) for a in current.args]
        stack += [current.__cause__, current.__context__]
    return "\n".join(parts)


class Leaks:
    """Texts and bytes to scan, each with where it came from."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.texts: list[tuple[str, str]] = []
        self.blobs: list[tuple[str, bytes]] = []

    def text(self, where: str, value: Any) -> None:
        self.texts.append((where, value if isinstance(value, str) else repr(value)))

    def error(self, where: str, exc: BaseException, *, frame_locals: bool = True) -> None:
        self.texts.append((where, verbose(exc, frame_locals=frame_locals)))

    def file(self, where: str, path: Path) -> None:
        if path.exists():
            self.blobs.append((where, path.read_bytes()))

    def database(self, where: str, db: Path) -> None:
        """The database file, its WAL and shared-memory files, and every value in every table."""
        for suffix in ("", "-wal", "-shm", "-journal"):
            self.file(where + suffix, Path(str(db) + suffix))
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            for table in tables:
                for row in conn.execute(f"SELECT * FROM {table}"):
                    self.text(f"{where}:{table}", repr(row))

    def hits(self) -> list[str]:
        key = self.key
        found = [where for where, text in self.texts if key in text]
        found += [where for where, blob in self.blobs if key.encode() in blob]
        # The key's bytes in UTF-16 (SQLite can store text that way) or base64 would also count.
        import base64

        b64 = base64.b64encode(key.encode())[4:-4]
        found += [f"{where} (base64)" for where, blob in self.blobs if b64 in blob]
        found += [f"{where} (utf-16)" for where, blob in self.blobs
                  if key.encode("utf-16-le") in blob]  # fmt: skip
        return found

    @property
    def scanned(self) -> int:
        return len(self.texts) + len(self.blobs)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + repr(record.args) + repr(record.__dict__))


@pytest.fixture
def debug_log() -> Iterator[list[str]]:
    """Every log record of every logger at DEBUG, with its arguments and traceback."""
    root = logging.getLogger()
    handler = _Capture()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    quiet = {}
    for name in ("seedance_nb", "httpx", "httpcore", "asyncio", "seedance_nb.lifecycle"):
        logger = logging.getLogger(name)
        quiet[name] = logger.level
        logger.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        for name, old in quiet.items():
            logging.getLogger(name).setLevel(old)


@pytest.fixture
def leaks(canary: str) -> Leaks:
    return Leaks(canary)
