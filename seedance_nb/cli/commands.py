"""The CLI commands that speak to a provider (or describe requests for one)."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from ..config import resolve_settings
from ..errors import TaskFailed
from .build import provider_for_body, request_from_args
from .output import SNAPSHOT_HEADERS, emit_json, note, snapshot_rows, table


def _provider(args: argparse.Namespace) -> str:
    return (
        provider_for_body(getattr(args, "body", None), args.provider)
        or resolve_settings(base_url=args.base_url, api_key="-").provider  # no key needed
    )


def _volcengine(args: argparse.Namespace, provider: str) -> bool:
    return resolve_settings(provider, base_url=args.base_url, api_key="-").volcengine


def _client(args: argparse.Namespace) -> Any:
    from ..sync import Seedance

    client = Seedance(_provider(args), base_url=args.base_url)
    if client.simulated:
        note(
            "note: no API key configured; talking to the built-in in-process simulator "
            "(set ARK_API_KEY or MAXAPI_KEY for the real API)"
        )
    return client


def models(args: argparse.Namespace) -> int:
    from .. import catalog

    provider = args.provider
    specs = catalog.models_for(provider)
    rows: list[dict[str, Any]] = []
    for spec in specs:
        providers = [provider] if provider else [p for p in catalog.PROVIDERS if p in spec.ids]
        for name in providers:
            caps = catalog.capabilities(spec, name)
            rows.append(
                {
                    "model": spec.short,
                    "kind": spec.kind,
                    "provider": name,
                    "wire_id": caps.wire_ids[0] if caps.wire_ids else "",
                    "resolutions": list(caps.resolutions or caps.size_tiers),
                    "ratios": list(caps.ratios),
                    "durations": [min(caps.durations), max(caps.durations)]
                    if caps.durations
                    else [],
                    "auto_duration": caps.auto_duration,
                    "modes": sorted(m.value for m in caps.modes),
                    "source": "user" if catalog.is_user_model(spec) else "built-in",
                }
            )
    if args.json:
        emit_json(rows)
        return 0
    table(
        [
            [
                r["model"],
                r["kind"],
                r["provider"],
                r["wire_id"],
                ",".join(r["resolutions"]),
                "-".join(map(str, r["durations"])) + (" or -1" if r["auto_duration"] else ""),
                ",".join(r["modes"]),
                r["source"],
            ]
            for r in rows
        ],
        ["model", "kind", "provider", "wire id", "resolutions", "seconds", "modes", "source"],
    )
    return 0


def validate(args: argparse.Namespace) -> int:
    from ..validation import validate as check

    request = request_from_args(args)
    provider = _provider(args)
    check(request, provider, volcengine=_volcengine(args, provider))
    if args.json:
        emit_json({"ok": True, "provider": provider, "mode": request.mode.value})
    else:
        print(f"ok: {request.summary()} is valid on {provider} (mode: {request.mode.value})")
    return 0


def estimate(args: argparse.Namespace) -> int:
    from ..cost import estimate as estimate_cost
    from ..validation import validate as check

    request = request_from_args(args)
    provider = _provider(args)
    volcengine = _volcengine(args, provider)
    check(request, provider, volcengine=volcengine)
    result = estimate_cost(request, provider, volcengine=volcengine)
    if args.json:
        emit_json(result)
        return 0
    amount = f"{result.amount:.4f} {result.currency}" if result.amount is not None else "unknown"
    print(f"tokens: {result.tokens if result.tokens is not None else 'unknown'}")
    print(f"cost:   {amount}")
    if result.price_basis:
        print(f"price:  {result.price_basis}")
    for line in result.assumptions:
        print(f"  - {line}")
    return 0


def submit(args: argparse.Namespace) -> int:
    from ..lifecycle import get_manager

    request = request_from_args(args)
    provider = _provider(args)
    if resolve_settings(provider, base_url=args.base_url).simulated:
        note(
            "note: no API key configured; submitting to the built-in in-process simulator, "
            "which forgets its tasks when this command ends (run `seedance simulator` and pass "
            "--base-url to keep them)"
        )
    task = get_manager().submit(request, provider=provider, base_url=args.base_url)
    if not args.wait:
        task_id = task.wait_created() if hasattr(task, "wait_created") else task.id
        _report(args, task, task_id=task_id)
        return 0
    from .progress import watch

    watch([task], timeout=args.timeout)
    try:
        task.wait(timeout=args.timeout)
    except TaskFailed:
        _report(args, task)
        return 1
    files = list(task.files)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        files = [Path(shutil.copy2(f, out / Path(f).name)) for f in files]
    _report(args, task, files=files)
    unsaved = [d for d in task.downloads if d.get("state") != "saved"]
    for item in unsaved:  # a paid result is never skipped silently
        note(
            f"seedance: {item.get('kind', 'result')} not saved ({item.get('state')}): "
            f"{item.get('error') or 'no reason given'}; try again with `seedance download "
            f"{task.id}`"
        )
    succeeded = task.status is not None and task.status.value == "succeeded"
    if succeeded and not files:
        note("seedance: the task succeeded but nothing was saved")
        return 1
    return 0 if succeeded else 1


def _report(
    args: argparse.Namespace,
    task: Any,
    *,
    task_id: str | None = None,
    files: list[Path] | None = None,
) -> None:
    data = {
        "uid": task.uid,
        "task_id": task_id or task.id,
        "provider": task.provider,
        "status": task.status.value if task.status else "submitting",
        "error_code": task.error_code,
        "error_message": task.error_message,
        "files": [str(f) for f in (files if files is not None else task.files)],
    }
    if args.json:
        emit_json(data)
        return
    print(f"task {data['task_id'] or data['uid']}: {data['status']}")
    if data["error_code"] or data["error_message"]:
        print(f"  error: {data['error_code'] or ''} {data['error_message'] or ''}".rstrip())
    for path in data["files"]:
        print(f"  {path}")


def status(args: argparse.Namespace) -> int:
    client = _client(args)
    snapshot = client.get(args.task_id)
    if args.json:
        emit_json(snapshot)
    else:
        table(snapshot_rows([snapshot]), SNAPSHOT_HEADERS)
    return 0


def cancel(args: argparse.Namespace) -> int:
    client = _client(args)
    client.cancel(args.task_id)
    if args.json:
        emit_json({"task_id": args.task_id, "cancelled": True})
    else:
        print(f"cancelled {args.task_id}")
    return 0


def list_tasks(args: argparse.Namespace) -> int:
    from ..errors import UnsupportedOperation
    from ..status import Status

    client = _client(args)
    wanted = Status(args.status) if args.status else None
    snapshots = client.list(task_ids=args.task_ids or None, status=wanted, page_size=args.page_size)
    if snapshots is None:
        raise UnsupportedOperation(
            f"{client.aio.provider} has no list endpoint. Fix: use `seedance history` for the "
            "tasks made from here, or --provider ark"
        )
    if args.json:
        emit_json(snapshots)
    else:
        table(snapshot_rows(snapshots), SNAPSHOT_HEADERS)
    return 0
