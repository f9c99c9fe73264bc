"""Hypothesis strategies for requests on every dialect, and the simulator's verdict on them.

Requests are drawn over models × dialects × options × materials; materials are remote URLs, so
neither side measures them (the simulator never fetches remote URLs, the validator cannot) and
both judge the same facts. Values are drawn from each option's valid set plus its near misses
(one past each end, a wrong spelling), so both accepts and refusals are common.

Roles are drawn on ModelArk only: the other two wires carry bare URL lists (the mode follows
from the counts), so a role there is a local-only fact.

Only options a dialect can carry are drawn: the validator refuses the others (``maxapi cannot
carry seed``) while the adapter has no field to put them in, so the simulator never sees them —
a local-only rule by construction, excluded here and tested in tests/test_validation_*.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from hypothesis import strategies as st

from seedance_nb import catalog
from seedance_nb.materials import Material
from seedance_nb.providers import adapter_for
from seedance_nb.requests import ImageRequest, VideoRequest

BASE = {"ark": "/api/v3", "maxapi": "", "maxapi-openai": ""}
MAYBE_BOOL = st.sampled_from([None, True, False])

IMAGE_URLS = [f"https://cdn.example.com/in/photo{i}.{ext}" for i, ext in
              enumerate(["png", "jpg", "webp", "jpeg"])]  # fmt: skip
VIDEO_URLS = ["https://cdn.example.com/in/clip0.mp4", "https://cdn.example.com/in/clip1.mov"]
AUDIO_URLS = ["https://cdn.example.com/in/song0.mp3", "https://cdn.example.com/in/voice1.wav"]
ROLES = {
    "image": [None, "first_frame", "last_frame", "reference_image"],
    "video": [None, "reference_video"],
    "audio": [None, "reference_audio"],
}


@st.composite
def materials(draw: st.DrawFn, *, max_items: int = 5, roles: bool = True) -> list[Material]:
    count = draw(st.integers(0, max_items))
    out = []
    for _ in range(count):
        kind = draw(st.sampled_from(["image", "image", "image", "video", "audio"]))
        urls = {"image": IMAGE_URLS, "video": VIDEO_URLS, "audio": AUDIO_URLS}[kind]
        role = draw(st.sampled_from(ROLES[kind])) if roles else None
        out.append(Material(source=draw(st.sampled_from(urls)), kind=kind, role=role))
    return out


VIDEO_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "resolution": st.sampled_from([None, "480p", "720p", "1080p", "2k"]),
    "ratio": st.sampled_from(
        [None, "16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive", "5:4"]
    ),
    "duration": st.sampled_from([None, -1, 0, 2, 3, 4, 5, 8, 10, 12, 13, 15, 16]),
    "frames": st.sampled_from([None, 25, 29, 30, 57, 121, 289, 293]),
    "seed": st.sampled_from([None, -2, -1, 0, 42, 2**32 - 1, 2**32]),
    "generate_audio": MAYBE_BOOL,
    "camera_fixed": MAYBE_BOOL,
    "watermark": MAYBE_BOOL,
    "return_last_frame": MAYBE_BOOL,
    "service_tier": st.sampled_from([None, "default", "flex", "turbo"]),
    "execution_expires_after": st.sampled_from([None, 3599, 3600, 86400, 259200, 259201]),
    "priority": st.sampled_from([None, 0, 5, 9, 10]),
    "draft": MAYBE_BOOL,
    "tools": st.sampled_from([None, ["web_search"]]),
    "safety_identifier": st.sampled_from([None, "user-123", "x" * 65]),
    "fallback": MAYBE_BOOL,
    "route_mode": st.sampled_from([None, "official", "official-cheap", "mix", "fastest"]),
    "asset_delivery": st.sampled_from([None, "mirror", "direct"]),
}
IMAGE_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "size": st.sampled_from(
        [
            None,
            "1K",
            "2K",
            "4K",
            "2048x2048",
            "1024x1024",
            "1000x1000",
            "2560x1440",
            "4096x4096",
            "4097x4096",
            "8000x500",
        ]
    ),
    "ratio": st.sampled_from([None, "1:1", "4:3", "16:9", "3:2", "21:9", "9:21"]),
    "resolution": st.sampled_from([None, "1k", "2k", "4k", "8k"]),
    "n": st.sampled_from([None, 1, 2, 4, 5, 15, 16]),
    "seed": st.sampled_from([None, -1, 0, 7, 2**31 - 1, 2**32]),
    "sequential": st.sampled_from([None, "auto", "disabled"]),
    "max_images": st.sampled_from([None, 1, 3, 15, 16]),
    "watermark": MAYBE_BOOL,
    "response_format": st.sampled_from([None, "url"]),
    "guidance_scale": st.sampled_from([None, 1.0, 5.5, 10.0, 10.5]),
    "output_format": st.sampled_from([None, "png", "jpeg"]),
}


@dataclass(frozen=True)
class Case:
    provider: str
    request: VideoRequest | ImageRequest

    def __repr__(self) -> str:
        return f"Case({self.provider!r}, {self.request!r})"


@st.composite
def cases(draw: st.DrawFn) -> Case:
    provider = draw(st.sampled_from(catalog.PROVIDERS))
    spec = draw(st.sampled_from(catalog.models_for(provider)))
    options = catalog.capabilities(spec, provider).options
    values = VIDEO_VALUES if spec.kind == "video" else IMAGE_VALUES
    fields: dict[str, Any] = {"model": spec.short, "prompt": "a red fox running in fresh snow"}
    for name, strategy in values.items():
        if name in options and draw(st.booleans()):
            fields[name] = draw(strategy)
    if spec.kind == "video":
        if "materials" in options:
            # Only ModelArk carries roles; the other wires list URLs and infer the mode.
            fields["materials"] = draw(materials(roles=provider == "ark"))
        return Case(provider, VideoRequest(**fields))
    if "images" in options:
        fields["images"] = [m.with_role(None) if m.role else m for m in
                            draw(materials(max_items=3)) if m.kind == "image"]  # fmt: skip
    return Case(provider, ImageRequest(**fields))


@dataclass(frozen=True)
class Verdict:
    accepted: bool | None  # None: no body could be built, so nothing was sent
    detail: str


async def simulator_verdict(http: httpx.AsyncClient, case: Case) -> Verdict:
    """Send the adapter-built body to the in-process simulator and read its verdict.

    ModelArk and the OpenAI-style route refuse synchronously (4xx). The task API refuses only the
    structure synchronously; bad values make a task that fails at once with INVALID_PARAMETERS.
    """
    adapter = adapter_for(case.provider)
    try:
        call = adapter.build_create(case.request)
    except Exception as exc:  # the client validates first; only refused requests reach this
        return Verdict(None, f"no body: {type(exc).__name__}: {exc}")
    response = await http.request(call.method, BASE[case.provider] + call.path, json=call.json)
    if response.status_code >= 400:
        return Verdict(False, f"HTTP {response.status_code}: {response.text[:300]}")
    body = response.json()
    if case.provider != "maxapi":
        return Verdict(True, "created")
    task_id = body["data"]["taskId"]
    task = (await http.get(f"/api/v1/task/{task_id}")).json()["data"]
    if task.get("failure_reason") == "INVALID_PARAMETERS":
        listing = (await http.get("/sim/control/tasks")).json()["tasks"]
        detail = next((t["detail"] for t in listing if t["id"] == task_id), None)
        return Verdict(False, f"INVALID_PARAMETERS: {detail}")
    return Verdict(True, "created")
