"""notebooks/quickstart.ipynb in JupyterLab: run as a user would, the card lives on after its
cell, and the video plays. The screenshots taken here are the README's (refreshed by scripts/screenshots.sh)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from playwright.sync_api import Locator, Page

from .jupyter import REPO, readme_copy, screenshot, wait_kernel_idle

pytestmark = pytest.mark.browser

QUICKSTART = REPO / "notebooks" / "quickstart.ipynb"
CARD = "[data-testid=seedance-task-card]"
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # Lab may restore other tabs

# Runs cells first..last (notebook indices) one after the other, each to completion, like
# Shift+Enter; true when none of them raised.
_RUN_CELLS_JS = """async ([first, last]) => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  for (let index = first; index <= last; index++) {
    panel.content.activeCellIndex = index;
    await app.commands.execute("notebook:run-cell");
  }
  const cells = panel.context.model.toJSON().cells.slice(first, last + 1);
  return !cells.some((cell) => (cell.outputs || []).some((o) => o.output_type === "error"));
}"""

# Records on the cell every status its card shows from now on; the view may be rendered anew
# when the output is updated, so watch the whole cell rather than one card element.
_WATCH_STATUS_JS = """(cell) => {
  const seen = [];
  const note = () => {
    const card = cell.querySelector("[data-testid=seedance-task-card]");
    const status = card ? card.dataset.status : "(no card)";
    if (seen[seen.length - 1] !== status) seen.push(status);
    cell.dataset.seen = seen.join(",");
  };
  note();
  new MutationObserver(note).observe(cell, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"],
  });
}"""

_CAN_PLAY_JS = """async (v) => {
  v.muted = true;  // headless Chromium lets muted media play without a user gesture
  if (v.readyState < 2) {
    await new Promise((ok, fail) => {
      v.addEventListener("loadeddata", ok, { once: true });
      v.addEventListener("error", () => fail(new Error("media error " + v.error?.code)),
                         { once: true });
      setTimeout(() => fail(new Error("no data after 20 s")), 20000);
    });
  }
  await v.play();
  await new Promise((ok) => setTimeout(ok, 500));
  const out = { readyState: v.readyState, duration: v.duration, currentTime: v.currentTime };
  v.pause();
  // Rest on a frame from the middle, painted, for the screenshot.
  v.currentTime = v.duration / 2;
  await new Promise((ok) => v.addEventListener("seeked", ok, { once: true }));
  await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
  return out;
}"""

# The colour of a pixel near the top of the frame on show (drawing it also gets it painted).
_PIXEL_JS = """(v) => {
  const canvas = document.createElement("canvas");
  canvas.width = 64;
  canvas.height = 36;
  const context = canvas.getContext("2d");
  context.drawImage(v, 0, 0, canvas.width, canvas.height);
  return Array.from(context.getImageData(32, 4, 1, 1).data);
}"""


def run_cells(page: Page, first: int, last: int) -> bool:
    ok = page.evaluate(_RUN_CELLS_JS, [first, last])
    wait_kernel_idle(page)
    return bool(ok)


def code_cell(page: Page, code_index: int) -> Locator:
    return page.locator(PANEL).locator(".jp-CodeCell").nth(code_index)


def test_quickstart_card_lives_on_and_the_video_plays(lab: Any) -> None:
    cells = nbformat.read(QUICKSTART, as_version=4).cells
    magic = next(i for i, c in enumerate(cells) if c.source.startswith("%%seedance"))
    magic_code = sum(1 for c in cells[:magic] if c.cell_type == "code")
    duration = float(cells[magic].source.split("--duration", 1)[1].split()[0])

    lab.copy_notebook(QUICKSTART.name)
    page = lab.open(QUICKSTART.name)

    # Up to the %%seedance cell, which returns at once with a card.
    assert run_cells(page, 0, magic)
    cell = code_cell(page, magic_code)
    prompt = cell.locator(".jp-InputPrompt").inner_text().strip()
    assert prompt not in ("[ ]:", "[*]:"), prompt  # the cell has finished
    card = cell.locator(CARD)
    card.wait_for(state="visible")
    cell.evaluate(_WATCH_STATUS_JS)
    first = card.get_attribute("data-status")
    assert first in ("submitting", "queued"), first
    assert "seedance-2.0" in card.locator("[data-testid=title]").inner_text()
    assert "red fox" in card.locator("[data-testid=prompt]").inner_text()

    # Nothing else runs now; the card moves on by itself while the kernel is idle.
    running = cell.locator(f"{CARD}[data-status=running]")
    running.wait_for(timeout=30_000)
    page.locator(".jp-StatusBar-TextItem", has_text="| Idle").first.wait_for()
    assert "task cgt-" in running.locator("[data-testid=task-id]").inner_text()
    running.scroll_into_view_if_needed()
    readme_copy(screenshot_of(running, "quickstart-card-running"), "task_card.png")

    # The rest of the notebook: `await fox`, the Python API, the history.
    assert run_cells(page, magic + 1, len(cells) - 1)
    video = cell.locator("video").first
    video.wait_for(timeout=60_000)
    seen = (cell.get_attribute("data-seen") or "").split(",")
    assert seen[0] == first and "running" in seen, seen
    if card.count():  # the card stayed (its files are in a folder the file server hides)
        assert seen[-1] == "succeeded", seen
    else:  # the card was replaced by the static result
        assert seen[-1] == "(no card)", seen
        assert "succeeded" in cell.locator(".seedance-result").inner_text()

    facts = video.evaluate(_CAN_PLAY_JS)
    assert facts["readyState"] >= 2, facts
    assert abs(facts["duration"] - duration) < 0.5, facts
    assert facts["currentTime"] > 0, facts

    red, green, blue, _alpha = video.evaluate(_PIXEL_JS)
    assert red + green + blue > 60, "the frame shown is black"  # the simulator's are coloured

    cell.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)  # let the compositor paint the frame before the screenshot
    readme_copy(screenshot(page, "quickstart-done"), "quickstart.png")


def screenshot_of(element: Locator, name: str) -> Path:
    """Like ``screenshot`` but of one element, with a little margin."""
    box = element.bounding_box()
    assert box is not None
    page = element.page
    path = screenshot(page, name)  # the whole view, for the artifacts
    margin = 12
    clip = {
        "x": max(0.0, box["x"] - margin),
        "y": max(0.0, box["y"] - margin),
        "width": box["width"] + 2 * margin,
        "height": box["height"] + 2 * margin,
    }
    element_path = path.with_name(f"{name}-element.png")
    page.screenshot(path=str(element_path), clip=clip)
    return element_path


COMPOSER_CELL = """import seedance_nb as sd

sd.Composer(prompt="A red fox trots through fresh snow at dawn, slow dolly shot",
            model="seedance-2.0")"""


def test_composer_screenshot_for_the_readme(lab: Any) -> None:
    """The README's picture of the Composer, filled in and priced."""
    lab.write_notebook("composer.ipynb", [COMPOSER_CELL])
    page = lab.open("composer.ipynb")
    assert run_cells(page, 0, 0)
    form = page.locator(PANEL).locator("[data-testid=seedance-composer]")
    form.wait_for(state="visible")
    form.locator("[data-testid=estimate]").filter(has_text="tokens").wait_for()
    readme_copy(screenshot_of(form, "composer-readme"), "composer.png")
