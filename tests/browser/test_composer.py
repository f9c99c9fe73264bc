"""The Composer in JupyterLab: a visible refusal for an invalid request, a card for a valid one."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .jupyter import run_all, screenshot

pytestmark = pytest.mark.browser

SETUP = """import os
os.environ["SEEDANCE_SIM_QUEUE_SECONDS"] = "1"
os.environ["SEEDANCE_SIM_RUN_SECONDS"] = "3"
import seedance_nb as sd
composer = sd.Composer(model="seedance-2.0-fast")
composer"""


def test_composer_refuses_then_submits(lab: Any) -> None:
    lab.write_notebook("composer.ipynb", [SETUP])
    page = lab.open("composer.ipynb")
    assert run_all(page)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")  # Lab may restore other tabs
    form = panel.locator("[data-testid=seedance-composer]")
    form.wait_for(state="visible")

    # Only what seedance-2.0-fast offers: no 1080p.
    resolutions = form.locator("[data-testid=option-resolution] option").all_inner_texts()
    assert "720p" in resolutions and "1080p" not in resolutions

    # Invalid: no prompt. The refusal is shown and nothing is sent.
    form.locator("[data-testid=submit]").click()
    refusal = form.locator("[data-testid=message][data-refused=true]")
    refusal.wait_for()
    assert "not sent" in refusal.inner_text()
    assert "prompt" in form.locator("[data-testid=problems]").inner_text()
    form.scroll_into_view_if_needed()
    screenshot(page, "composer-refused")

    # Valid: a prompt and a duration; the estimate appears as you type, Submit opens a card.
    form.locator("[data-testid=prompt]").fill("A paper boat drifts down a rainy street")
    form.locator("[data-testid=option-duration]").select_option("5")
    expect(form.locator("[data-testid=estimate]")).to_contain_text("tokens")
    expect(form.locator("[data-testid=problem]")).to_have_count(0)  # after the typing pause
    form.locator("[data-testid=submit]").click()
    form.locator("[data-testid=message][data-refused=false]").filter(
        has_text="submitted"
    ).wait_for()
    card = panel.locator("[data-testid=seedance-task-card]")
    card.wait_for(state="visible")
    assert "seedance-2.0-fast" in card.locator("[data-testid=title]").inner_text()
    done = panel.locator("[data-testid=seedance-task-card][data-status=succeeded]")
    done.locator("video[data-testid=video]").wait_for(timeout=60_000)
    card.scroll_into_view_if_needed()
    screenshot(page, "composer-submitted")
