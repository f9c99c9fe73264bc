"""The adapters against the simulator: each dialect end to end, with the media checked by PyAV.

The simulator implements the wire formats from the documents on its own, so agreement here means
both sides read the documents the same way.
"""

from __future__ import annotations

import io
from pathlib import Path

import av
import httpx
import pytest
from PIL import Image

from seedance_nb import catalog
from seedance_nb.client import AsyncSeedance
from seedance_nb.materials import Material
from seedance_nb.requests import ImageRequest, VideoRequest
from seedance_nb.simulator import ManualClock, Simulator, SimulatorConfig
from seedance_nb.status import Status

BASES = {
    "ark": "http://sim.test/api/v3",
    "maxapi": "http://sim.test",
    "maxapi-openai": "http://sim.test",
}


@pytest.fixture
def sim() -> tuple[Simulator, ManualClock]:
    clock = ManualClock()
    return Simulator(SimulatorConfig(queue_seconds=5, run_seconds=20, clock=clock)), clock


def client(sim: Simulator, provider: str) -> AsyncSeedance:
    return AsyncSeedance(
        provider,
        base_url=BASES[provider],
        api_key="k",
        transport=httpx.ASGITransport(app=sim.app),
    )


def probe(path: Path) -> dict[str, object]:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        return {
            "codec": video.codec_context.name,
            "size": (video.codec_context.width, video.codec_context.height),
            "fps": float(video.average_rate),
            "seconds": float(container.duration / av.time_base),
            "audio": len(container.streams.audio) > 0,
        }


@pytest.mark.parametrize(
    ("provider", "model", "resolution", "ratio", "duration", "audio"),
    [
        ("ark", "seedance-2.0", "480p", "16:9", 4, True),
        ("ark", "seedance-1.0-pro", "480p", "1:1", 3, None),
        ("maxapi", "seedance-2.0", "480p", "9:16", 4, None),
        ("maxapi-openai", "seedance-2.0-fast", "480p", "4:3", 4, None),
    ],
)
async def test_video_round_trip(
    sim: tuple[Simulator, ManualClock],
    tmp_path: Path,
    provider: str,
    model: str,
    resolution: str,
    ratio: str,
    duration: int,
    audio: bool | None,
) -> None:
    simulator, clock = sim
    api = client(simulator, provider)
    request = VideoRequest(
        model=model,
        prompt="a paper boat drifts on a pond",
        resolution=resolution,
        ratio=ratio,
        duration=duration,
        generate_audio=audio,
    )
    created = await api.create(request)
    first = await api.get(created.task_id)
    assert first.status is Status.QUEUED
    clock.advance(10)
    assert (await api.get(created.task_id)).status is Status.RUNNING
    clock.advance(60)
    done = await api.get(created.task_id)
    assert done.status is Status.SUCCEEDED, done
    video = next(a for a in done.assets if a.kind == "video")
    saved = await api.download(video.url, tmp_path / "clip")
    info = probe(saved.path)
    spec = catalog.resolve(model, provider)
    assert info["codec"] == "h264"
    assert info["size"] == catalog.video_size(spec, resolution, ratio)
    assert info["fps"] == 24
    assert abs(float(info["seconds"]) - duration) < 0.1  # type: ignore[arg-type]
    # 2.0 on ModelArk generates audio by default; 1.0 pro cannot.
    assert info["audio"] is (model.startswith("seedance-2") and audio is not False)


async def test_ark_first_frame_and_last_frame(
    sim: tuple[Simulator, ManualClock], tmp_path: Path
) -> None:
    simulator, clock = sim
    api = client(simulator, "ark")
    red = Image.new("RGB", (640, 360), (220, 30, 30))
    request = VideoRequest(
        model="seedance-1.5-pro",
        prompt="the red card fades",
        materials=[Material.image(red, role="first_frame")],
        resolution="480p",
        ratio="16:9",
        duration=4,
        return_last_frame=True,
        generate_audio=False,
    )
    created = await api.create(request)
    clock.advance(100)
    done = await api.get(created.task_id)
    kinds = {a.kind: a for a in done.assets}
    assert set(kinds) == {"video", "last_frame"}
    video = await api.download(kinds["video"].url, tmp_path / "v")
    last = await api.download(kinds["last_frame"].url, tmp_path / "last")
    with av.open(str(video.path)) as container:
        frame = next(container.decode(video=0)).to_image()
    r, g, b = frame.resize((1, 1)).getpixel((0, 0))  # type: ignore[misc]
    assert r > 150 and g < 90 and b < 90, (r, g, b)
    assert Image.open(io.BytesIO(last.path.read_bytes())).size == (864, 496)
    assert not probe(video.path)["audio"]


@pytest.mark.parametrize("provider", ["ark", "maxapi"])
async def test_seedream_image(
    sim: tuple[Simulator, ManualClock], tmp_path: Path, provider: str
) -> None:
    simulator, clock = sim
    api = client(simulator, provider)
    request = (
        ImageRequest(model="seedream-4.0", prompt="a lighthouse", size="1024x1024")
        if provider == "ark"
        else ImageRequest(model="seedream-4.5", prompt="a lighthouse", ratio="1:1", resolution="2k")
    )
    created = await api.create(request)
    snapshot = created.snapshot or await api.get(created.task_id)
    if not snapshot.status.terminal:
        clock.advance(600)
        snapshot = await api.get(created.task_id)
    assert snapshot.status is Status.SUCCEEDED, snapshot
    saved = await api.download(snapshot.assets[0].url, tmp_path / "img")
    assert saved.content_type == "image/png"
    expected = request.output_size(provider)
    with Image.open(saved.path) as image:
        assert image.size == expected


async def test_ark_list_and_cancel(sim: tuple[Simulator, ManualClock]) -> None:
    simulator, clock = sim
    api = client(simulator, "ark")
    ids = [
        (await api.create(VideoRequest(model="seedance-2.0-fast", prompt=f"shot {i}"))).task_id
        for i in range(3)
    ]
    listed = await api.list(task_ids=ids[:2])
    assert listed is not None and sorted(s.id for s in listed) == sorted(ids[:2])
    await api.cancel(ids[0])
    assert (await api.get(ids[0])).status is Status.CANCELLED
    clock.advance(10)
    from seedance_nb.errors import ApiError

    with pytest.raises(ApiError) as info:  # running tasks cannot be cancelled (FACTS §1.6)
        await api.cancel(ids[1])
    assert info.value.provider == "ark" and info.value.status_code is not None
