"""Requests as stored in the history, so a task can be sent again (resume, rerun) later.

``params`` (the documented column) is the request's own ``to_record()``: short, for people. The
internal ``request`` column keeps what is needed to rebuild it: every field, and each material as
its URL or absolute file path. Content held only in memory (bytes, PIL images, data URLs) is never
written to the history; a request with such a material cannot be rebuilt from another session.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from ..errors import ConfigError

_MEDIA_FIELDS = ("materials", "images")


def request_to_json(request: Any) -> str:
    """JSON that :func:`request_from_json` turns back into an equal request (if rebuildable)."""
    fields: dict[str, Any] = {}
    missing: list[str] = []
    for name in type(request).model_fields:
        value = getattr(request, name)
        if name in _MEDIA_FIELDS:
            items = []
            for index, material in enumerate(value):
                source = material.url_or_none
                if source is None and material.path is not None:
                    source = str(material.path.expanduser().resolve())
                if source is None:
                    missing.append(f"{name}[{index}] ({material.name})")
                    continue
                items.append({"source": source, "kind": material.kind, "role": material.role})
            fields[name] = items
        elif isinstance(value, (str, int, float, bool, type(None))):
            fields[name] = value
        elif isinstance(value, (list, tuple)):
            fields[name] = [getattr(v, "value", v) for v in value]
        else:
            fields[name] = getattr(value, "value", str(value))
    return json.dumps({"kind": request.kind, "fields": fields, "missing": missing})


def request_from_json(text: str) -> Any:
    """The request stored by :func:`request_to_json`; ConfigError if it cannot be rebuilt."""
    from ..materials import Material
    from ..requests import ImageRequest, VideoRequest

    data = json.loads(text)
    if data.get("missing"):
        raise ConfigError(
            "this request used content that lived only in memory ("
            + ", ".join(data["missing"])
            + "), so it cannot be rebuilt from the history. Fix: pass the request again, "
            "or use files or URLs for materials"
        )
    fields = dict(data["fields"])
    for name in _MEDIA_FIELDS:
        if name in fields:
            fields[name] = [
                Material(source=m["source"], kind=m["kind"], role=m.get("role"))
                for m in fields[name]
            ]
    cls = VideoRequest if data.get("kind") == "video" else ImageRequest
    return cls(**fields)


def submission_row(
    request: Any,
    settings: Any,
    estimate: Any,
    *,
    tags: list[str],
    parent_id: str | None,
    now: float,
    session: str,
    owner: str,
) -> dict[str, Any]:
    """The history row written before a request is sent (``create_state`` ``pending``)."""
    return {
        "provider": settings.provider,
        "base_url": settings.base_url,
        "simulated": int(settings.simulated),
        "kind": request.kind,
        "model": request.model,
        "mode": getattr(request.mode, "value", str(request.mode)),
        "prompt": request.prompt,
        "params": json.dumps(request.to_record(), ensure_ascii=False, default=str),
        "request": request_to_json(request),
        "parent_id": parent_id or request.parent_id,
        "tags": json.dumps(tags, ensure_ascii=False),
        "status": None,
        "phase": "submitting",
        "create_state": "pending",
        "submitted_at": now,
        "updated_at": now,
        "estimated_tokens": getattr(estimate, "tokens", None),
        "estimated_cost": getattr(estimate, "amount", None),
        "currency": getattr(estimate, "currency", None),
        "notebook": notebook_path(),
        "session": session,
        "owner": owner,
    }


def attached_row(
    task_id: str, settings: Any, *, now: float, session: str, owner: str
) -> dict[str, Any]:
    """The row for a task made elsewhere and attached by its id (no request known)."""
    return {
        "id": task_id,
        "provider": settings.provider,
        "base_url": settings.base_url,
        "simulated": int(settings.simulated),
        "phase": "polling",
        "create_state": "attached",
        "submitted_at": now,
        "updated_at": now,
        "tags": "[]",
        "notebook": notebook_path(),
        "session": session,
        "owner": owner,
    }


def notebook_path() -> str | None:
    """The notebook's path when a Jupyter front end told the kernel (never imports IPython)."""
    path = os.environ.get("JPY_SESSION_NAME")
    if path:
        return path
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None) if ipython else None
    shell = get() if get else None
    namespace = getattr(shell, "user_ns", None) or {}
    value = namespace.get("__session__") or namespace.get("__vsc_ipynb_file__")
    return str(value) if value else None
