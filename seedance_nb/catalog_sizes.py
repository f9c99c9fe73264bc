"""Pixel tables: what width × height a resolution and ratio produce.

Video sizes are the table in the ModelArk create-task document (seed 004), which has two families:
Seedance 1.0 and Seedance 1.5 Pro / 2.0. Image sizes are the Seedream size tables as published by
mirrors of the Seedream docs (secondary sources); they are used to turn a ratio + resolution into a
``WxH`` size and to estimate cost, never to refuse a size the user typed.
"""

from __future__ import annotations

from typing import Literal

PixelFamily = Literal["1.0", "1.5/2.0"]

VIDEO_RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9")

# seed 004, "Width and height pixel values corresponding to different aspect ratios".
VIDEO_SIZES: dict[PixelFamily, dict[str, dict[str, tuple[int, int]]]] = {
    "1.0": {
        "480p": {
            "16:9": (864, 480),
            "4:3": (736, 544),
            "1:1": (640, 640),
            "3:4": (544, 736),
            "9:16": (480, 864),
            "21:9": (960, 416),
        },
        "720p": {
            "16:9": (1248, 704),
            "4:3": (1120, 832),
            "1:1": (960, 960),
            "3:4": (832, 1120),
            "9:16": (704, 1248),
            "21:9": (1504, 640),
        },
        "1080p": {
            "16:9": (1920, 1088),
            "4:3": (1664, 1248),
            "1:1": (1440, 1440),
            "3:4": (1248, 1664),
            "9:16": (1088, 1920),
            "21:9": (2176, 928),
        },
    },
    "1.5/2.0": {
        "480p": {
            "16:9": (864, 496),
            "4:3": (752, 560),
            "1:1": (640, 640),
            "3:4": (560, 752),
            "9:16": (496, 864),
            "21:9": (992, 432),
        },
        "720p": {
            "16:9": (1280, 720),
            "4:3": (1112, 834),
            "1:1": (960, 960),
            "3:4": (834, 1112),
            "9:16": (720, 1280),
            "21:9": (1470, 630),
        },
        "1080p": {
            "16:9": (1920, 1080),
            "4:3": (1664, 1248),
            "1:1": (1440, 1440),
            "3:4": (1248, 1664),
            "9:16": (1080, 1920),
            "21:9": (2206, 946),
        },
    },
}

IMAGE_RATIOS = ("1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3", "21:9")

ImageTable = Literal["4.0", "4.5", "5.0"]

_SQUAREISH_2K = {
    "1:1": (2048, 2048),
    "4:3": (2304, 1728),
    "3:4": (1728, 2304),
    "3:2": (2496, 1664),
    "2:3": (1664, 2496),
}
_4K = {
    "1:1": (4096, 4096),
    "4:3": (4704, 3520),
    "3:4": (3520, 4704),
    "16:9": (5504, 3040),
    "9:16": (3040, 5504),
    "3:2": (4992, 3328),
    "2:3": (3328, 4992),
    "21:9": (6240, 2656),
}

# Seedream tables by tier (upper-case tier names, as the ``size`` field spells them).
# 4.0's 2K row is FACTS §3 [M]; 4.5/5.0's wider 2K rows, 1K, 3K and 4K rows are from mirrors of
# the official docs (secondary, may be stale).
IMAGE_SIZES: dict[ImageTable, dict[str, dict[str, tuple[int, int]]]] = {
    "4.0": {
        "1K": {
            "1:1": (1024, 1024),
            "4:3": (1152, 864),
            "3:4": (864, 1152),
            "16:9": (1312, 736),
            "9:16": (736, 1312),
            "3:2": (1248, 832),
            "2:3": (832, 1248),
            "21:9": (1568, 672),
        },
        "2K": {**_SQUAREISH_2K, "16:9": (2560, 1440), "9:16": (1440, 2560), "21:9": (3024, 1296)},
        "4K": _4K,
    },
    "4.5": {
        "2K": {**_SQUAREISH_2K, "16:9": (2848, 1600), "9:16": (1600, 2848), "21:9": (3136, 1344)},
        "4K": _4K,
    },
    "5.0": {
        "2K": {**_SQUAREISH_2K, "16:9": (2848, 1600), "9:16": (1600, 2848), "21:9": (3136, 1344)},
        "3K": {
            "1:1": (3072, 3072),
            "4:3": (3456, 2592),
            "3:4": (2592, 3456),
            "16:9": (4096, 2304),
            "9:16": (2304, 4096),
            "3:2": (3744, 2496),
            "2:3": (2496, 3744),
            "21:9": (4704, 2016),
        },
    },
}


def parse_wxh(size: str) -> tuple[int, int] | None:
    """``"2048x2048"`` → ``(2048, 2048)``; anything else → ``None``. Accepts ``x``, ``X``, ``*``, ``×``."""
    text = size.strip().lower().replace("×", "x").replace("*", "x")
    parts = text.split("x")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        return None
    return int(parts[0]), int(parts[1])
