"""ModelArk create-task rules (seeds 001 and 004, FACTS §1.2 and §1.9).

JSON ``null`` counts as "not given" for every optional field: the official SDK sends nulls.
Rules the documents do not state are not enforced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .tables import ARK_IMAGE_MODELS, ARK_VIDEO_MODELS, RATIOS, RESOLUTIONS, VideoFamily
from .values import Invalid, invalid, missing, opt_bool, opt_enum, opt_int, opt_str

IMAGE_ROLES = ("first_frame", "last_frame", "reference_image")
FRAME_ROLES = ("first_frame", "last_frame")
MEDIA_TYPES = {"image_url": "image", "video_url": "video", "audio_url": "audio"}
ROLE_FOR = {"video": ("reference_video",), "audio": ("reference_audio",), "image": IMAGE_ROLES}
MAX_REFERENCE_VIDEOS = 3
MAX_REFERENCE_AUDIOS = 3


@dataclass
class Item:
    index: int
    kind: str  # image | video | audio
    url: str
    role: str | None


@dataclass
class ArkVideoRequest:
    model: str
    family: VideoFamily
    prompt: str
    images: list[Item] = field(default_factory=list)
    videos: list[Item] = field(default_factory=list)
    audios: list[Item] = field(default_factory=list)
    draft_task_id: str | None = None
    resolution: str | None = None
    ratio: str | None = None
    duration: int | None = None
    frames: int | None = None
    seed: int = -1
    generate_audio: bool = True
    return_last_frame: bool = False
    service_tier: str = "default"
    execution_expires_after: int = 172800
    priority: int = 0
    draft: bool = False
    camera_fixed: bool = False
    watermark: bool = False
    callback_url: str | None = None
    safety_identifier: str | None = None
    tools: list[dict[str, Any]] | None = None

    def role(self, role: str) -> Item | None:
        return next((item for item in self.images if item.role == role), None)

    @property
    def references(self) -> list[Item]:
        return [item for item in self.images if item.role == "reference_image"]


def check_model(body: dict[str, Any]) -> tuple[str, VideoFamily]:
    model = body.get("model")
    if model is None or model == "":
        raise missing("model")
    if not isinstance(model, str):
        raise invalid("model", "must be a string")
    if model in ARK_IMAGE_MODELS:
        raise invalid("model", f"model {model} does not support video generation")
    family = ARK_VIDEO_MODELS.get(model)
    if family is None:
        raise Invalid(
            f"The model or endpoint {model} does not exist or you do not have access to it.",
            param="model",
            code="InvalidEndpointOrModel.NotFound",
            status=404,
        )
    return model, family


def parse_video(body: Any) -> ArkVideoRequest:
    if not isinstance(body, dict):
        raise invalid("body", "must be a JSON object")
    model, family = check_model(body)
    request = ArkVideoRequest(model=model, family=family, prompt="")
    _parse_content(body.get("content"), request)
    _check_media(request)
    _parse_options(body, request)
    return request


def _parse_content(content: Any, request: ArkVideoRequest) -> None:
    if content is None:
        raise missing("content")
    if not isinstance(content, list) or not content:
        raise invalid("content", "must be a non-empty array")
    texts: list[str] = []
    for index, item in enumerate(content):
        where = f"content[{index}]"
        if not isinstance(item, dict):
            raise invalid(where, "must be an object")
        kind = item.get("type")
        if kind is None:
            raise missing(f"{where}.type")
        if kind == "text":
            text = item.get("text")
            if not isinstance(text, str):
                raise (
                    missing(f"{where}.text")
                    if text is None
                    else invalid(where, "text must be a string")
                )
            texts.append(text)
        elif kind in MEDIA_TYPES:
            _add_media(request, index, kind, item)
        elif kind == "draft_task":
            draft = item.get("draft_task")
            task_id = draft.get("id") if isinstance(draft, dict) else None
            if not isinstance(task_id, str) or not task_id:
                raise missing(f"{where}.draft_task.id")
            if request.draft_task_id is not None:
                raise invalid("content", "at most one draft_task item")
            request.draft_task_id = task_id
        else:
            raise invalid(f"{where}.type", f"unknown content type {kind!r}")
    request.prompt = "\n".join(texts)


def _add_media(request: ArkVideoRequest, index: int, type_: str, item: dict[str, Any]) -> None:
    where = f"content[{index}]"
    kind = MEDIA_TYPES[type_]
    obj = item.get(type_)
    url = obj.get("url") if isinstance(obj, dict) else None
    if url is None or url == "":
        raise missing(f"{where}.{type_}.url")
    if not isinstance(url, str):
        raise invalid(f"{where}.{type_}.url", "must be a string")
    schemes = ("http://", "https://", "asset://") + (("data:image/",) if kind == "image" else ())
    if not url.startswith(schemes):
        raise invalid(f"{where}.{type_}.url", f"unsupported {kind} URL")
    role = item.get("role")
    if role is not None and role not in ROLE_FOR[kind]:
        raise invalid(f"{where}.role", f"role {role!r} is not valid for {type_}")
    target = {"image": request.images, "video": request.videos, "audio": request.audios}[kind]
    target.append(Item(index=index, kind=kind, url=url, role=role))


def _check_media(request: ArkVideoRequest) -> None:
    family, images = request.family, request.images
    unroled = [item for item in images if item.role is None]
    if unroled:
        explicit_refs = any(item.role == "reference_image" for item in images)
        if explicit_refs or request.videos or request.audios or len(images) > 2:
            default_roles: list[str] = ["reference_image"] * len(unroled)
        elif len(unroled) == len(images):
            default_roles = list(FRAME_ROLES[: len(images)])
        else:  # one image with a frame role, one without
            taken = {item.role for item in images if item.role}
            default_roles = [r for r in FRAME_ROLES if r not in taken][: len(unroled)]
        for item, role in zip(unroled, default_roles, strict=False):
            item.role = role
    roles = [item.role for item in images]
    if "reference_image" in roles and any(r in FRAME_ROLES for r in roles):
        raise invalid(
            "content", "first_frame/last_frame images cannot be mixed with reference_image"
        )
    for role in FRAME_ROLES:
        if roles.count(role) > 1:
            raise invalid("content", f"at most one image with role {role}")
    if "last_frame" in roles and "first_frame" not in roles:
        raise invalid("content", "a last_frame image needs a first_frame image")
    if "last_frame" in roles and not family.last_frame:
        raise invalid("content", f"model {request.model} does not support a last frame")
    for items in (request.videos, request.audios):
        if items and not family.multimodal:
            raise invalid(
                f"content[{items[0].index}].type",
                f"{items[0].kind} input is not supported by model {request.model}",
            )
    refs = request.references
    if refs and not family.multimodal:
        raise invalid(
            f"content[{refs[0].index}].role",
            f"reference images are not supported by model {request.model}",
        )
    if len(images) > 9:
        raise invalid("content", "at most 9 images")
    if len(request.videos) > MAX_REFERENCE_VIDEOS:
        raise invalid("content", f"at most {MAX_REFERENCE_VIDEOS} reference videos")
    if len(request.audios) > MAX_REFERENCE_AUDIOS:
        raise invalid("content", f"at most {MAX_REFERENCE_AUDIOS} reference audios")
    if request.audios and not images and not request.videos:
        raise invalid("content", "audio cannot be the only reference; add an image or a video")
    if request.draft_task_id is not None:
        if not family.draft:
            raise invalid("content", f"draft_task input is not supported by model {request.model}")
        if images or request.videos or request.audios:
            raise invalid("content", "a draft_task item cannot be combined with media")
    elif not request.prompt and not (images or request.videos):
        raise missing("content.text")


def _parse_options(body: dict[str, Any], r: ArkVideoRequest) -> None:
    f = r.family
    r.resolution = opt_enum(body, "resolution", RESOLUTIONS)
    if r.resolution is not None and r.resolution not in f.resolutions:
        raise invalid("resolution", f"{r.resolution} is not supported by model {r.model}")
    r.ratio = opt_enum(body, "ratio", (*RATIOS, "adaptive"))
    if r.ratio == "adaptive" and not f.adaptive_for_text and r.role("first_frame") is None:
        raise invalid("ratio", f"adaptive is only supported for image-to-video on model {r.model}")
    r.duration = opt_int(body, "duration")
    if r.duration is not None:
        low, high = f.durations
        auto = " or -1" if f.auto_duration else ""
        if not (low <= r.duration <= high or (r.duration == -1 and f.auto_duration)):
            raise invalid("duration", f"must be within [{low}, {high}]{auto} for model {r.model}")
    r.frames = opt_int(body, "frames")
    if r.frames is not None:
        if not f.frames:
            raise invalid("frames", f"frames is not supported by model {r.model}")
        if not (29 <= r.frames <= 289 and (r.frames - 25) % 4 == 0):
            raise invalid("frames", "must be 25 + 4n within [29, 289]")
    r.seed = opt_int(body, "seed", -1, -1, 4294967295)
    r.execution_expires_after = opt_int(body, "execution_expires_after", 172800, 3600, 259200)
    r.service_tier = opt_enum(body, "service_tier", ("default", "flex")) or "default"
    if r.service_tier == "flex" and not f.flex:
        raise invalid("service_tier", f"flex is not supported by model {r.model}")
    r.priority = opt_int(body, "priority", 0, 0, 9)
    if r.priority and not f.priority:
        raise invalid("priority", f"priority is not supported by model {r.model}")
    if r.priority and r.service_tier == "flex":
        raise invalid("priority", "priority cannot be used with service_tier flex")
    r.return_last_frame = opt_bool(body, "return_last_frame", False)
    r.draft = opt_bool(body, "draft", False)
    if r.draft:
        if not f.draft:
            raise invalid("draft", f"draft is not supported by model {r.model}")
        if r.resolution not in (None, "480p"):
            raise invalid("resolution", "draft videos are 480p only")
        if r.return_last_frame:
            raise invalid("return_last_frame", "not supported in draft mode")
        if r.service_tier == "flex":
            raise invalid("service_tier", "flex is not supported in draft mode")
    r.camera_fixed = opt_bool(body, "camera_fixed", False)
    if r.camera_fixed and (not f.camera_fixed or r.references):
        raise invalid("camera_fixed", f"camera_fixed is not supported here (model {r.model})")
    r.generate_audio = opt_bool(body, "generate_audio", True)
    r.watermark = opt_bool(body, "watermark", False)
    r.callback_url = opt_str(body, "callback_url")
    if r.callback_url is not None and not r.callback_url.startswith(("http://", "https://")):
        raise invalid("callback_url", "must be an http(s) URL")
    r.safety_identifier = opt_str(body, "safety_identifier")
    if r.safety_identifier is not None and len(r.safety_identifier) > 64:
        raise invalid("safety_identifier", "at most 64 characters")
    r.tools = _tools(body.get("tools"), r)


def _tools(tools: Any, r: ArkVideoRequest) -> list[dict[str, Any]] | None:
    if tools is None:
        return None
    if not isinstance(tools, list) or not all(
        isinstance(t, dict) and t.get("type") == "web_search" for t in tools
    ):
        raise invalid("tools", 'must be a list of {"type": "web_search"}')
    if tools and not r.family.tools:
        raise invalid("tools", f"tools are not supported by model {r.model}")
    return tools
