"""Served files: generated media (rendered on first fetch, then cached) and test uploads."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Asset:
    """One file under ``/sim/media/``.

    ``style`` picks the error body when it is fetched too early or too late: ``"tos"`` (XML, like
    ModelArk's object storage) or ``"cdn"`` (JSON, like the task API's CDN).
    """

    name: str
    content_type: str
    style: str
    available_from: float
    expires_at: float | None
    produce: Callable[[], bytes] | None = None
    data: bytes | None = None
    path: Path | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)


class AssetStore:
    def __init__(self, media_dir: Path | str | None = None) -> None:
        self.media_dir = Path(media_dir) if media_dir is not None else None
        self._assets: dict[str, Asset] = {}

    def add(self, asset: Asset) -> Asset:
        self._assets[asset.name] = asset
        return asset

    def get(self, name: str) -> Asset | None:
        return self._assets.get(name)

    def clear(self) -> None:
        self._assets.clear()

    def __len__(self) -> int:
        return len(self._assets)

    async def read(self, asset: Asset) -> bytes:
        """The file's bytes, rendering them in a worker thread the first time."""
        if asset.data is not None:
            return asset.data
        async with asset.lock:
            if asset.path is not None:
                return await asyncio.to_thread(asset.path.read_bytes)
            if asset.data is not None:
                return asset.data
            if asset.produce is None:
                raise RuntimeError(f"asset {asset.name} has no content")
            data = await asyncio.to_thread(asset.produce)
            if self.media_dir is not None:
                self.media_dir.mkdir(parents=True, exist_ok=True)
                path = self.media_dir / asset.name
                await asyncio.to_thread(path.write_bytes, data)
                asset.path = path
            else:
                asset.data = data
            return data
