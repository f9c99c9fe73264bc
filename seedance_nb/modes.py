"""Generation modes, and how materials decide them.

The rule is seed 000's table: 1 image → first frame, 2 images → first and last frame, 3+ images →
multi-image reference, anything with a video or audio → multimodal reference. Roles the user set
explicitly win over counting: ``reference_image`` roles make a reference request even with one or
two images (something only ModelArk can express).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .materials import Material, Role


class Mode(str, enum.Enum):
    """What kind of generation a request is. ``str`` so it compares and serialises as its value."""

    TEXT = "text"
    FIRST_FRAME = "first_frame"
    FIRST_LAST_FRAME = "first_last_frame"
    MULTI_REFERENCE = "multi_reference"
    MULTIMODAL = "multimodal"
    DRAFT = "draft"  # a final video made from a draft task (content = the draft task id)
    TEXT_TO_IMAGE = "text_to_image"
    IMAGE_TO_IMAGE = "image_to_image"

    def __str__(self) -> str:
        return self.value


# The OpenAI-style route (seed 003) names its four modes itself.
OPENAI_MODES = {
    Mode.TEXT: "text_to_video",
    Mode.FIRST_FRAME: "image_to_video",
    Mode.FIRST_LAST_FRAME: "first_last_frame",
    Mode.MULTI_REFERENCE: "multi_ref",
    Mode.MULTIMODAL: "multi_ref",
}

_FRAME_ROLES = {"first_frame", "last_frame"}


def video_mode(materials: Sequence[Material], *, draft_task_id: str | None = None) -> Mode:
    """The mode a video request's materials select (seed 000's table, explicit roles first).

    >>> from seedance_nb.materials import Material
    >>> photo = Material.image("https://example.com/fox.png")
    >>> [str(video_mode([photo] * n)) for n in range(4)]
    ['text', 'first_frame', 'first_last_frame', 'multi_reference']
    >>> str(video_mode([photo, Material.audio("https://example.com/song.mp3")]))
    'multimodal'
    """
    if draft_task_id:
        return Mode.DRAFT
    if not materials:
        return Mode.TEXT
    if any(m.kind in ("video", "audio") for m in materials):
        return Mode.MULTIMODAL
    roles = {m.role for m in materials if m.role is not None}
    if "reference_image" in roles:
        return Mode.MULTI_REFERENCE
    if roles & _FRAME_ROLES:
        # Explicit frame roles keep frame mode even with a wrong count; validation reports it.
        if len(materials) > 1 or "last_frame" in roles:
            return Mode.FIRST_LAST_FRAME
        return Mode.FIRST_FRAME
    return {1: Mode.FIRST_FRAME, 2: Mode.FIRST_LAST_FRAME}.get(len(materials), Mode.MULTI_REFERENCE)


def fill_roles(materials: Sequence[Material], mode: Mode) -> list[Material]:
    """Materials with every role filled in for ``mode``; explicit roles are kept.

    In first-and-last-frame mode the first frame is put first, as every dialect expects.
    """
    taken = {m.role for m in materials if m.role is not None}
    filled: list[Material] = []
    for item in materials:
        role = item.role or _default_role(item, mode, taken)
        if role is not None:
            taken.add(role)
        filled.append(item if role == item.role else item.with_role(role))
    if mode is Mode.FIRST_LAST_FRAME:
        filled.sort(key=lambda m: 0 if m.role == "first_frame" else 1)
    return filled


def _default_role(item: Material, mode: Mode, taken: set[Role]) -> Role | None:
    if item.kind == "video":
        return "reference_video"
    if item.kind == "audio":
        return "reference_audio"
    if mode is Mode.FIRST_FRAME:
        return "first_frame"
    if mode is Mode.FIRST_LAST_FRAME:
        return "last_frame" if "first_frame" in taken else "first_frame"
    if mode in (Mode.MULTI_REFERENCE, Mode.MULTIMODAL):
        return "reference_image"
    return None
