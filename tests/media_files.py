"""Small real media files for tests: images with Pillow, videos and audio with PyAV.

Everything is tiny (32×32 video at 8 fps, 8 kHz mono audio) so a whole set is made in well under
a second. Files that must be "large" are padded sparsely: their headers stay valid and nothing
big is written to disk.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

MB = 1024 * 1024


def image(path: Path, size: tuple[int, int], fmt: str = "PNG") -> Path:
    Image.new("RGB", size, (200, 80, 40)).save(path, format=fmt)
    return path


def padded(path: Path, total_bytes: int) -> Path:
    """Grow a file to ``total_bytes`` without writing the bytes (a sparse tail)."""
    with path.open("r+b") as handle:
        handle.truncate(total_bytes)
    return path


def video(path: Path, seconds: float, fps: int = 8) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width = stream.height = 32
        stream.pix_fmt = "yuv420p"
        for index in range(round(seconds * fps)):
            pixels = np.full((32, 32, 3), (index * 7) % 255, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def audio(path: Path, seconds: float, codec: str = "pcm_s16le", rate: int = 8000) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "mono"
        chunk = 1152 if codec != "pcm_s16le" else 800
        samples = int(seconds * rate)
        for start in range(0, samples, chunk):
            count = min(chunk, samples - start)
            fmt = "s16" if codec == "pcm_s16le" else "s16p"
            data = np.zeros((1, count), dtype=np.int16)
            frame = av.AudioFrame.from_ndarray(data, format=fmt, layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            frame.time_base = Fraction(1, rate)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def make_all(folder: Path) -> dict[str, Path]:
    """Every named file the tests and ``rule_cases`` refer to."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "png": image(folder / "frame.png", (640, 640)),
        "png2": image(folder / "frame2.png", (640, 640)),
        "jpeg": image(folder / "photo.jpg", (800, 600), "JPEG"),
        "webp": image(folder / "pic.webp", (640, 640), "WEBP"),
        "tiff": image(folder / "scan.tiff", (640, 640), "TIFF"),
        "png_small": image(folder / "small.png", (100, 100)),
        "png_tiny": image(folder / "tiny.png", (10, 10)),
        "png_wide": image(folder / "wide.png", (1500, 500)),
        "png_31mb": padded(image(folder / "huge.png", (640, 640)), 31 * MB),
        "png_11mb": padded(image(folder / "big.png", (640, 640)), 11 * MB),
        "png_25mb_a": padded(image(folder / "a25.png", (640, 640)), 25 * MB),
        "png_25mb_b": padded(image(folder / "b25.png", (640, 640)), 25 * MB),
        "png_25mb_c": padded(image(folder / "c25.png", (640, 640)), 25 * MB),
        "video_1s": video(folder / "v1.mp4", 1),
        "video_2s": video(folder / "v2.mp4", 2),
        "video_8s": video(folder / "v8.mp4", 8),
        "video_8s_b": video(folder / "v8b.mp4", 8),
        "video_16s": video(folder / "v16.mp4", 16),
        "video_51mb": padded(video(folder / "v51.mp4", 2), 51 * MB),
        "audio_6s": audio(folder / "a6.wav", 6),
        "audio_6s_b": audio(folder / "a6b.wav", 6),
        "audio_6s_c": audio(folder / "a6c.wav", 6),
        "audio_16s": audio(folder / "a16.wav", 16),
        "audio_6s_mp3": audio(folder / "a6.mp3", 6, codec="libmp3lame", rate=22050),
        "audio_16mb": padded(audio(folder / "a16mb.wav", 2), 16 * MB),
    }
    broken = folder / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypisom" + b"not really a video" * 8)
    files["video_broken"] = broken
    files["missing"] = folder / "does-not-exist.png"
    return files
