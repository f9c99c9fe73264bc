"""Results survive sharing: saved, the kernel restarted and the page reloaded (JupyterLab and
Notebook 7), exported to HTML, and through a GitHub-like sanitizer; and a notebook saved while
its task ran shows the task's last known state and the one line that brings it up to date."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import nbformat
import nh3
import pytest
from playwright.sync_api import Locator, Page, expect

from seedance_nb.demo import execute_notebook, export_html, simulator_env

from .jupyter import REPO, screenshot, wait_kernel_idle
from .test_task_card import can_play, setup_cell

pytestmark = pytest.mark.browser

QUICKSTART = REPO / "notebooks" / "quickstart.ipynb"
CARD = "[data-testid=seedance-task-card]"
LAB_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
RESULT = ".seedance-result:not(.seedance-pending)"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
FAST = {"SEEDANCE_SIM_QUEUE_SECONDS": "0.3", "SEEDANCE_SIM_RUN_SECONDS": "1.0"}


def save(page: Page) -> None:
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")


def restart_kernel(lab: Any, name: str) -> None:
    """Restart the kernel of notebook ``name`` through the server's REST API (no dialog)."""
    path = lab.path(name)
    [session] = [s for s in lab.server.api("GET", "api/sessions") if s["path"] == path]
    lab.server.api("POST", f"api/kernels/{session['kernel']['id']}/restart")


def saved_outputs(path: Path) -> list[dict[str, Any]]:
    nb = nbformat.read(path, as_version=4)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def check_results(scope: Locator, count: int) -> None:
    """``count`` static results, each with a poster, a player that plays, and provenance."""
    results = scope.locator(RESULT)
    expect(results).to_have_count(count, timeout=120_000)
    for index in range(count):
        result = results.nth(index)
        video = result.locator("video")
        assert (video.get_attribute("poster") or "").startswith("data:image/jpeg;base64,")
        facts = can_play(video)
        assert facts["readyState"] >= 2 and facts["duration"] > 3, facts
        table = result.locator(".seedance-provenance").inner_text()
        assert "prompt" in table and "cgt-" in table, table


def check_saved_file(path: Path, folder: Path) -> None:
    """No live widget view and nothing local in any saved output."""
    outputs = saved_outputs(path)
    views = [o["data"][WIDGET_MIME] for o in outputs if WIDGET_MIME in o.get("data", {})]
    assert all(view["model_id"] == "" for view in views), views
    text = json.dumps(outputs)
    assert str(folder) not in text and "/root/" not in text and "/home/" not in text


def test_quickstart_in_lab_survives_save_restart_and_reload(lab: Any) -> None:
    lab.copy_notebook(QUICKSTART.name)
    page = lab.open(QUICKSTART.name)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    panel = page.locator(LAB_PANEL)
    expect(panel.locator(RESULT)).to_have_count(2, timeout=180_000)  # the fox and the boat
    wait_kernel_idle(page)
    expect(panel.locator(CARD)).to_have_count(0)  # the live cards are gone
    save(page)
    expect(page.locator(".jp-mod-dirty")).to_have_count(0)
    check_saved_file(lab.root / QUICKSTART.name, lab.root)

    restart_kernel(lab, QUICKSTART.name)
    again = lab.open(QUICKSTART.name)  # a new page: everything comes from the saved file
    reopened = again.locator(LAB_PANEL)
    check_results(reopened, 2)
    again.wait_for_timeout(2000)  # the widget manager has restored whatever it will
    assert "model not found" not in reopened.inner_text()
    reopened.locator(RESULT).first.scroll_into_view_if_needed()
    screenshot(again, "quickstart-after-restart")


def test_quickstart_in_notebook7_survives_save_restart_and_reload(lab: Any) -> None:
    lab.copy_notebook(QUICKSTART.name)
    page = open_in_notebook7(lab, QUICKSTART.name)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    expect(page.locator(RESULT)).to_have_count(2, timeout=180_000)
    wait_notebook7_idle(page)
    expect(page.locator(CARD)).to_have_count(0)
    save(page)
    page.wait_for_timeout(1000)
    check_saved_file(lab.root / QUICKSTART.name, lab.root)

    restart_kernel(lab, QUICKSTART.name)
    again = open_in_notebook7(lab, QUICKSTART.name)
    check_results(again.locator("body"), 2)
    again.wait_for_timeout(2000)
    assert "model not found" not in again.locator(".jp-Notebook").inner_text()
    screenshot(again, "notebook7-after-restart")


def open_in_notebook7(lab: Any, name: str) -> Page:
    page = lab.page()
    page.goto(f"notebooks/{lab.path(name)}")
    page.locator(".jp-Notebook").first.wait_for(state="visible")
    wait_notebook7_idle(page)
    return page


def wait_notebook7_idle(page: Page) -> None:
    page.wait_for_function(
        """() => {
            const panel = window.jupyterapp?.shell?.currentWidget;
            const kernel = panel?.sessionContext?.session?.kernel;
            return kernel && kernel.connectionStatus === "connected" && kernel.status === "idle";
        }""",
        timeout=120_000,
    )


def test_saved_mid_task_shows_last_known_state_and_its_refresh(lab: Any) -> None:
    name = "midway.ipynb"
    lab.write_notebook(
        name, [setup_cell(1, 12), "%%seedance --duration 5 -o slow\nA slow sunrise over hills"]
    )
    page = lab.open(name)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    panel = page.locator(LAB_PANEL)
    panel.locator(f"{CARD}[data-status=running]").wait_for(timeout=60_000)
    # While the card lives, the static last known state beside it is hidden.
    expect(panel.locator(".seedance-pending")).to_be_hidden()
    task_id = re.search(r"cgt-[\w-]+", panel.locator(f"{CARD} [data-testid=task-id]").inner_text())
    assert task_id is not None
    save(page)
    page.wait_for_timeout(500)
    page.context.close()  # the notebook is closed; its kernel runs on and the task finishes

    time.sleep(15)
    same_kernel = lab.open(name)
    # The card reconnects to its model in the kernel: the final state.
    same_kernel.locator(LAB_PANEL).locator(f"{CARD}[data-status=succeeded]").wait_for(
        timeout=60_000
    )

    restart_kernel(lab, name)
    after = lab.open(name).locator(LAB_PANEL)
    pending = after.locator(".seedance-pending")
    pending.wait_for(state="visible", timeout=60_000)
    text = pending.inner_text()
    assert "last known state" in text and "running" in text, text
    assert f"%seedance show {task_id.group(0)}" in text, text
    after.page.wait_for_timeout(2000)  # the widget manager has restored whatever it will
    assert "model not found" not in after.inner_text()  # the dead card's message is hidden
    screenshot(after.page, "saved-mid-task-reopened")

    # The one line brings it up to date, from the history.
    after.page.evaluate(
        """(code) => {
            const app = window.jupyterapp;
            const panel = app.shell.currentWidget;
            panel.content.activeCellIndex = panel.content.widgets.length - 1;
            return app.commands.execute("notebook:insert-cell-below").then(() => {
                panel.content.activeCell.model.sharedModel.setSource(code);
                return app.commands.execute("notebook:run-cell");
            });
        }""",
        f"%load_ext seedance_nb\n%seedance show {task_id.group(0)}",
    )
    check_results(after.locator(".jp-CodeCell").last, 1)


def github_like(fragment: str) -> str:
    """What GitHub's notebook preview keeps of an HTML output: no <video>/<audio>, no scripts or
    styles blocks, no media from data: URLs (its CSP has media-src 'none'); images may be data:
    URLs (it shows image/png and image/jpeg outputs that way)."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if value.startswith("data:") and not (tag == "img" and value.startswith("data:image/")):
            return None
        return value

    tags = set(nh3.ALLOWED_TAGS) - {"video", "audio", "source", "track"}
    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes["img"] = attributes.get("img", set()) | {"src", "alt", "width", "class"}
    attributes["table"] = attributes.get("table", set()) | {"class"}
    attributes["div"] = attributes.get("div", set()) | {"class"}
    return nh3.clean(
        fragment,
        tags=tags,
        attributes=attributes,
        url_schemes={"http", "https", "mailto", "data"},
        attribute_filter=keep,
    )


def test_exported_html_plays_and_survives_a_github_like_sanitizer(lab: Any) -> None:
    folder = lab.root / "shared"
    saved = folder / QUICKSTART.name
    env = {**simulator_env(), **FAST, "SEEDANCE_EMBED_LIMIT": "0"}  # every video linked
    nb = execute_notebook(QUICKSTART, saved, env=env, timeout=180)
    html = export_html(saved)  # from the saved file alone
    page = lab.page()
    page.goto(f"files/{lab.path('shared/' + html.name)}")
    videos = page.locator(".seedance-result video")
    expect(videos).to_have_count(2, timeout=30_000)
    for index in range(2):
        source = videos.nth(index).evaluate("v => v.currentSrc")
        assert "/seedance-media/" in source and not source.startswith("data:"), source[:80]
        facts = can_play(videos.nth(index))
        assert facts["readyState"] >= 2 and facts["duration"] > 3, facts

    fragments = [
        github_like(o["data"]["text/html"])
        for c in nb.cells
        for o in c.get("outputs", [])
        if "seedance_nb" in o.get("metadata", {})
    ]
    assert len(fragments) == 2
    sanitized = folder / "github.html"
    sanitized.write_text("<!doctype html><meta charset=utf-8><body>" + "".join(fragments))
    page.goto(f"files/{lab.path('shared/github.html')}")
    assert page.locator("video").count() == 0
    previews = page.locator("img.seedance-preview")
    expect(previews).to_have_count(2)
    for index in range(2):
        width = previews.nth(index).evaluate(
            "async (img) => { await img.decode(); return img.naturalWidth; }"
        )
        assert width > 0
    body = page.locator("body").inner_text()
    assert body.count("prompt") == 2 and "red fox" in body and "paper boat" in body
    screenshot(page, "github-like")


def test_saved_comparison_grid_shows_after_a_restart(lab: Any) -> None:
    name = "grid.ipynb"
    lab.write_notebook(
        name,
        [
            setup_cell(0.3, 1),
            "import seedance_nb as sd\n"
            'group = sd.grid(["a red fox in snow"], seeds=[1, 2], resolution="480p", duration=4)\n'
            "group",
            "_ = await group",
        ],
    )
    page = lab.open(name)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    cells = page.locator(LAB_PANEL).locator(".seedance-grid-cell")
    expect(cells.locator("img")).to_have_count(2, timeout=120_000)  # both posters, in place
    wait_kernel_idle(page)
    save(page)
    expect(page.locator(".jp-mod-dirty")).to_have_count(0)

    restart_kernel(lab, name)
    again = lab.open(name)
    panel = again.locator(LAB_PANEL)
    grid = panel.locator(".seedance-static-grid")
    grid.wait_for()
    text = grid.inner_text()
    assert "2 succeeded" in text and "seed=1" in text and "seed=2" in text, text
    for index in range(2):
        width = (
            grid.locator("img")
            .nth(index)
            .evaluate("async (img) => { await img.decode(); return img.naturalWidth; }")
        )
        assert width > 0
    again.wait_for_timeout(2000)
    assert "model not found" not in panel.inner_text()
    grid.scroll_into_view_if_needed()
    screenshot(again, "grid-after-restart")


def test_a_colleague_opens_the_notebook_untrusted_in_lab(lab: Any) -> None:
    """A notebook someone else ran is not trusted here: Lab sanitizes its HTML outputs. The
    results still show poster, player and provenance, and the linked videos play."""
    folder = lab.root / "received"
    env = {**simulator_env(), **FAST, "SEEDANCE_EMBED_LIMIT": "0"}
    execute_notebook(QUICKSTART, folder / QUICKSTART.name, env=env, timeout=180)
    page = lab.open(f"received/{QUICKSTART.name}")
    panel = page.locator(LAB_PANEL)
    trusted = page.evaluate(
        """() => {
            const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
            return Array.from({ length: cells.length }, (_, i) => cells.get(i))
                .filter((cell) => cell.type === "code").map((cell) => cell.trusted);
        }"""
    )
    assert trusted and not any(trusted), trusted
    check_results(panel, 2)
    assert "model not found" not in panel.inner_text()
