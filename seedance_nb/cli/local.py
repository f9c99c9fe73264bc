"""CLI commands about this machine: the simulator server, the history, resume, downloads, demo."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .output import emit_json, note, table


def simulator(args: argparse.Namespace) -> int:
    from ..simulator import SimulatorConfig, serve

    note(
        f"seedance simulator: http://127.0.0.1:{args.port}  "
        f"(ark base URL http://127.0.0.1:{args.port}/api/v3; maxapi and maxapi-openai "
        f"http://127.0.0.1:{args.port}); "
        + ("only the key given with --api-key is accepted" if args.api_key else "any key works")
    )
    serve(
        host="127.0.0.1",
        port=args.port,
        api_key=args.api_key,
        config=SimulatorConfig(
            queue_seconds=args.queue_seconds, run_seconds=args.run_seconds, api_key=args.api_key
        ),
    )
    return 0


def history(args: argparse.Namespace) -> int:
    from ..lifecycle import history as load

    frame = load(
        status=args.status, model=args.model, text=args.text, tag=args.tag, limit=args.limit
    )
    if args.json:
        sys.stdout.write(frame.to_json(orient="records", date_format="iso", indent=2) + "\n")
    elif args.csv:
        sys.stdout.write(frame.to_csv(index=False))
    else:
        table(*history_rows(frame))
    return 0


def history_rows(frame: Any) -> tuple[list[list[str]], list[str]]:
    """The history as a readable table: short times, cost with its currency, prompts cut."""
    headers = ["uid", "task id", "status", "model", "submitted", "cost", "prompt"]
    rows = []
    for record in frame.to_dict("records"):
        when = record.get("submitted_at")
        cost = record.get("cost")
        if cost is None or cost != cost:  # NaN: not known
            cost = record.get("estimated_cost")
            cost = None if cost is None or cost != cost else f"≈{cost:.2f}"
        elif isinstance(cost, float):
            cost = f"{cost:.2f}"
        currency = record.get("currency") if isinstance(record.get("currency"), str) else ""
        prompt = " ".join(str(record.get("prompt") or "").split())
        rows.append(
            [
                str(record.get("uid", "")),
                str(record.get("id") or ""),
                str(record.get("status") or record.get("phase") or ""),
                str(record.get("model") or ""),
                when.strftime("%Y-%m-%d %H:%M") if hasattr(when, "strftime") else "",
                f"{cost} {currency}".strip() if cost is not None else "",
                prompt if len(prompt) <= 48 else prompt[:47] + "…",
            ]
        )
    return rows, headers


def resume(args: argparse.Namespace) -> int:
    from ..lifecycle import TaskGroup, get_manager
    from ..lifecycle import resume as resume_tasks
    from .progress import watch

    tasks = resume_tasks()
    if tasks:
        watch(tasks)
        TaskGroup(get_manager(), tasks, "resume").wait()
    rows = [
        [t.uid, t.id or "", t.status.value if t.status else "unknown", t.provider] for t in tasks
    ]
    if args.json:
        emit_json(
            [dict(zip(("uid", "task_id", "status", "provider"), row, strict=True)) for row in rows]
        )
    else:
        note(f"resumed {len(rows)} unfinished task(s)")
        if rows:
            table(rows, ["uid", "task id", "status", "provider"])
    return 0


def adopt(args: argparse.Namespace) -> int:
    """Settle a lost create: the given upstream task id is what it made; then follow it."""
    from ..lifecycle import adopt as take

    try:
        task = take(args.uid, args.task_id) if args.uid is not None else take(args.task_id)
    except (ValueError, KeyError) as exc:
        print(f"seedance: refused: {exc}", file=sys.stderr)
        return 2
    if args.wait:
        task.wait()
    status = task.status.value if task.status else "unknown"
    if args.json:
        emit_json({"uid": task.uid, "task_id": task.id, "status": status})
    else:
        note(f"task #{task.uid} adopted {task.id}: {status}")
    return 0


def download(args: argparse.Namespace) -> int:
    from ..lifecycle import get_manager
    from .progress import watch

    handle = get_manager().download(args.task_id)
    watch([handle])
    files = handle.wait().files
    if args.json:
        emit_json({"task_id": args.task_id, "files": [str(f) for f in files]})
    else:
        for path in files:
            print(path)
    return 0


def demo(args: argparse.Namespace) -> int:
    from ..demo import run_demo

    folder = run_demo(args.out)
    print(folder)
    return 0
