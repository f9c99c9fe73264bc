"""A task's output files and the URLs each dialect hands out for them."""

from __future__ import annotations

import hashlib
from functools import partial
from urllib.parse import urlencode

from .assets import Asset, AssetStore
from .clock import tos_date
from .media import ImagePlan, VideoPlan, render_image, render_last_frame, render_video
from .store import Task

ARK_TTL = 86_400  # X-Tos-Expires=86400 (FACTS §1.8)
CDN_TTL = 7 * 86_400  # the task API and the OpenAI-style route keep files 7 days

CONTENT_TYPES = {"mp4": "video/mp4", "png": "image/png", "jpeg": "image/jpeg"}


def attach_video(
    assets: AssetStore,
    task: Task,
    plan: VideoPlan,
    *,
    style: str,
    ttl: float,
    last_frame: bool = False,
) -> None:
    start = task.finish_time
    names = [f"{task.id}.mp4"]
    assets.add(Asset(names[0], "video/mp4", style, start, start + ttl, partial(render_video, plan)))
    if last_frame:
        names.append(f"{task.id}-last.png")
        produce = partial(render_last_frame, plan)
        assets.add(Asset(names[1], "image/png", style, start, start + ttl, produce))
    task.plan = plan
    task.assets = names


def add_images(
    assets: AssetStore, stem: str, plans: list[ImagePlan], *, style: str, start: float, ttl: float
) -> list[str]:
    names = []
    for index, plan in enumerate(plans):
        ext = "jpeg" if plan.fmt == "jpeg" else "png"
        name = f"{stem}-{index}.{ext}"
        assets.add(
            Asset(name, CONTENT_TYPES[ext], style, start, start + ttl, partial(render_image, plan))
        )
        names.append(name)
    return names


def ark_url(base_url: str, name: str, issued: float) -> str:
    """A TOS-style presigned URL (the signature is decorative; expiry is kept server-side)."""
    date = tos_date(issued)
    signature = hashlib.sha256(f"{name}|{date}".encode()).hexdigest()
    query = urlencode(
        {
            "X-Tos-Algorithm": "TOS4-HMAC-SHA256",
            "X-Tos-Credential": "sim/ark/tos/request",
            "X-Tos-Date": date,
            "X-Tos-Expires": str(ARK_TTL),
            "X-Tos-Signature": signature,
            "X-Tos-SignedHeaders": "host",
        }
    )
    return f"{base_url.rstrip('/')}/sim/media/tos/{name}?{query}"


def cdn_url(base_url: str, name: str, channel: str = "cdn") -> str:
    return f"{base_url.rstrip('/')}/sim/media/{channel}/{name}"
