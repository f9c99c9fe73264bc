"""CLI commands about this machine: the simulator server, the history, resume, downloads, demo."""

from __future__ import annotations

import argparse
import sys

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
        columns = [
            c for c in ("id", "status", "model", "mode", "submitted_at", "prompt") if c in frame
        ]
        rows = frame[columns].astype(str).values.tolist()
        table([[cell[:60] for cell in row] for row in rows], columns)
    return 0


def resume(args: argparse.Namespace) -> int:
    from ..lifecycle import resume as resume_tasks

    tasks = resume_tasks(wait=True)
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
    from ..lifecycle import download as fetch

    files = fetch(args.task_id)
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
