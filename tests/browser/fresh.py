"""Opening a notebook in a workspace of its own: Lab restores the tabs of its last session in
a workspace, so tests sharing the default one would see each other's notebooks."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from playwright.sync_api import Page

from .jupyter import wait_kernel_idle


def open_fresh(lab: Any, name: str) -> Page:
    """Like ``lab.open(name)``, in a new workspace named after the test's folder."""
    page: Page = lab.page()
    workspace = re.sub(r"[^A-Za-z0-9-]+", "-", lab.root.name)[:60] + "-" + re.sub(r"\W", "", name)
    page.goto(f"lab/workspaces/{workspace}/tree/{quote(lab.path(name))}?reset")
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").wait_for(state="visible")
    wait_kernel_idle(page)
    return page
