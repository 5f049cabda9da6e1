"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser for the whole session (pytest-playwright's `browser` fixture); each test opens its own
context with the locale, time zone and phone-sized viewport it needs. Nothing is downloaded: the
browser is the system's, and axe-core's script ships inside axe-playwright-python.
"""

from __future__ import annotations

import os

# Playwright's sync API runs an event loop in this thread; Django's ORM would otherwise refuse to run.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}
BLOCKING_IMPACTS = {"serious", "critical"}

OpenFeed = Callable[..., Page]
"""`open_feed(locale=..., now=..., timezone_id=...)` returns the loaded page."""


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """The system Chromium; `playwright install` is never needed (nor allowed to download)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); CI always runs these tests")
    return {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture
def open_feed(browser: Browser, live_server: LiveServer, settings: Settings) -> Iterator[OpenFeed]:
    """Open the demo feed in a fresh phone-sized context, the server clock pinned to `now`."""

    def _open(
        *, locale: str = "fr-FR", now: str = "2026-11-25T22:59:00+01:00", timezone_id: str = "Europe/Paris"
    ) -> Page:
        settings.RELAIS_FAKE_NOW = now
        context = browser.new_context(locale=locale, timezone_id=timezone_id, viewport=PHONE)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: script_errors.append(str(exc)))
        page.goto(f"{live_server.url}/")
        return page

    contexts: list[BrowserContext] = []
    script_errors: list[str] = []
    yield _open
    for context in contexts:
        context.close()
    assert not script_errors, f"uncaught errors in the page's script: {script_errors}"


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def assert_accessible(axe: Axe, page: Page, where: str) -> None:
    """No serious or critical axe-core violation (WCAG 2.2 A/AA and best practices, target size included)."""
    page.evaluate("() => Promise.all(document.getAnimations().map((a) => a.finished))")  # colours at rest
    results = axe.run(page, options=AXE_OPTIONS)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        print(f"axe violations on {where}:\n{results.generate_report()}")  # noqa: T201 - shown on failure
    assert not blocking, f"{where}: " + ", ".join(f"{v['id']} ({v['impact']})" for v in blocking)


def screenshot(page: Page, name: str) -> None:
    """Save a full-page picture for a person to look at, when RELAIS_SCREENSHOT_DIR names a folder."""
    folder = os.environ.get("RELAIS_SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px wide at {PHONE['width']}px"
