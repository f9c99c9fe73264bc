"""Materials: the images, videos and audio a request refers to, wherever they live.

A :class:`Material` wraps a URL, a data URL, a local path, raw bytes or a ``PIL.Image`` and knows
its kind (image / video / audio) and, optionally, its role. Local media can be measured (pixel
size with Pillow, duration with PyAV) so rules are checked before anything is sent. ``repr`` and
``summary`` never include file content or base64, so notebooks stay small.

>>> Material.of("https://example.com/dog.webp").kind
'image'
>>> Material.audio("https://example.com/music.mp3", role="reference_audio").summary()
'audio reference_audio https://example.com/music.mp3'
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any, Literal

from PIL import Image
from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator

from . import media_probe
from .media_probe import kind_from_bytes, kind_from_name, mime_for

Kind = Literal["image", "video", "audio"]
Role = Literal["first_frame", "last_frame", "reference_image", "reference_video", "reference_audio"]
Source = str | Path | bytes | Image.Image


class Material(BaseModel):
    """One input medium with its kind and (optional) role.

    >>> Material.image("https://example.com/a.png", role="first_frame").role
    'first_frame'
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    source: Source
    kind: Kind
    role: Role | None = None

    _cache: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _infer_kind(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") is None and "source" in data:
            data = {**data, "kind": infer_kind(data["source"])}
        return data

    # -- constructors ---------------------------------------------------------------------------
    @classmethod
    def image(cls, src: Source, role: Role | None = None) -> Material:
        """An image: URL, data URL, path, bytes or ``PIL.Image``."""
        return cls(source=src, kind="image", role=role)

    @classmethod
    def video(cls, src: Source, role: Role | None = None) -> Material:
        """A video (mp4 / mov): URL or local file."""
        return cls(source=src, kind="video", role=role)

    @classmethod
    def audio(cls, src: Source, role: Role | None = None) -> Material:
        """An audio clip (mp3 / wav): URL or local file."""
        return cls(source=src, kind="audio", role=role)

    @classmethod
    def of(cls, src: Source | Material, role: Role | None = None) -> Material:
        """A material whose kind is inferred from extension, data-URL mime or file signature."""
        if isinstance(src, Material):
            return src if role is None else src.with_role(role)
        return cls(source=src, kind=infer_kind(src), role=role)

    def with_role(self, role: Role | None) -> Material:
        """The same material with another role (the measured facts are kept)."""
        copy = type(self)(source=self.source, kind=self.kind, role=role)
        copy._cache.update(self._cache)
        return copy

    # -- where it lives -------------------------------------------------------------------------
    @property
    def is_local(self) -> bool:
        """True unless the source is an ``http(s)://`` URL (data URLs count as local content)."""
        return self.url_or_none is None

    @property
    def url_or_none(self) -> str | None:
        """The remote URL, or ``None`` for local content."""
        src = self.source
        if isinstance(src, str) and src.lower().startswith(("http://", "https://")):
            return src
        return None

    @property
    def path(self) -> Path | None:
        """The local file path, or ``None``."""
        src = self.source
        if isinstance(src, Path):
            return src
        if isinstance(src, str) and self.url_or_none is None and not _is_data_url(src):
            return Path(src).expanduser()
        return None

    @property
    def name(self) -> str:
        """A short, human name: file name, URL, or what kind of in-memory content it is."""
        url = self.url_or_none
        if url is not None:
            return url if len(url) <= 80 else url[:77] + "..."
        if self.path is not None:
            return self.path.name
        if isinstance(self.source, Image.Image):
            width, height = self.source.size
            return f"<PIL image {width}x{height}>"
        if isinstance(self.source, bytes):
            return f"<{len(self.source)} bytes>"
        return f"<data URL {self.mime()}>"

    # -- content --------------------------------------------------------------------------------
    def read_bytes(self) -> bytes:
        """The content of a local material (PIL images are encoded as PNG)."""
        src = self.source
        if self.url_or_none is not None:
            raise ValueError(f"{self.name} is a remote URL; its content is not read locally")
        if isinstance(src, bytes):
            return src
        if isinstance(src, Image.Image):
            if "png" not in self._cache:
                buffer = io.BytesIO()
                src.save(buffer, format="PNG")
                self._cache["png"] = buffer.getvalue()
            data: bytes = self._cache["png"]
            return data
        if isinstance(src, str) and _is_data_url(src):
            return base64.b64decode(src.split(",", 1)[1])
        assert self.path is not None
        return self.path.read_bytes()

    def mime(self) -> str:
        """Lower-case mime type, from the data URL, the file signature or the extension."""
        src = self.source
        if isinstance(src, str) and _is_data_url(src):
            return src[5:].split(";", 1)[0].split(",", 1)[0].lower()
        if isinstance(src, Image.Image):
            return "image/png"
        if self.is_local and self.exists():
            head = self._head()
            guess = mime_for(head=head, kind=self.kind)
            if guess:
                return guess
        return mime_for(name=self.name, kind=self.kind)

    def to_data_url(self) -> str:
        """``data:<mime>;base64,...`` for local content (what ModelArk takes for images)."""
        if isinstance(self.source, str) and _is_data_url(self.source):
            return self.source
        encoded = base64.b64encode(self.read_bytes()).decode("ascii")
        return f"data:{self.mime()};base64,{encoded}"

    def exists(self) -> bool:
        """Whether local content is there (a path that exists, bytes, PIL); True for URLs."""
        path = self.path
        return path is None or path.is_file()

    def byte_size(self) -> int | None:
        """Size in bytes of local content; ``None`` for remote URLs or missing files."""
        if self.url_or_none is not None or not self.exists():
            return None
        src = self.source
        if isinstance(src, str) and _is_data_url(src):
            payload = src.split(",", 1)[1]
            return len(payload) * 3 // 4 - payload[-2:].count("=")
        if self.path is not None:
            return self.path.stat().st_size
        return len(self.read_bytes())

    def pixel_size(self) -> tuple[int, int] | None:
        """``(width, height)`` of a local image (header only); ``None`` otherwise."""
        if self.kind != "image" or self.url_or_none is not None or not self.exists():
            return None
        if isinstance(self.source, Image.Image):
            return self.source.size
        facts = self._image_facts()
        return None if facts is None else facts[1]

    def image_format(self) -> str | None:
        """Lower-case Pillow format name (``"jpeg"``, ``"png"``, ...) of a local image."""
        if self.kind != "image" or self.url_or_none is not None or not self.exists():
            return None
        if isinstance(self.source, Image.Image):
            return "png"  # sent encoded as PNG
        facts = self._image_facts()
        return None if facts is None else facts[0]

    def duration_seconds(self) -> float | None:
        """Length of a local video/audio, measured with PyAV (cached); ``None`` when unknown."""
        if self.kind == "image" or self.url_or_none is not None or not self.exists():
            return None
        if "duration" not in self._cache:
            target: Path | bytes = self.path if self.path is not None else self.read_bytes()
            self._cache["duration"] = media_probe.duration_seconds(target)
        value: float | None = self._cache["duration"]
        return value

    def summary(self) -> str:
        """One short line for cards and history: kind, role, name (never content)."""
        bits = [self.kind, self.role or "", self.name]
        return " ".join(b for b in bits if b)

    def to_record(self) -> dict[str, Any]:
        """JSON-able description for history (no content)."""
        return {"kind": self.kind, "role": self.role, "source": self.name, "local": self.is_local}

    def __repr_args__(self) -> Any:
        # Paths and URLs as text (shortened); in-memory content only described, never shown.
        path = str(self.path) if self.path is not None else None
        yield "source", self.name if path is None or len(path) > 80 else path
        yield "kind", self.kind
        if self.role is not None:
            yield "role", self.role

    # -- internals ------------------------------------------------------------------------------
    def _head(self) -> bytes:
        if "head" not in self._cache:
            if self.path is not None:
                with self.path.open("rb") as handle:
                    self._cache["head"] = handle.read(64)
            else:
                self._cache["head"] = self.read_bytes()[:64]
        head: bytes = self._cache["head"]
        return head

    def _image_facts(self) -> tuple[str, tuple[int, int]] | None:
        if "image" not in self._cache:
            target: Path | bytes = self.path if self.path is not None else self.read_bytes()
            self._cache["image"] = media_probe.image_facts(target)
        facts: tuple[str, tuple[int, int]] | None = self._cache["image"]
        return facts


def _is_data_url(text: str) -> bool:
    return text[:5].lower() == "data:"


def infer_kind(src: Any) -> Kind:
    """Kind of a source from its data-URL mime, its bytes' signature or its extension.

    Raises ``ValueError`` when none of these tells; use ``Material.image/video/audio`` then.
    """
    if isinstance(src, Material):
        return src.kind
    if isinstance(src, Image.Image):
        return "image"
    if isinstance(src, bytes):
        kind = kind_from_bytes(src[:64])
    elif isinstance(src, str) and _is_data_url(src):
        major = src[5:].split("/", 1)[0].lower()
        kind = major if major in ("image", "video", "audio") else None  # type: ignore[assignment]
    else:
        kind = kind_from_name(str(src))
        path = Path(str(src)).expanduser()
        remote = str(src).lower().startswith(("http://", "https://"))
        if kind is None and not remote and path.is_file():
            with path.open("rb") as handle:
                kind = kind_from_bytes(handle.read(64))
    if kind is None:
        shown = f"<{len(src)} bytes>" if isinstance(src, bytes) else repr(str(src)[:60])
        raise ValueError(
            f"cannot tell whether {shown} is an image, video or audio; "
            "use Material.image(...), Material.video(...) or Material.audio(...)"
        )
    return kind
