"""Seedream validation: what is accepted on each dialect."""

from __future__ import annotations

from pathlib import Path

import pytest

from seedance_nb.requests import ImageRequest
from seedance_nb.validation import check

IMG = "https://example.com/a.jpg"


@pytest.mark.parametrize(
    ("provider", "kwargs"),
    [
        ("ark", dict(model="seedream-4.0", size="1K")),
        ("ark", dict(model="seedream-4.0", size="1024x1024")),
        ("ark", dict(model="seedream-4.0", size="4096x256")),  # aspect exactly 16
        ("ark", dict(model="seedream-4.5", size="2560x1440", seed=2147483647, watermark=False)),
        ("ark", dict(model="seedream-4.5", ratio="21:9", resolution="4k")),
        ("ark", dict(model="seedream-4.5", ratio="3:2")),
        ("ark", dict(model="seedream-5.0", size="3K", output_format="png", tools=["web_search"])),
        ("ark", dict(model="seedream-5.0", size="3072x3072", response_format="b64_json")),
        ("ark", dict(images=[IMG] * 14, sequential="auto")),
        ("ark", dict(images=[IMG] * 5, sequential="auto", max_images=10)),
        ("ark", dict(n=4)),
        ("ark", dict(n=4, sequential="auto", max_images=4, optimize_prompt="fast")),
        ("ark", dict(model="doubao-seedream-4-0-250828", images=[IMG] * 10, size="4K")),
        ("maxapi", dict(model="seedream-4", ratio="2:3", resolution="1k", n=15)),
        ("maxapi", dict(model="seedream-5-lite", ratio="16:9", resolution="2k", n=4)),
        ("maxapi", dict(model="seedream-4.5", size="4k", images=[IMG] * 5, n=10)),
        ("maxapi", dict(model="seedream-4.5")),
    ],
)
def test_accepted(provider: str, kwargs: dict) -> None:
    kwargs.setdefault("prompt", "a watercolor fox")
    assert check(ImageRequest(**kwargs), provider) == []


def test_local_reference_images(media: dict[str, Path]) -> None:
    request = ImageRequest(prompt="x", images=[media["png"], media["jpeg"], media["tiff"]])
    assert check(request, "ark") == []
    # every local file needs a URL there, and maxapi takes no tiff
    fields = [p.field for p in check(request, "maxapi")]
    assert fields == ["images[0]", "images[1]", "images[2]", "images[2]"]
    assert check(request.with_changes(images=[media["png"]]), "maxapi", will_upload=True) == []


def test_seedream_4_0_takes_only_jpeg_and_png(media: dict[str, Path]) -> None:
    request = ImageRequest(model="seedream-4.0", prompt="x", images=[media["png"], media["tiff"]])
    assert [p.field for p in check(request, "ark")] == ["images[1]"]


def test_all_image_problems_at_once() -> None:
    request = ImageRequest(
        prompt="",
        size="9000x9000",
        ratio="16:9",
        seed=-3,
        guidance_scale=3.0,
        response_format="jpg",
    )
    fields = [p.field for p in check(request, "ark")]
    assert fields == ["prompt", "size", "seed", "response_format", "guidance_scale"]
