"""The Composer in JupyterLab: a visible refusal for an invalid request, a card for a valid one."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .jupyter import readme_copy, run_all, screenshot

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


# Runs code in the page's kernel and returns what it printed (read after the widgets acted).
KERNEL_PRINT_JS = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  let out = "";
  const future = kernel.requestExecute({ code, store_history: false });
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === "stream") out += msg.content.text;
  };
  await future.done;
  return out;
}"""


def kernel_print(page: Any, code: str) -> str:
    return str(page.evaluate(KERNEL_PRINT_JS, code)).strip()


def test_a_model_change_says_what_it_could_not_keep(lab: Any) -> None:
    lab.write_notebook("switch.ipynb", [SETUP.replace("seedance-2.0-fast", "seedance-2.0")])
    page = lab.open("switch.ipynb")
    assert run_all(page)
    form = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) [data-testid=seedance-composer]")
    form.locator("[data-testid=option-resolution]").select_option("1080p")
    form.locator("[data-testid=option-duration]").select_option("8")
    form.locator("[data-testid=model]").select_option("seedance-2.0-fast")
    notice = form.locator("[data-testid=notice]")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("resolution 1080p is not offered by seedance-2.0-fast")
    expect(notice).to_contain_text("default (720p)")
    expect(form.locator("[data-testid=option-duration]")).to_have_value("8")  # kept
    # "auto" reads in words, not as -1.
    expect(form.locator("[data-testid=option-duration] option[value='-1']")).to_have_text(
        "auto (the model chooses)"
    )
    form.scroll_into_view_if_needed()
    screenshot(page, "composer-model-change")


def test_choices_are_priced_in_a_region_with_prices(lab: Any) -> None:
    # Volcengine has list prices for seedance-2.0 (CNY); nothing is sent in this test.
    setup = SETUP.replace(
        "import seedance_nb as sd",
        'os.environ["SEEDANCE_BASE_URL"] = "volcengine"\n'
        'os.environ["ARK_API_KEY"] = "not-used-nothing-is-sent"\nimport seedance_nb as sd',
    ).replace('model="seedance-2.0-fast"', 'model="seedance-2.0", prompt="A fox"')
    lab.write_notebook("priced.ipynb", [setup])
    page = lab.open("priced.ipynb")
    assert run_all(page)
    form = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) [data-testid=seedance-composer]")
    option = form.locator("[data-testid=option-resolution] option[value='1080p']")
    expect(option).to_contain_text("1080p · ≈ ¥")
    expect(form.locator("[data-testid=estimate]")).to_contain_text("volcengine price")


def test_seedream_offers_sizes_and_prices_them(lab: Any) -> None:
    cells = [
        SETUP.replace(
            'model="seedance-2.0-fast"',
            'model="seedream-4.5", prompt="A red fox in fresh snow, morning light, telephoto"',
        )
    ]
    lab.write_notebook("seedream.ipynb", cells)
    page = lab.open("seedream.ipynb")
    assert run_all(page)
    form = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) [data-testid=seedance-composer]")
    size = form.locator("[data-testid=option-size]")
    expect(size.locator("option").first).to_have_text("default (2048x2048)")
    expect(form.locator("[data-testid=option-ratio] option").first).to_have_text("default (1:1)")
    assert "?" not in form.locator("[data-testid=controls]").inner_text()
    size.select_option("2848x1600")
    form.locator("[data-testid=option-n]").fill("2")
    form.locator("[data-testid=option-n]").dispatch_event("change")
    expect(form.locator("[data-testid=estimate]")).to_contain_text(f"{2 * 2848 * 1600 // 256:,}")
    # A size is chosen: ratio and resolution are disabled, not silently ignored.
    expect(form.locator("[data-testid=option-ratio]")).to_be_disabled()
    # The path, its role and Attach stay on one line.
    boxes = [form.locator(f"[data-testid={t}]").bounding_box() for t in ("path", "path-role")]
    attach = form.locator("[data-testid=attach]").bounding_box()
    assert boxes[0] and boxes[1] and attach
    assert abs(boxes[0]["y"] - attach["y"]) < 12 and abs(boxes[1]["y"] - attach["y"]) < 12
    form.scroll_into_view_if_needed()
    readme_copy(screenshot(page, "composer-seedream"), "composer_seedream.png")


def test_a_double_click_on_submit_sends_one_task(lab: Any) -> None:
    cells = [SETUP.replace("composer = sd.Composer(", 'composer = sd.Composer(prompt="A kite", ')]
    lab.write_notebook("double.ipynb", cells)
    page = lab.open("double.ipynb")
    assert run_all(page)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    submit = panel.locator("[data-testid=seedance-composer] [data-testid=submit]")
    expect(submit).to_be_enabled()
    submit.dblclick()
    panel.locator("[data-testid=seedance-task-card]").first.wait_for(state="visible")
    expect(submit).to_be_enabled()  # the kernel answered the click
    assert kernel_print(page, "print(len(composer.tasks))") == "1"
    expect(panel.locator("[data-testid=seedance-task-card]")).to_have_count(1)
