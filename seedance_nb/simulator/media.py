"""Real synthetic media: H.264/AAC MP4 videos, PNG/JPEG images, last-frame PNGs.

Frames are low-entropy on purpose (a flat background or the given first frame, one small moving
square) so even 1080p files stay small and encode quickly. Everything here is pure and blocking;
callers run it in a worker thread.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import av
import numpy as np
from PIL import Image

from .tables import FPS

AUDIO_RATE = 48_000


@dataclass(frozen=True)
class VideoPlan:
    """What a finished video looks like: size, length, sound, first/last frame images."""

    width: int
    height: int
    frames: int
    audio: bool
    color: tuple[int, int, int]
    first_frame: bytes | None = None  # encoded image bytes (PNG, JPEG, ...)
    last_frame: bytes | None = None


@dataclass(frozen=True)
class ImagePlan:
    width: int
    height: int
    color: tuple[int, int, int]
    base: bytes | None = None  # a reference image to start from
    index: int = 0  # position in a group, so siblings differ
    fmt: str = "png"


def color_for(*parts: object) -> tuple[int, int, int]:
    """A stable mid-saturation colour for a prompt and seed."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return (40 + digest[0] % 160, 40 + digest[1] % 160, 40 + digest[2] % 160)


def fit(data: bytes, width: int, height: int) -> np.ndarray:
    """Decode an image, centre-crop it to width:height and resize it (as ModelArk documents)."""
    with Image.open(io.BytesIO(data)) as opened:
        image = opened.convert("RGB")
    src_w, src_h = image.size
    target = width / height
    if src_w / src_h > target:
        crop_w = max(1, round(src_h * target))
        left = (src_w - crop_w) // 2
        image = image.crop((left, 0, left + crop_w, src_h))
    else:
        crop_h = max(1, round(src_w / target))
        top = (src_h - crop_h) // 2
        image = image.crop((0, top, src_w, top + crop_h))
    if image.size != (width, height):
        image = image.resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(image, dtype=np.uint8)


def solid(width: int, height: int, color: tuple[int, int, int]) -> np.ndarray:
    return np.broadcast_to(np.array(color, dtype=np.uint8), (height, width, 3)).copy()


def rgb_to_yuv420(rgb: np.ndarray) -> np.ndarray:
    """BT.601 limited-range planar YUV 4:2:0, flattened the way ``VideoFrame.from_ndarray`` wants."""
    height, width, _ = rgb.shape
    f = rgb.astype(np.float32) / 255.0
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    y = 16 + 65.481 * r + 128.553 * g + 24.966 * b
    u = 128 - 37.797 * r - 74.203 * g + 112.0 * b
    v = 128 + 112.0 * r - 93.786 * g - 18.214 * b

    def half(plane: np.ndarray) -> np.ndarray:
        return plane.reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))

    planes = (y, half(u), half(v))
    flat = np.concatenate([np.clip(np.rint(p), 0, 255).astype(np.uint8).ravel() for p in planes])
    return flat


def _square(width: int, height: int, index: int, frames: int) -> tuple[int, int, int]:
    """Position (x, y) and side of the moving square in frame ``index`` (even coordinates)."""
    side = max(8, (min(width, height) // 8) & ~1)
    travel = width - side
    x = (travel * index // max(1, frames - 1)) & ~1
    y = ((height - side) // 2) & ~1
    return x, y, side


SQUARE_RGB = (235, 235, 235)


def _draw_square_yuv(flat: np.ndarray, width: int, height: int, x: int, y: int, side: int) -> None:
    luma = flat[: width * height].reshape(height, width)
    quarter = (width // 2) * (height // 2)
    u = flat[width * height : width * height + quarter].reshape(height // 2, width // 2)
    v = flat[width * height + quarter :].reshape(height // 2, width // 2)
    sy, su, sv = _SQUARE_YUV
    luma[y : y + side, x : x + side] = sy
    u[y // 2 : (y + side) // 2, x // 2 : (x + side) // 2] = su
    v[y // 2 : (y + side) // 2, x // 2 : (x + side) // 2] = sv


_SQUARE_YUV = tuple(int(c) for c in rgb_to_yuv420(solid(2, 2, SQUARE_RGB))[[0, 4, 5]])


def _bases(plan: VideoPlan) -> tuple[np.ndarray, np.ndarray | None]:
    if plan.first_frame is not None:
        first = fit(plan.first_frame, plan.width, plan.height)
    else:
        first = solid(plan.width, plan.height, plan.color)
    last = fit(plan.last_frame, plan.width, plan.height) if plan.last_frame is not None else None
    return first, last


def _fade_start(frames: int) -> int:
    return (2 * frames) // 3


def render_video(plan: VideoPlan) -> bytes:
    """Encode the whole video: H.264 yuv420p at 24 fps, plus mono AAC when ``plan.audio``."""
    first_rgb, last_rgb = _bases(plan)
    first = rgb_to_yuv420(first_rgb)
    last = rgb_to_yuv420(last_rgb) if last_rgb is not None else None
    w, h, n = plan.width, plan.height, plan.frames
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = w, h, "yuv420p"
        video.options = {"preset": "ultrafast", "crf": "30", "threads": "1"}
        audio = container.add_stream("aac", rate=AUDIO_RATE, layout="mono") if plan.audio else None
        per_frame = AUDIO_RATE // FPS
        for index in range(n):
            flat = _frame_yuv(first, last, w, h, index, n)
            frame = av.VideoFrame.from_ndarray(flat.reshape(h * 3 // 2, w), format="yuv420p")
            frame.pts = index
            container.mux(video.encode(frame))
            if audio is not None:
                container.mux(audio.encode(_tone(index * per_frame, per_frame)))
        container.mux(video.encode(None))
        if audio is not None:
            container.mux(audio.encode(None))
    return buffer.getvalue()


def _frame_yuv(
    first: np.ndarray, last: np.ndarray | None, w: int, h: int, index: int, n: int
) -> np.ndarray:
    if index == 0:
        return first
    if last is not None and index == n - 1:
        return last
    flat = first.copy()
    if last is not None and index >= _fade_start(n):
        alpha = (index - _fade_start(n)) / max(1, n - 1 - _fade_start(n))
        flat = np.rint(first * (1 - alpha) + last * alpha).astype(np.uint8)
    _draw_square_yuv(flat, w, h, *_square(w, h, index, n))
    return flat


def _tone(start: int, count: int) -> av.AudioFrame:
    t = (np.arange(start, start + count, dtype=np.float64)) / AUDIO_RATE
    samples = (0.05 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32).reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
    frame.sample_rate = AUDIO_RATE
    frame.pts = start
    return frame


def last_frame_rgb(plan: VideoPlan) -> np.ndarray:
    first, last = _bases(plan)
    n = plan.frames
    if n == 1:
        return first
    if last is not None:
        return last
    rgb = first.copy()
    x, y, side = _square(plan.width, plan.height, n - 1, n)
    rgb[y : y + side, x : x + side] = SQUARE_RGB
    return rgb


def render_last_frame(plan: VideoPlan) -> bytes:
    """The video's last frame as PNG, same width and height, no watermark."""
    return encode_image(last_frame_rgb(plan), "png")


def render_image(plan: ImagePlan) -> bytes:
    """A still of the asked size: the reference image (if any) or a flat colour, with a band."""
    if plan.base is not None:
        rgb = fit(plan.base, plan.width, plan.height)
    else:
        rgb = solid(plan.width, plan.height, plan.color)
    band = max(4, plan.height // 10)
    top = (plan.height // 2 + plan.index * band) % max(1, plan.height - band)
    rgb[top : top + band, :] = SQUARE_RGB
    return encode_image(rgb, plan.fmt)


def encode_image(rgb: np.ndarray, fmt: str) -> bytes:
    out = io.BytesIO()
    image = Image.fromarray(rgb)
    if fmt == "jpeg":
        image.save(out, format="JPEG", quality=85)
    else:
        image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of an encoded image, or None if it is not one Pillow reads."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:
        return None


def media_duration(data: bytes) -> float | None:
    """Seconds of an encoded video or audio file, or None if PyAV cannot tell."""
    try:
        with av.open(io.BytesIO(data)) as container:
            if container.duration:
                return float(container.duration) / 1_000_000
            for stream in container.streams:
                if stream.duration and stream.time_base:
                    return float(stream.duration * stream.time_base)
    except Exception:
        return None
    return None
