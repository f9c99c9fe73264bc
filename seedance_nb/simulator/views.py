"""A task as each dialect shows it (GET bodies, list items and callback bodies)."""

from __future__ import annotations

from typing import Any

from .clock import iso_micro
from .outputs import CDN_TTL, ark_url, cdn_url
from .store import CANCELLED, EXPIRED, FAILED, QUEUED, RUNNING, SUCCEEDED, Task


def ark_task(task: Task, now: float) -> dict[str, Any]:
    """FACTS §1.3. Actual ratio and duration appear once the video exists."""
    phase, since = task.phase_at(now)
    info = task.info
    done = phase == SUCCEEDED
    body: dict[str, Any] = {
        "id": task.id,
        "model": task.model,
        "status": phase,
        "error": None,
        "created_at": int(task.created),
        "updated_at": int(since),
        "seed": info["seed"],
        "resolution": info["resolution"],
        "ratio": info["ratio"] if done else info["ratio_requested"],
        "duration": info["duration"] if done else info["duration_requested"],
        "framespersecond": 24,
        "service_tier": info["service_tier"],
        "execution_expires_after": info["execution_expires_after"],
        "generate_audio": info["generate_audio"],
        "draft": info["draft"],
        "priority": info["priority"],
    }
    for key in ("frames", "draft_task_id", "safety_identifier", "tools"):
        if info.get(key) is not None:
            body[key] = info[key]
    if done:
        content = {"video_url": ark_url(task.base_url, task.assets[0], task.finish_time)}
        if len(task.assets) > 1:
            content["last_frame_url"] = ark_url(task.base_url, task.assets[1], task.finish_time)
        body["content"] = content
        body["usage"] = {"completion_tokens": info["tokens"], "total_tokens": info["tokens"]}
    elif phase in (FAILED, EXPIRED):
        body["error"] = {"code": task.error_code, "message": task.error_message}
    return body


# The task API's words. Queue time is split between PENDING and PROCESSING (the aggregator
# preparing the job); SUBMITTED is the upstream run.
def maxapi_status(task: Task, now: float) -> str:
    phase, _ = task.phase_at(now)
    if phase == QUEUED:
        return "PENDING" if now < task.created + task.queue_s / 2 else "PROCESSING"
    return {
        RUNNING: "SUBMITTED",
        SUCCEEDED: "SUCCESS",
        FAILED: "FAILURE",
        EXPIRED: "TIMEOUT",
        CANCELLED: "CANCELLED",
    }[phase]


def maxapi_task(task: Task, now: float) -> dict[str, Any]:
    """FACTS §7: the whole envelope, as GET and the callback send it."""
    phase, since = task.phase_at(now)
    if phase == QUEUED and now >= task.created + task.queue_s / 2:
        since = task.created + task.queue_s / 2
    result = None
    if phase == SUCCEEDED:
        kind = task.info.get("kind", "video")
        result = {"type": kind, "urls": [cdn_url(task.base_url, n) for n in task.assets]}
    data = {
        "taskId": task.id,
        "status": maxapi_status(task, now),
        "input": {"model": task.model, **(task.request.get("input") or {})},
        "result": result,
        "failure_reason": task.failure_reason if phase in (FAILED, EXPIRED) else None,
        "created_at": iso_micro(task.created),
        "updated_at": iso_micro(since),
    }
    return {"code": 0, "msg": "ok", "data": data}


OPENAI_WORDS = {
    QUEUED: "queued",
    RUNNING: "running",
    SUCCEEDED: "succeeded",
    FAILED: "failed",
    EXPIRED: "failed",
    CANCELLED: "canceled",
}


def openai_task(task: Task, now: float) -> dict[str, Any]:
    """Seed 003's route; its GET body is this simulator's choice (docs/simulator.md)."""
    phase, since = task.phase_at(now)
    body: dict[str, Any] = {
        "task_id": task.id,
        "status": OPENAI_WORDS[phase],
        "model": task.model,
        "created_at": int(task.created),
        "updated_at": int(since),
        "video_url": None,
        "expires_at": None,
        "error": None,
    }
    if phase == SUCCEEDED:
        channel = task.info.get("channel", "cdn")
        body["video_url"] = cdn_url(task.base_url, task.assets[0], channel)
        body["expires_at"] = int(task.finish_time + CDN_TTL)
    elif phase in (FAILED, EXPIRED):
        body["error"] = {"code": task.error_code, "message": task.error_message}
    return body


VIEWS = {"ark": ark_task, "maxapi": maxapi_task, "maxapi-openai": openai_task}


def generic_status(task: Task, now: float) -> str:
    """The word the task's own dialect uses, for the control listing."""
    if task.dialect == "maxapi":
        return maxapi_status(task, now)
    if task.dialect == "maxapi-openai":
        return OPENAI_WORDS[task.phase(now)]
    return task.phase(now)
