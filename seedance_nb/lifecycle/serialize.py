"""``Task.to_dict()``: a JSON-able snapshot for widgets, logs and the CLI (no key, no base64)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .record import TaskRecord


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=timezone.utc).isoformat()


def short_url(url: str) -> str:
    """Data URLs (inline base64 results) are shown as their type only."""
    if url.startswith("data:"):
        return url.split(",", 1)[0] + ",…"
    return url


def task_dict(task: TaskRecord, now: float) -> dict[str, Any]:
    """The fields widgets, logs and the CLI show, as of ``now``."""
    row = task.row
    estimate = task.estimate
    assets = []
    for f in task.downloads:
        expires = f.get("expires_at")
        assets.append(
            {
                "kind": f["kind"],
                "url": short_url(f["url"]),
                "expires_at": _iso(expires),
                "expired": f.get("state") == "expired"
                or (expires is not None and expires < now and f.get("state") != "saved"),
                "state": f.get("state", "pending"),
                "path": f.get("path"),
                "sha256": f.get("sha256"),
                "size": f.get("size"),
                "content_type": f.get("content_type"),
                "error": f.get("error"),
            }
        )
    return {
        "uid": task.uid,
        "id": task.id,
        "provider": task.provider,
        "base_url": task.base_url,
        "simulated": task.simulated,
        "kind": task.kind,
        "model": task.model,
        "mode": task.mode,
        "prompt": task.prompt,
        "params": task.params,
        "tags": list(task.tags),
        "parent_id": task.parent_id,
        "status": task.status.value if task.status else None,
        "raw_status": task.raw_status,
        "phase": task.phase,
        "create_state": task.create_state,
        "queue_position": task.queue_position,
        "progress": task.progress,
        "progress_note": task.progress_note,
        "eta": task.eta,
        "elapsed": task.elapsed,
        "submitted_at": _iso(row.get("submitted_at")),
        "started_at": _iso(row.get("started_at")),
        "finished_at": _iso(row.get("finished_at")),
        "assets": assets,
        "files": [str(p) for p in task.files],
        "error_code": task.error_code,
        "error_message": task.error_message,
        "poll_error": task.poll_error,
        "cancel_error": task.cancel_error,
        "candidates": list(task.candidates),
        "estimate": None
        if estimate is None
        else {
            "tokens": getattr(estimate, "tokens", None),
            "amount": getattr(estimate, "amount", None),
            "currency": getattr(estimate, "currency", None),
        },
        "tokens": task.tokens,
        "cost": task.cost,
        "currency": task.currency,
        "can_cancel": task.can_cancel,
        "cancel_reason": task.cancel_reason,
    }
