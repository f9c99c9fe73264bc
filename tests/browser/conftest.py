"""Fixtures for tests that drive JupyterLab in headless Chromium.

    from .jupyter import run_all, screenshot

    def test_counter(lab):
        lab.write_notebook("demo.ipynb", ["import seedance_nb", "..."])
        page = lab.open("demo.ipynb")   # loaded, kernel idle
        assert run_all(page)
        screenshot(page, "demo")

One Lab server serves the whole session (each test gets a folder of its own under its root, which
is also its kernels' working directory); Chromium is started once per module. Every test in this
folder is marked `browser`. They skip when /usr/bin/chromium is missing, except where a browser
is required (CI set, as the build sets it, or SEEDANCE_REQUIRE_BROWSER=1): there that is a failure
naming the fix, never a quiet "s".

Playwright's sync API marks its event loop as running in this thread for as long as it is
started, so keep async tests out of browser test modules.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path

import pytest

try:
    from playwright.sync_api import Browser, Page, sync_playwright
    from playwright.sync_api import Error as PlaywrightError
except ImportError as exc:  # a collection error, in CI and everywhere: never a skip
    raise ImportError(
        f"{exc}: the browser tests need playwright; run `bash scripts/setup.sh` "
        "(it installs the dev extras and Debian's chromium)"
    ) from exc

from .jupyter import (
    CHROMIUM,
    REPO,
    LabServer,
    copy_notebook,
    launch_chromium,
    new_page,
    open_notebook,
    screenshot,
    start_server,
    write_notebook,
)

HERE = Path(__file__).resolve().parent
FAILED = pytest.StashKey[bool]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Lets the `lab` fixture see at teardown whether its test failed.
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


def browser_required(env: Mapping[str, str] = os.environ) -> bool:
    """True in CI (``CI`` set to anything but empty, 0 or false) or with
    SEEDANCE_REQUIRE_BROWSER=1: a missing browser is then a failure, not a skip."""
    ci = env.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return ci or env.get("SEEDANCE_REQUIRE_BROWSER", "").strip() == "1"


def require_chromium(path: Path = CHROMIUM, env: Mapping[str, str] = os.environ) -> None:
    """Skip (on a developer machine) or fail (where a browser is required) without Chromium."""
    if path.exists():
        return
    reason = (
        f"{path} is missing: install it with `apt-get install -y chromium`, or run "
        "`bash scripts/setup.sh` (it installs it)"
    )
    if browser_required(env):
        pytest.fail(reason + " [required here: CI or SEEDANCE_REQUIRE_BROWSER=1]", pytrace=False)
    pytest.skip(reason)


class Lab:
    """One test's view of the running Lab: its own notebook folder, and pages signed in to it.

    `url` is the server's base URL, `root` this test's folder; notebook names are relative to it.
    """

    def __init__(self, server: LabServer, browser: Browser, root: Path) -> None:
        self.server = server
        self.browser = browser
        self.root = root
        self.url = server.url
        self.token = server.token
        self._pages: list[Page] = []

    def path(self, name: str) -> str:
        """The path of `name` relative to the server root, as used in Lab URLs."""
        return (self.root / name).relative_to(self.server.root).as_posix()

    def write_notebook(self, name: str, cells: list[str]) -> Path:
        return write_notebook(self.root / name, cells)

    def copy_notebook(self, name: str, source: Path | None = None) -> Path:
        """Copy `name` from the repository's notebooks/ (or from `source`) into this folder."""
        return copy_notebook(source or REPO / "notebooks" / name, self.root / name)

    def page(self) -> Page:
        """A new page in its own browser context, signed in; closed when the test ends."""
        page = new_page(self.browser, self.server)
        self._pages.append(page)
        return page

    def open(self, name: str) -> Page:
        """A new page showing notebook `name`, its kernel started and idle."""
        page = self.page()
        open_notebook(page, self.path(name))
        return page

    def close(self, failed: bool = False) -> None:
        for number, page in enumerate(self._pages):
            if failed:  # what the page showed, for the failure report
                with contextlib.suppress(PlaywrightError):
                    print("screenshot:", screenshot(page, f"FAILED-{self.root.name}-{number}"))
            with contextlib.suppress(PlaywrightError):
                page.context.close()
        if failed:
            print(f"jupyter lab log (end):\n{self.server.log_tail()}")
        self.server.shutdown_kernels()


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    require_chromium()
    server = start_server(tmp_path_factory.mktemp("jupyterlab"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, tmp_path_factory.mktemp("chromium"))
        yield browser
        browser.close()


@pytest.fixture
def lab(lab_server: LabServer, chromium: Browser, request: pytest.FixtureRequest) -> Iterator[Lab]:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)[:80]
    root = lab_server.root / name
    root.mkdir(parents=True, exist_ok=True)
    session = Lab(lab_server, chromium, root)
    yield session
    session.close(failed=request.node.stash.get(FAILED, False))
