"""From a valid ModelArk request to the video it will produce (size, length, frames, tokens)."""

from __future__ import annotations

from typing import Any

from .assets import AssetStore
from .inputs import Seen, Unreadable, image_problem, look
from .media import VideoPlan, color_for
from .rules_ark import ArkVideoRequest, Item
from .store import SUCCEEDED, Store, Task
from .tables import FPS, closest_ratio
from .values import invalid

AUTO_DURATION = 5  # what the simulator "chooses" for duration -1


async def read_materials(
    assets: AssetStore, request: ArkVideoRequest, now: float
) -> dict[int, Seen]:
    """The materials the simulator can read, checked against the documented limits."""
    seen: dict[int, Seen] = {}
    for item in [*request.images, *request.videos, *request.audios]:
        where = f"content[{item.index}].{item.kind}_url"
        try:
            material = await look(assets, item.url, item.kind, now)
        except Unreadable as exc:
            raise invalid(where, str(exc)) from exc
        if material is None:
            continue
        if material.size is not None:
            problem = image_problem(material.size, len(material.data))
            if problem:
                raise invalid(where, problem)
        seen[item.index] = material
    _check_lengths(request.videos, seen, "video", each=(2.0, 15.0))
    _check_lengths(request.audios, seen, "audio", each=None)
    return seen


def _check_lengths(
    items: list[Item], seen: dict[int, Seen], kind: str, each: tuple[float, float] | None
) -> None:
    total = 0.0
    for item in items:
        length = seen[item.index].duration if item.index in seen else None
        if length is None:
            continue
        if each is not None and not each[0] <= length <= each[1] + 0.05:
            raise invalid(f"content[{item.index}].{kind}_url", f"each {kind} must last 2–15 s")
        total += length
    if total > 15.05:
        raise invalid("content", f"reference {kind}s must total 15 s or less")


def find_draft(store: Store, request: ArkVideoRequest, now: float) -> Task | None:
    if request.draft_task_id is None:
        return None
    draft = store.get(request.draft_task_id, "ark")
    if draft is None or not draft.info.get("draft") or draft.phase(now) != SUCCEEDED:
        raise invalid("content.draft_task.id", "no succeeded draft task with this id")
    return draft


def plan_video(
    request: ArkVideoRequest, seen: dict[int, Seen], store: Store, draft: Task | None
) -> tuple[VideoPlan, dict[str, Any]]:
    family = request.family
    if draft is not None:
        return _from_draft(request, draft)
    first = request.role("first_frame")
    last = request.role("last_frame")
    resolution = request.resolution or ("480p" if request.draft else family.default_resolution)
    default_ratio = "adaptive" if family.adaptive_for_text or first is not None else "16:9"
    ratio_requested = request.ratio or default_ratio
    ratio = ratio_requested
    if ratio == "adaptive":
        ratio = _adaptive(request, seen)
    duration_requested = request.duration if request.duration is not None else 5
    if request.frames is not None:
        frames = request.frames
        duration = round(frames / FPS)
    else:
        duration = AUTO_DURATION if duration_requested == -1 else duration_requested
        frames = FPS * duration + 1
    width, height = family.pixels[(resolution, ratio)]
    seed = request.seed if request.seed != -1 else store.random_seed(2**32)
    plan = VideoPlan(
        width=width,
        height=height,
        frames=frames,
        audio=family.audio and request.generate_audio,
        color=color_for(request.prompt, seed),
        first_frame=seen[first.index].data if first is not None and first.index in seen else None,
        last_frame=seen[last.index].data if last is not None and last.index in seen else None,
    )
    info = {
        "seed": seed,
        "resolution": resolution,
        "ratio": ratio,
        "ratio_requested": ratio_requested,
        "duration": duration,
        "duration_requested": duration_requested,
        "frames": request.frames,
        "service_tier": request.service_tier,
        "execution_expires_after": request.execution_expires_after,
        "generate_audio": plan.audio if family.audio else False,
        "draft": request.draft,
        "priority": request.priority,
        "safety_identifier": request.safety_identifier,
        "tools": request.tools,
        "tokens": width * height * frames // 1024,
    }
    return plan, info


def _adaptive(request: ArkVideoRequest, seen: dict[int, Seen]) -> str:
    """First frame's aspect; otherwise the first readable reference image; else 16:9."""
    for item in request.images:
        material = seen.get(item.index)
        if material is not None and material.size is not None:
            return closest_ratio(*material.size)
    return "16:9"


def _from_draft(request: ArkVideoRequest, draft: Task) -> tuple[VideoPlan, dict[str, Any]]:
    """A final video from a draft: same scene, seed and length; the resolution is asked anew."""
    info = dict(draft.info)
    resolution = request.resolution or request.family.default_resolution
    width, height = request.family.pixels[(resolution, info["ratio"])]
    old: VideoPlan = draft.plan
    plan = VideoPlan(
        width, height, old.frames, old.audio, old.color, old.first_frame, old.last_frame
    )
    info.update(
        resolution=resolution,
        draft=False,
        draft_task_id=draft.id,
        ratio_requested=info["ratio"],
        duration_requested=info["duration"],
        service_tier=request.service_tier,
        execution_expires_after=request.execution_expires_after,
        tokens=width * height * old.frames // 1024,
    )
    return plan, info
