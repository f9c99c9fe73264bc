"""The harness itself: a widget changed by a background task after its cell finished updates live."""

from __future__ import annotations

import pytest

from .jupyter import run_all, screenshot

pytestmark = pytest.mark.browser

# The view records every value it is shown, so the test can tell live updates from a final state
# replayed at render time. The task waits until the view reports itself rendered: that message
# reaches the kernel only after the cell's execution ended, so every bump happens afterwards.
COUNTER_CELL = '''
import asyncio

import anywidget
import traitlets


class Counter(anywidget.AnyWidget):
    _esm = """
    export default {
      render({ model, el }) {
        el.classList.add("harness-counter");
        const seen = [];
        const show = () => {
          seen.push(model.get("value"));
          el.textContent = `count is ${model.get("value")}`;
          el.dataset.seen = seen.join(",");
        };
        show();
        model.on("change:value", show);
        model.set("rendered", true);
        model.save_changes();
      },
    };
    """
    value = traitlets.Int(0).tag(sync=True)
    rendered = traitlets.Bool(False).tag(sync=True)


counter = Counter()
shown = asyncio.Event()
counter.observe(lambda change: shown.set(), names=["rendered"])


async def bump() -> None:
    await asyncio.wait_for(shown.wait(), timeout=60)
    for _ in range(3):
        await asyncio.sleep(0.3)
        counter.value += 1


task = asyncio.get_running_loop().create_task(bump())
print("cell finished; task running:", not task.done())
counter
'''


def test_background_task_updates_widget_after_cell_finished(lab):
    lab.write_notebook("counter.ipynb", [COUNTER_CELL.strip()])
    page = lab.open("counter.ipynb")

    assert run_all(page)  # returns once the cell has replied
    cell = page.locator(".jp-CodeCell").first
    assert cell.locator(".jp-InputPrompt").inner_text().strip() == "[1]:"
    assert "task running: True" in cell.locator(".jp-OutputArea").inner_text()

    view = page.locator(".harness-counter")
    view.filter(has_text="count is 3").wait_for(timeout=30_000)
    assert view.get_attribute("data-seen") == "0,1,2,3"
    view.scroll_into_view_if_needed()
    path = screenshot(page, "harness-counter")
    assert path.stat().st_size > 0
