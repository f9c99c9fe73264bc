"""Size of a saved notebook holding 10 finished videos: default policy, and with ``--embed``.

Ten default video requests (Seedance 2.0, 720p, 5 s) run on the in-process simulator, with the
history in ``.seedance/`` beside the notebook and the results in ``seedance-media/``. Each cell's
outputs are what the notebook face leaves once its task has settled: the static output
(``display.static_bundle``: poster as ``image/jpeg``, HTML with poster, player, animated preview
and provenance, markdown and plain summaries, provenance metadata) and the emptied card output.
No widget state is saved: a settled output holds no widget view. The notebook is written with
nbformat.

The simulator's videos are flat colour and tiny, so the files are then replaced by one of real
size: 1280x720, 24 fps, 5 s of moving texture with grain at 7 Mbit/s, about 4.5 MB (``--quick``:
640x360, 2 s), and the notebook is written again under the default policy (link the file, embed
poster and preview) and with ``--embed`` (the file itself inlined as a data URL).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from table import Figure
from wiring import manager_on

from seedance_nb.lifecycle import PollPolicy
from seedance_nb.requests import VideoRequest
from seedance_nb.simulator import Simulator, SimulatorConfig

GOAL_BYTES = 2 * 1024 * 1024
VIDEOS = 10
MIB = 1024 * 1024


async def _finished(folder: Path) -> list[Any]:
    sim = Simulator(SimulatorConfig(queue_seconds=0.1, run_seconds=0.2, jitter=0.0))
    manager = manager_on(sim, folder / ".seedance", poll=PollPolicy.immediate(0.05))
    tasks = [manager.submit(VideoRequest(prompt=f"a red fox in fresh snow, take {i}"),
                            provider="ark") for i in range(VIDEOS)]  # fmt: skip
    await asyncio.wait_for(asyncio.gather(*(t._wait_async(None) for t in tasks)), 300)
    await manager.aclose()
    return tasks


def _notebook(tasks: list[Any], folder: Path, embed: bool) -> nbformat.NotebookNode:
    from seedance_nb.notebook import display

    cells = []
    for task in tasks:
        data, metadata = display.static_bundle(task, embed=embed, base=folder)
        outputs = [
            nbformat.v4.new_output("display_data", data=data, metadata=metadata),
            nbformat.v4.new_output("display_data", data=display._EMPTIED),
        ]
        source = f"%%seedance{' --embed' if embed else ''}\n{task.prompt}"
        cells.append(nbformat.v4.new_code_cell(source, outputs=outputs))
    return nbformat.v4.new_notebook(cells=cells)


def real_video(path: Path, *, quick: bool) -> None:
    """An H.264 file of real-world size: moving texture with grain (it does not compress away,
    as the simulator's flat colours do), at a bitrate like a provider's 720p results."""
    import av
    import numpy as np

    width, height, seconds = (640, 360, 2) if quick else (1280, 720, 5)
    rate = 24
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (height // 8, width // 8, 3), dtype=np.uint8)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.bit_rate = 7_000_000
        stream.options = {"preset": "ultrafast"}
        for i in range(rate * seconds):
            pixels = np.kron(np.roll(base, i, axis=1), np.ones((8, 8, 1), dtype=np.uint8))
            pixels += rng.integers(0, 24, pixels.shape, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _measure(tasks: list[Any], folder: Path, embed: bool) -> tuple[int, int, float]:
    """(notebook bytes, videos embedded as data URLs, seconds to build the outputs)."""
    from seedance_nb.notebook import preview

    preview._poster.cache_clear()  # files may have been replaced under the same name
    preview._preview.cache_clear()
    started = time.perf_counter()
    notebook = _notebook(tasks, folder, embed)
    took = time.perf_counter() - started
    path = folder / f"ten_videos{'_embed' if embed else ''}.ipynb"
    nbformat.write(notebook, path)
    embedded = sum(o["data"].get("text/html", "").count("data:video/mp4") for c in notebook.cells
                   for o in c["outputs"])  # fmt: skip
    return path.stat().st_size, embedded, took


def run(quick: bool = False) -> list[Figure]:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        tasks = asyncio.run(_finished(folder))
        videos = [p for t in tasks for p in t.files if p.suffix == ".mp4"]
        assert len(videos) == VIDEOS
        assert all(p.parent == folder / "seedance-media" for p in videos)
        sim_bytes = sum(p.stat().st_size for p in videos)
        size, embedded, _ = _measure(tasks, folder, embed=False)
        real_video(folder / "real.mp4", quick=quick)
        for video in videos:
            video.write_bytes((folder / "real.mp4").read_bytes())
        real_each = videos[0].stat().st_size
        real_size, real_embedded, took = _measure(tasks, folder, embed=False)
        embed_size, all_embedded, _ = _measure(tasks, folder, embed=True)
    what = "640x360 2 s (--quick)" if quick else "1280x720 5 s"
    return [
        Figure(
            f"saved notebook, {VIDEOS} finished videos (simulator files)",
            f"{size / 1024:.0f} KiB",
            "< 2 MB",
            size < GOAL_BYTES,
            f"videos {sim_bytes / VIDEOS / 1024:.0f} KiB each (720p 5 s flat colour), "
            f"{embedded} of {VIDEOS} embedded (the default embeds files <= 256 KiB)",
        ),
        Figure(
            f"saved notebook, {VIDEOS} real-size videos, default policy",
            f"{real_size / 1024:.0f} KiB",
            "< 2 MB",
            real_size < GOAL_BYTES,
            f"videos {real_each / MIB:.1f} MiB each ({what}), {real_embedded} embedded: linked "
            f"from seedance-media/, with poster, animated preview, HTML and provenance inline; "
            f"outputs built in {took:.1f} s",
        ),
        Figure(
            f"saved notebook, {VIDEOS} real-size videos, --embed",
            f"{embed_size / MIB:.1f} MiB",
            "",
            None,
            f"{all_embedded} of {VIDEOS} videos inlined as data URLs (base64: 4/3 of the files)",
        ),
    ]
