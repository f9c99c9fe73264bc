"""The Gallery in JupyterLab: past results with the options that differ, Re-run and Fork."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .jupyter import readme_copy, run_all, screenshot
from .test_composer import kernel_print

pytestmark = pytest.mark.browser

CELLS = [
    """import os
os.environ["SEEDANCE_SIM_QUEUE_SECONDS"] = "0.3"
os.environ["SEEDANCE_SIM_RUN_SECONDS"] = "0.7"
import seedance_nb as sd""",
    """tasks = [
    sd.submit(sd.VideoRequest(model="seedance-2.0-fast", prompt="A lighthouse at dusk, aerial orbit",
                              duration=5, seed=seed, tags=["gallery"]))
    for seed in (1, 2)
]
for task in tasks:
    await task""",
    "sd.Gallery(tag='gallery')",
]


def test_gallery_shows_differences_and_reruns(lab: Any) -> None:
    lab.write_notebook("gallery.ipynb", CELLS)
    page = lab.open("gallery.ipynb")
    assert run_all(page)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    gallery = panel.locator("[data-testid=seedance-gallery]")
    gallery.wait_for(state="visible")
    cells = gallery.locator("[data-testid=cell]")
    expect(cells).to_have_count(2)
    # Only the seed differs between the two results, so only the seed is shown.
    expect(gallery.locator("[data-testid=diff]")).to_have_text(["seed=2", "seed=1"])
    expect(cells.locator("img")).to_have_count(2)  # thumbnails from the saved videos
    gallery.scroll_into_view_if_needed()
    screenshot(page, "gallery")

    cells.first.locator("[data-testid=fork]").click()
    composer = panel.locator("[data-testid=seedance-composer]")
    composer.wait_for(state="visible")
    expect(composer.locator("[data-testid=prompt]")).to_have_value(
        "A lighthouse at dusk, aerial orbit"
    )
    cells.first.locator("[data-testid=rerun]").click()
    card = panel.locator("[data-testid=seedance-task-card]")
    card.wait_for(state="visible")
    expect(card.locator("[data-testid=title]")).to_contain_text("seedance-2.0-fast")


def test_gallery_plays_a_clicked_thumbnail_and_a_double_click_reruns_once(lab: Any) -> None:
    long_prompt = "A lighthouse at dusk, aerial orbit, " + "waves breaking on the rocks, " * 6
    cells = [
        CELLS[0],
        f"""tasks = [
    sd.submit(sd.VideoRequest(model="seedance-2.0-fast", prompt=prompt, duration=5, seed=1),
              tags=["grid-demo"])
    for prompt in ("A paper boat on a rainy street", {long_prompt!r})
]
for task in tasks:
    await task""",
        "gallery = sd.Gallery(tag='grid-demo')\ngallery",
    ]
    lab.write_notebook("playing.ipynb", cells)
    page = lab.open("playing.ipynb")
    assert run_all(page)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    gallery = panel.locator("[data-testid=seedance-gallery]")
    cells_ = gallery.locator("[data-testid=cell]")
    expect(cells_).to_have_count(2)
    # The buttons line up whatever the length of the prompt.
    tops = [b["y"] for b in (cells_.nth(i).locator("[data-testid=rerun]").bounding_box()
                             for i in range(2)) if b]  # fmt: skip
    assert len(tops) == 2 and abs(tops[0] - tops[1]) < 2

    cells_.first.locator("[data-testid=thumb]").click()
    video = cells_.first.locator("video[data-testid=player]")
    video.wait_for()
    page.wait_for_function(
        "(v) => v.currentTime > 0.3 && !v.paused", arg=video.element_handle(), timeout=30_000
    )
    gallery.scroll_into_view_if_needed()
    readme_copy(screenshot(page, "gallery-playing"), "gallery_playing.png")

    rerun = cells_.nth(1).locator("[data-testid=rerun]")
    rerun.dblclick()
    card = panel.locator("[data-testid=seedance-task-card]")
    card.first.wait_for(state="visible")
    expect(rerun).to_be_enabled()
    expect(gallery.locator("[data-testid=message]")).to_contain_text("re-ran “")
    expect(gallery.locator("[data-testid=message]")).to_contain_text("(task cgt-")
    assert "#" not in gallery.locator("[data-testid=message]").inner_text()
    assert kernel_print(page, "print(len(sd.history(tag='grid-demo')))") == "3"  # one re-run
    expect(card).to_have_count(1)
