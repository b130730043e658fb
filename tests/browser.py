"""Headless Chromium for the tests that look at a page (the dashboard, the HTML report).

Uses Debian's Chromium (``/usr/bin/chromium``, or ``$MOBSIM_CHROMIUM``) driven by Playwright's
Python package; Playwright's own browser download is never used (``playwright install`` is not
needed). Where Chromium or Playwright is missing the browser tests are skipped with the reason,
unless ``MOBSIM_REQUIRE_BROWSER=1`` (set by ``.ci/run``): then they fail, so that CI cannot skip
them silently.

Use the fixture (import it into the test module)::

    from browser import chromium_page

    def test_page(chromium_page):
        chromium_page.goto("http://127.0.0.1:8765/")

or the context manager ``open_page()`` where a fixture does not fit.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("MOBSIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE = "MOBSIM_REQUIRE_BROWSER"


def missing() -> str | None:
    """Why no browser test can run here (None when Chromium and Playwright are both there)."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set MOBSIM_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -e '.[test]')"
    return None


def require_browser() -> None:
    """Skip the calling test when no browser can run, or fail it when ``MOBSIM_REQUIRE_BROWSER=1``."""
    reason = missing()
    if reason is None:
        return
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{REQUIRE}=1 but {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def open_page(width: int = 1400, height: int = 1000) -> Iterator[Any]:
    """A Playwright page in a fresh headless Chromium (closed on exit); skips or fails like ``require_browser``."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


@pytest.fixture
def chromium_page() -> Iterator[Any]:
    """A Playwright page in headless Chromium, 1400 × 1000 pixels."""
    with open_page() as page:
        yield page
