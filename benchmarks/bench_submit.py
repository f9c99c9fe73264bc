"""The cost of one submit before anything is sent: request model, local validation, the body
(with a 5 MB local image encoded as a base64 data URL) and its JSON encoding.

Every round builds a fresh request (measurements of the material are cached per object) from the
same file, which the OS keeps cached, as it would for a user resubmitting from a notebook.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from table import Figure, median

from seedance_nb.materials import Material
from seedance_nb.providers import adapter_for
from seedance_nb.requests import VideoRequest
from seedance_nb.validation import validate

TARGET = 5 * 1024 * 1024


def make_image(folder: Path) -> Path:
    """A PNG of about 5 MB (noise does not compress) that every image rule accepts."""
    from PIL import Image

    side = 1320  # 1320² × 3 bytes ≈ 5.0 MiB of noise
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    path = folder / "first_frame.png"
    image.save(path, format="PNG", compress_level=1)
    return path


def _one(path: Path) -> dict[str, float]:
    marks = {}
    start = time.perf_counter()
    request = VideoRequest(
        model="seedance-2.0",
        prompt="the fox in @1 turns and runs into the snow",
        materials=[Material.image(path, role="first_frame")],
        resolution="720p",
        duration=5,
    )
    marks["request"] = time.perf_counter()
    validate(request, "ark")
    marks["validate"] = time.perf_counter()
    call = adapter_for("ark").build_create(request)
    marks["body"] = time.perf_counter()
    encoded = json.dumps(call.json).encode()
    marks["json"] = time.perf_counter()
    assert len(encoded) > TARGET
    out, last = {}, start
    for name, at in marks.items():
        out[name] = at - last
        last = at
    out["total"] = last - start
    return out


def run(quick: bool = False) -> list[Figure]:
    rounds = 5 if quick else 21
    with tempfile.TemporaryDirectory() as folder:
        path = make_image(Path(folder))
        size = path.stat().st_size
        _one(path)  # warm: imports, catalog, the file in the OS cache
        samples = [_one(path) for _ in range(rounds)]
    parts = {k: median([s[k] for s in samples]) * 1000 for k in samples[0]}
    return [
        Figure(
            f"one submit with a {size / 2**20:.1f} MB local image (ms)",
            f"{parts['total']:.0f}",
            "",
            None,
            f"median of {rounds}: request {parts['request']:.1f}, validation "
            f"{parts['validate']:.1f}, body with data URL {parts['body']:.1f}, JSON "
            f"{parts['json']:.1f} ms",
        )
    ]
