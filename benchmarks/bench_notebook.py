"""Size of a saved notebook holding 10 finished videos, under the default embedding policy.

Ten default video requests (Seedance 2.0, 720p, 5 s) run on the in-process simulator, which
renders real H.264 files; the history lives where it does by default (``.seedance/`` beside the
notebook). Each task's output is what the notebook face displays once it has settled
(``display.mimebundle``: static HTML with the poster, provenance metadata and, where the file
server cannot serve the file, the card's view), and the notebook metadata holds every card's
widget state, as JupyterLab saves it. The notebook is written with nbformat.
"""

from __future__ import annotations

import asyncio
import tempfile
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


async def _finished(folder: Path) -> list[Any]:
    sim = Simulator(SimulatorConfig(queue_seconds=0.1, run_seconds=0.2, jitter=0.0))
    manager = manager_on(sim, folder / ".seedance", poll=PollPolicy.immediate(0.05))
    tasks = [manager.submit(VideoRequest(prompt=f"a red fox in fresh snow, take {i}"),
                            provider="ark") for i in range(VIDEOS)]  # fmt: skip
    await asyncio.wait_for(asyncio.gather(*(t._wait_async(None) for t in tasks)), 300)
    await manager.aclose()
    return tasks


def _notebook(tasks: list[Any], folder: Path) -> nbformat.NotebookNode:
    from seedance_nb.notebook import display

    cells, state = [], {}
    for task in tasks:
        data, metadata = display.mimebundle(task, base=folder)
        output = nbformat.v4.new_output("display_data", data=data, metadata=metadata)
        cells.append(nbformat.v4.new_code_cell(f"%%seedance\n{task.prompt}", outputs=[output]))
        card = display.card_for(task)
        state[card.model_id] = {
            "model_name": card._model_name,
            "model_module": card._model_module,
            "model_module_version": card._model_module_version,
            "state": card.get_state(),
        }
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "version_major": 2, "version_minor": 0, "state": state,
        }
    }  # fmt: skip
    return notebook


def noisy_video(path: Path, seconds: int = 2) -> None:
    """An H.264 file of real-world size (noise does not compress), to stand in for a real
    result: the simulator's flat-colour videos are far smaller than real ones."""
    import av
    import numpy as np

    rng = np.random.default_rng(0)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        for _ in range(24 * seconds):
            pixels = rng.integers(0, 256, (360, 640, 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _measure(tasks: list[Any], folder: Path) -> tuple[int, int, int]:
    """(notebook bytes, widget-state bytes, videos embedded as data URLs)."""
    from seedance_nb.notebook import static

    static._poster.cache_clear()  # files may have been replaced under the same name
    notebook = _notebook(tasks, folder)
    path = folder / "ten_videos.ipynb"
    nbformat.write(notebook, path)
    bare = nbformat.v4.new_notebook(cells=notebook.cells)
    widget_bytes = len(nbformat.writes(notebook)) - len(nbformat.writes(bare))
    embedded = sum(o["data"]["text/html"].count("data:video/mp4") for c in notebook.cells
                   for o in c["outputs"])  # fmt: skip
    return path.stat().st_size, widget_bytes, embedded


def run(quick: bool = False) -> list[Figure]:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        tasks = asyncio.run(_finished(folder))
        videos = [p for t in tasks for p in t.files if p.suffix == ".mp4"]
        assert len(videos) == VIDEOS
        sim_bytes = sum(p.stat().st_size for p in videos)
        size, widget_bytes, embedded = _measure(tasks, folder)
        # The same notebook with results of real-world size in the same files.
        noisy_video(folder / "noise.mp4")
        for video in videos:
            video.write_bytes((folder / "noise.mp4").read_bytes())
        real_each = videos[0].stat().st_size
        real_size, real_widgets, real_embedded = _measure(tasks, folder)
    return [
        Figure(
            f"saved notebook, {VIDEOS} finished videos (simulator files)",
            f"{size / 1024:.0f} KiB",
            "< 2 MB",
            size < GOAL_BYTES,
            f"videos {sim_bytes / VIDEOS / 1024:.0f} KiB each (720p 5 s flat colour), "
            f"{embedded} of {VIDEOS} embedded as data URLs (the default embeds files <= 128 "
            f"KiB); widget state {widget_bytes / 1024:.0f} KiB",
        ),
        Figure(
            f"saved notebook, {VIDEOS} finished videos of real size",
            f"{real_size / 1024:.0f} KiB",
            "< 2 MB",
            real_size < GOAL_BYTES,
            f"videos {real_each / 1024:.0f} KiB each, {real_embedded} embedded: the outputs "
            f"hold posters, HTML and provenance; widget state {real_widgets / 1024:.0f} KiB",
        ),
    ]
