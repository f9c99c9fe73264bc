"""Static forms of a TaskGroup and a Gallery: a saved comparison grid shows without a kernel."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from IPython.utils.capture import capture_output
from notebook_fakes import FakeManager, FakeTask
from test_widgets import _history

from seedance_nb.lifecycle.batch import TaskGroup
from seedance_nb.notebook import display
from seedance_nb.notebook.gallery import Gallery
from seedance_nb.requests import VideoRequest
from seedance_nb.status import Status


def _group() -> TaskGroup:
    tasks = []
    for seed in (1, 2):
        task = FakeTask(VideoRequest(prompt=f"a fox, take {seed}", resolution="720p", seed=seed))
        task.advance(id=f"cgt-{seed}", status=Status.RUNNING, phase="polling")
        tasks.append(task)
    return TaskGroup(None, tasks, "grid-7")  # type: ignore[arg-type]


def test_a_group_shows_as_a_static_grid_kept_current(
    shell: Any, media: dict[str, Path], tmp_path: Path
) -> None:
    group = _group()
    with capture_output() as shown:
        shell.user_ns["group"] = group
        shell.run_cell("group").raise_error()
    [output] = shown.outputs
    assert display.WIDGET_MIME not in output.data
    html = output.data["text/html"]
    assert "a fox, take 1" in html and "a fox, take 2" in html
    assert "seed=1" in html and "seed=2" in html and "resolution" not in html  # what differs
    assert [t["task_id"] for t in output.metadata["seedance_nb_group"]["tasks"]] == [
        "cgt-1",
        "cgt-2",
    ]

    video = Path(shutil.copy(media["video_1s"], tmp_path / "fox.mp4"))
    with capture_output() as changed:
        group[0].succeed(video)
    [update] = [o for o in changed.outputs if o.update]
    assert update.transient["display_id"] == output.transient["display_id"]
    assert 'src="data:image/jpeg;base64,' in update.data["text/html"]  # the poster
    assert 'href="fox.mp4"' in update.data["text/html"]  # relative to the notebook
    assert str(tmp_path) not in json.dumps([update.data, update.metadata])


def test_a_gallery_leaves_a_static_copy_beside_the_live_grid(shell: Any) -> None:
    gallery = Gallery(frame=_history, manager=FakeManager())
    with capture_output() as shown:
        shell.user_ns["gallery"] = gallery
        shell.run_cell("gallery").raise_error()
    saved_copy, live = shown.outputs
    assert display.WIDGET_MIME not in saved_copy.data and display.WIDGET_MIME in live.data
    html = saved_copy.data["text/html"]
    assert "seedance-saved-copy" in html  # hidden while the live grid is on the page
    assert "a fox in snow" in html and "seed=1" in html and "seed=2" in html
    with capture_output() as filtered:
        gallery.text = "rain"
    [update] = [o for o in filtered.outputs if o.update]
    assert "a fox in rain" in update.data["text/html"]
    assert "a fox in snow" not in update.data["text/html"]
