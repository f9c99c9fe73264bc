"""The Gallery in JupyterLab: past results with the options that differ, Re-run and Fork."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .jupyter import run_all, screenshot

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
