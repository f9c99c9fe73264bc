"""How the CLI prints: a short human table, or JSON with ``--json``. Notes go to stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items() if k != "raw"}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def emit_json(value: Any) -> None:
    print(json.dumps(_plain(value), indent=2, ensure_ascii=False, default=str))


def note(text: str) -> None:
    print(text, file=sys.stderr)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> None:
    """A table on stdout: drawn by ``rich`` on a terminal, plain aligned columns when piped."""
    from rich.console import Console

    console = Console(highlight=False)
    if console.is_terminal:
        from rich.table import Table

        drawn = Table(*headers, header_style="bold", expand=False)
        for row in rows:
            drawn.add_row(*("" if c is None else str(c) for c in row))
        console.print(drawn)
        return
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        if index == 0:
            print("  ".join("-" * width for width in widths))


def snapshot_rows(snapshots: Sequence[Any]) -> list[list[Any]]:
    return [
        [
            s.id,
            s.status.value,
            s.model or "",
            s.updated_at.isoformat(timespec="seconds") if s.updated_at else "",
            s.error_code or "",
            " ".join(a.url[:60] for a in s.assets),
        ]
        for s in snapshots
    ]


SNAPSHOT_HEADERS = ["id", "status", "model", "updated", "error", "assets"]
