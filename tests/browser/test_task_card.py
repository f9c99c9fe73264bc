"""The task card in JupyterLab: it renders, changes after its cell has finished, plays the video,
cancels a queued task; and a settled task's output is a static result that plays on its own."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from .jupyter import REPO, run_all, screenshot

pytestmark = pytest.mark.browser

CARD = "[data-testid=seedance-task-card]"


def setup_cell(queue_seconds: float, run_seconds: float, home: str | None = None) -> str:
    """The first cell: simulator timings (read when the simulator starts) and the extension."""
    lines = [
        "import os",
        f'os.environ["SEEDANCE_SIM_QUEUE_SECONDS"] = "{queue_seconds}"',
        f'os.environ["SEEDANCE_SIM_RUN_SECONDS"] = "{run_seconds}"',
    ]
    if home is not None:
        lines.append(f'os.environ["SEEDANCE_HOME"] = "{home}"')
    return "\n".join([*lines, "%load_ext seedance_nb"])


def can_play(video: Locator) -> dict[str, Any]:
    """Load and start the video (muted: headless autoplay rules), then report on it."""
    result: dict[str, Any] = video.evaluate(
        """async (v) => {
            v.muted = true;
            if (v.readyState < 1) {
                await new Promise((ok, fail) => {
                    v.addEventListener("loadedmetadata", ok, { once: true });
                    v.addEventListener("error", () => fail(new Error("error " + v.error?.code)),
                                       { once: true });
                    setTimeout(() => fail(new Error("no metadata")), 20000);
                });
            }
            await v.play();
            await new Promise((ok) => setTimeout(ok, 400));
            const out = { readyState: v.readyState, duration: v.duration,
                          currentTime: v.currentTime, paused: v.paused };
            v.pause();
            return out;
        }"""
    )
    return result


def output_of(page: Page, index: int) -> Locator:
    """The outputs of cell ``index`` in the notebook on show (Lab may restore other tabs)."""
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    return panel.locator(".jp-CodeCell").nth(index).locator(".jp-OutputArea")


def test_card_goes_live_after_its_cell_and_plays_the_video(lab: Any) -> None:
    lab.write_notebook(
        "card.ipynb",
        [
            setup_cell(2, 4),
            "%%seedance --duration 5 -o shot\nA red fox trots through fresh snow",
        ],
    )
    page = lab.open("card.ipynb")
    assert run_all(page)  # every cell has replied: the card must move on its own from here

    card = output_of(page, 1).locator(CARD)
    card.wait_for(state="visible")
    first = card.get_attribute("data-status")
    assert first in ("submitting", "queued", "running"), first
    card.scroll_into_view_if_needed()
    screenshot(page, "task-card-live")

    # Once settled, the card's output gives way to the static result, which plays on its own.
    done = output_of(page, 1).locator(".seedance-result:not(.seedance-pending)")
    done.wait_for(timeout=60_000)
    expect(output_of(page, 1).locator(CARD)).to_have_count(0)
    video = done.locator("video")
    facts = can_play(video)
    assert facts["readyState"] >= 2 and facts["duration"] > 4, facts
    assert facts["currentTime"] > 0 or not facts["paused"], facts
    assert "succeeded" in done.inner_text() and "cgt-" in done.inner_text()
    done.scroll_into_view_if_needed()
    screenshot(page, "task-card-succeeded")


def test_settled_task_becomes_a_static_result_that_plays(lab: Any) -> None:
    lab.write_notebook(
        "static.ipynb",
        [
            setup_cell(0.5, 1.5, home="seedance-data")
            # Nothing embedded: the player must load the file through Jupyter's file server.
            + "\nfrom seedance_nb.notebook import static\nstatic.EMBED_LIMIT = 0",
            "%%seedance --duration 5 --seed 7 -o shot\nA paper boat drifts down a rainy street",
            "_ = await shot  # the refresh after this cell goes to the output above, in place",
        ],
    )
    page = lab.open("static.ipynb")
    assert run_all(page)
    result = output_of(page, 1).locator(".seedance-result")
    result.wait_for(timeout=60_000)
    assert result.count() == 1 and output_of(page, 2).locator(".seedance-result").count() == 0
    assert output_of(page, 1).locator(CARD).count() == 0  # the live card has been replaced
    assert "succeeded" in result.inner_text() and "seed" in result.inner_text()
    video = result.locator("video")
    assert "/files/" in (video.evaluate("v => v.src") or "")  # Lab resolved the relative path
    facts = can_play(video)
    assert facts["readyState"] >= 2 and facts["duration"] > 4, facts
    result.scroll_into_view_if_needed()
    screenshot(page, "task-result-static")


def test_cancel_cancels_a_queued_task(lab: Any) -> None:
    lab.write_notebook(
        "cancel.ipynb", [setup_cell(600, 5), "%%seedance --duration 5 -o slow\nA slow sunrise"]
    )
    page = lab.open("cancel.ipynb")
    assert run_all(page)
    queued = output_of(page, 1).locator(f"{CARD}[data-status=queued]")
    queued.wait_for(timeout=30_000)
    button = queued.locator("[data-testid=cancel]")
    assert button.is_enabled()
    button.click()
    cancelled = output_of(page, 1).locator(f"{CARD}[data-status=cancelled], .seedance-result")
    cancelled.first.wait_for(timeout=30_000)
    assert "cancelled" in cancelled.first.inner_text()
    cancelled.first.scroll_into_view_if_needed()
    screenshot(page, "task-card-cancelled")


QUICKSTART = REPO / "notebooks" / "quickstart.ipynb"


def test_quickstart_shows_playable_results(lab: Any) -> None:
    assert QUICKSTART.is_file(), f"{QUICKSTART} is missing: it ships with the source tree"
    lab.copy_notebook("quickstart.ipynb")
    page = lab.open("quickstart.ipynb")
    assert run_all(page)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    outputs = panel.locator(f"{CARD}, .seedance-result")
    outputs.first.wait_for(timeout=60_000)
    # Every task output ends up finished: a static result, or a card in a terminal state.
    live = panel.locator(
        f"{CARD}[data-status=submitting], {CARD}[data-status=queued], {CARD}[data-status=running]"
    )
    expect(live).to_have_count(0, timeout=120_000)
    video = panel.locator(f"{CARD} video, .seedance-result video").first
    video.wait_for(timeout=30_000)
    facts = can_play(video)
    assert facts["readyState"] >= 2 and facts["duration"] > 0, facts
    video.scroll_into_view_if_needed()
    screenshot(page, "quickstart")
