"""Request models: what to generate, independent of the API dialect that will carry it.

``None`` means "not set: the provider's default". Unknown fields are refused with their name (so a
typo never silently drops an option); every other rule is checked by
:func:`seedance_nb.validation.check`, which reports all problems at once.

>>> req = VideoRequest(prompt="Blow out candles", materials=["https://example.com/photo.jpg"])
>>> req.mode
<Mode.FIRST_FRAME: 'first_frame'>
>>> req.with_changes(duration=8).duration
8
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, field_validator

from . import catalog, errors, request_bodies
from .materials import Material
from .modes import Mode, fill_roles, video_mode
from .problems import problems_from_pydantic


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    model: str
    prompt: str = ""
    tags: list[str] = []
    parent_id: str | None = None

    def __init__(self, **data: Any) -> None:
        # One error tree for the package: pydantic's errors become errors.ValidationError.
        try:
            super().__init__(**data)
        except pydantic.ValidationError as exc:
            raise errors.ValidationError(problems_from_pydantic(type(self), exc)) from None

    @field_validator("tools", mode="before", check_fields=False)
    @classmethod
    def _tool_names(cls, value: Any) -> Any:
        # Accept the wire shape [{"type": "web_search"}] as well as ["web_search"].
        if isinstance(value, list | tuple):
            return [v.get("type") if isinstance(v, dict) else v for v in value]
        return value

    def with_changes(self, **changes: Any) -> Any:
        """A new request with some fields changed (for rerun / fork); it is validated again."""
        current = {name: getattr(self, name) for name in type(self).model_fields}
        return type(self)(**{**current, **changes})

    def fields_set(self) -> dict[str, Any]:
        """The generation options the user set (not ``None`` / empty), without model and prompt."""
        skip = {"model", "prompt", "tags", "parent_id"}
        return {
            name: value
            for name in type(self).model_fields
            if name not in skip and (value := getattr(self, name)) not in (None, [], ())
        }

    def _record(self, media: list[Material]) -> dict[str, Any]:
        record: dict[str, Any] = {"kind": self.kind, "model": self.model, "prompt": self.prompt}
        record["mode"] = self.mode.value
        for name, value in self.fields_set().items():
            if name not in ("materials", "images"):
                record[name] = list(value) if isinstance(value, list | tuple) else value
        record["materials"] = [m.to_record() for m in media]
        record["tags"] = list(self.tags)
        record["parent_id"] = self.parent_id
        return record

    def __repr_args__(self) -> Any:
        # Only what was set: a notebook repr of a request should fit on a line or two.
        yield "model", self.model
        if self.prompt:
            yield "prompt", self.prompt
        yield from self.fields_set().items()

    @property
    @abstractmethod
    def inputs(self) -> list[Material]:
        """The input media: ``materials`` of a video request, ``images`` of an image request."""
        ...

    @property
    @abstractmethod
    def kind(self) -> Literal["video", "image"]: ...

    @property
    @abstractmethod
    def mode(self) -> Mode: ...


class VideoRequest(_Request):
    """A Seedance video generation.

    Materials decide the mode (seed 000): one image is the first frame, two are first and last
    frame, three or more are references, any video or audio makes it multimodal.

    >>> VideoRequest(model="seedance-2.0", prompt="@1 dances to @2",
    ...              materials=["https://example.com/dancer.jpg", "https://example.com/music.mp3"],
    ...              duration=8).mode.value
    'multimodal'
    """

    model: str = "seedance-2.0"
    materials: list[Material] = []
    resolution: str | None = None
    ratio: str | None = None
    duration: int | None = None
    frames: int | None = None
    seed: int | None = None
    generate_audio: bool | None = None
    camera_fixed: bool | None = None
    watermark: bool | None = None
    return_last_frame: bool | None = None
    service_tier: str | None = None
    execution_expires_after: int | None = None
    priority: int | None = None
    draft: bool | None = None
    draft_task_id: str | None = None
    tools: list[str] | None = None
    safety_identifier: str | None = None
    callback_url: str | None = None
    fallback: bool | None = None
    route_mode: str | None = None
    asset_delivery: str | None = None

    @field_validator("materials", mode="before")
    @classmethod
    def _materials(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [Material.of(v) for v in value]
        return value

    @field_validator("resolution", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def inputs(self) -> list[Material]:
        return list(self.materials)

    @property
    def kind(self) -> Literal["video", "image"]:
        return "video"

    @property
    def mode(self) -> Mode:
        return video_mode(self.materials, draft_task_id=self.draft_task_id)

    def resolved_materials(self) -> list[Material]:
        """Materials with roles filled in from the mode: what the adapters send."""
        return fill_roles(self.materials, self.mode)

    def output_size(self, provider: str) -> tuple[int, int] | None:
        """Output width × height on ``provider``; ``None`` when the ratio is ``adaptive``."""
        spec = catalog.resolve(self.model, provider)
        caps = catalog.capabilities(spec, provider)
        ratio = self.ratio or caps.default_ratio
        if self.ratio is None and caps.adaptive_needs_image and self.materials:
            ratio = "adaptive"  # seed 004: image-to-video defaults to adaptive on 1.0 models
        return catalog.video_size(spec, self.resolution or caps.default_resolution, ratio)

    def summary(self) -> str:
        """One line: model, mode, the main options and the start of the prompt."""
        bits = [self.model, self.mode.value]
        bits += [str(v) for v in (self.resolution, self.ratio) if v]
        if self.duration is not None:
            bits.append("auto length" if self.duration == -1 else f"{self.duration}s")
        if self.frames is not None:
            bits.append(f"{self.frames} frames")
        if self.materials:
            bits.append(f"{len(self.materials)} material(s)")
        return " · ".join(bits) + _prompt_tail(self.prompt)

    def to_record(self) -> dict[str, Any]:
        """JSON-able dict for history; materials as short descriptions, never content."""
        return self._record(self.resolved_materials())

    @classmethod
    def from_ark_body(cls, body: dict[str, Any]) -> VideoRequest:
        """Parse a ModelArk create-task body (seeds 001, 004) as the documents write it."""
        return cls(**request_bodies.ark_video(body))

    @classmethod
    def from_maxapi_body(cls, body: dict[str, Any]) -> VideoRequest:
        """Parse a maxapi task-submit body for Seedance (seed 000)."""
        return cls(**request_bodies.maxapi_video(body))

    @classmethod
    def from_openai_body(cls, body: dict[str, Any]) -> VideoRequest:
        """Parse an OpenAI-style ``/v1/videos/generations`` body (seed 003)."""
        kwargs, mode = request_bodies.openai_video(body)
        request = cls(**kwargs)
        request_bodies.check_openai_mode(mode, request.mode)
        return request


class ImageRequest(_Request):
    """A Seedream image generation (text-to-image, or image-to-image when ``images`` are given).

    >>> ImageRequest(prompt="Transform to watercolor style", images=["https://example.com/a.jpg"],
    ...              ratio="16:9", resolution="2k").mode.value
    'image_to_image'
    """

    model: str = "seedream-4.5"
    images: list[Material] = []
    size: str | None = None
    ratio: str | None = None
    resolution: str | None = None
    n: int | None = None
    seed: int | None = None
    sequential: str | None = None
    max_images: int | None = None
    watermark: bool | None = None
    response_format: str | None = None
    guidance_scale: float | None = None
    optimize_prompt: str | None = None
    output_format: str | None = None
    tools: list[str] | None = None

    @field_validator("images", mode="before")
    @classmethod
    def _images(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [v if isinstance(v, Material) else Material.image(v) for v in value]
        return value

    @field_validator("size", "resolution", mode="before")
    @classmethod
    def _tier_case(cls, value: Any, info: pydantic.ValidationInfo) -> Any:
        # Canonical spellings: ModelArk size tiers are "2K", maxapi resolutions are "2k".
        if not isinstance(value, str):
            return value
        value = value.strip()
        if info.field_name == "resolution":
            return value.lower()
        return value.upper() if value[:-1].isdigit() and value[-1:] in "kK" else value

    @property
    def inputs(self) -> list[Material]:
        return list(self.images)

    @property
    def kind(self) -> Literal["video", "image"]:
        return "image"

    @property
    def mode(self) -> Mode:
        return Mode.IMAGE_TO_IMAGE if self.images else Mode.TEXT_TO_IMAGE

    def resolved_materials(self) -> list[Material]:
        """The reference images, each with the ``reference_image`` role."""
        return [m if m.role else m.with_role("reference_image") for m in self.images]

    def output_size(self, provider: str) -> tuple[int, int] | None:
        """Output width × height on ``provider`` (a tier without a ratio is taken as square)."""
        spec = catalog.resolve(self.model, provider)
        caps = catalog.capabilities(spec, provider)
        ratio, resolution = self.ratio, self.resolution
        if self.size is None and provider != "ark":
            ratio, resolution = ratio or caps.default_ratio, resolution or caps.default_resolution
        try:
            return catalog.image_size(spec, size=self.size, ratio=ratio, resolution=resolution)
        except ValueError:
            return None

    def summary(self) -> str:
        """One line: model, mode, size and the start of the prompt."""
        bits = [self.model, self.mode.value]
        bits += [str(v) for v in (self.size, self.ratio, self.resolution) if v]
        if self.n:
            bits.append(f"n={self.n}")
        if self.images:
            bits.append(f"{len(self.images)} image(s)")
        return " · ".join(bits) + _prompt_tail(self.prompt)

    def to_record(self) -> dict[str, Any]:
        """JSON-able dict for history; images as short descriptions, never content."""
        return self._record(self.resolved_materials())

    @classmethod
    def from_ark_body(cls, body: dict[str, Any]) -> ImageRequest:
        """Parse a ModelArk ``/images/generations`` body (FACTS §3)."""
        return cls(**request_bodies.ark_image(body))

    @classmethod
    def from_maxapi_body(cls, body: dict[str, Any]) -> ImageRequest:
        """Parse a maxapi task-submit body for Seedream (seed 002)."""
        return cls(**request_bodies.maxapi_image(body))


Request = VideoRequest | ImageRequest


def _prompt_tail(prompt: str) -> str:
    text = " ".join(prompt.split())
    if not text:
        return ""
    return f" · “{text[:48]}…”" if len(text) > 48 else f" · “{text}”"
