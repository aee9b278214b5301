"""Browser tests: Debian's Chromium driven by Playwright against a live server on 127.0.0.1.

Every page a journey visits is checked with ``look``: axe-core finds no WCAG 2.2 A/AA violation, the console shows
no error (a Content-Security-Policy refusal is one), and a screenshot is saved for a person to look at, under the
folder printed at the start of the run (``MACFA_SCREENSHOTS``, default /tmp/macfa-screenshots).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

CHROMIUM = os.environ.get("MACFA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"desktop": 1280, "phone": 375}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path(os.environ.get("MACFA_SCREENSHOTS", "/tmp/macfa-screenshots"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    print(f"\nBrowser screenshots: {SCREENSHOTS}")
    return SCREENSHOTS


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One browser for a module of browser tests.

    Playwright's sync API runs an event loop in this thread while it is open, and the ORM calls the tests make around
    it are synchronous, so Django's async-safety check is lifted for exactly that long (and never leaks into the
    deployment checks that other tests run in subprocesses).
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: install the Debian package chromium (make test does, as root).")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Visit:
    """A signed-in person's browser at one width, with the checks every page gets."""

    def __init__(self, page: Any, base: str, width: str, screenshots: Path) -> None:
        self.page, self.base, self.width, self.screenshots = page, base, width, screenshots
        self.console_errors: list[str] = []
        self.expected_page_status = 200
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("response", self._failed_resource)

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        if "Failed to load resource" in message.text and self.expected_page_status >= 400:
            return  # the page's own status, logged by Chromium; the test asserts what the page says
        self.console_errors.append(message.text)

    def _failed_resource(self, response: Any) -> None:
        """A style, script, image or font that failed to load. A page's own status is the test's to check: a form
        sent back with its errors answers 400 on purpose (and Chromium logs that as a console error, dropped here)."""
        if response.request.resource_type == "document":
            self.expected_page_status = response.status
        elif response.status >= 400:
            self.console_errors.append(f"{response.status} {response.url}")

    def page_status(self) -> int:
        """The status of the page now shown, once it has loaded."""
        self.page.wait_for_load_state("networkidle")
        return self.expected_page_status

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status < 400, f"{path}: {response.status if response else 'none'}"
        return response

    def look(self, name: str) -> None:
        """Check the page as it is now and save its screenshot as <width>-<name>.png."""
        self.page.wait_for_load_state("networkidle")
        path = self.screenshots / f"{self.width}-{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
        self.page.screenshot(path=str(path), full_page=True)
        results = Axe().run(self.page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.violations_count == 0, f"{name} ({self.width}): {results.generate_report()}"
        assert not self.console_errors, f"{name} ({self.width}) console: {self.console_errors}"
        if self.width == "phone":  # nothing wider than the screen but tables, which scroll inside their own box
            overflow = self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} is {overflow}px wider than a 375px phone"


@pytest.fixture(params=sorted(WIDTHS))
def width(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def visit(chromium: Any, live_server: Any, width: str, screenshots: Path) -> Iterator[Any]:
    """``visit(user)`` opens a browser signed in as ``user`` at this test's width."""
    contexts = []

    def open_as(user: Any) -> Visit:
        client = Client()
        client.force_login(user)
        context = chromium.new_context(viewport={"width": WIDTHS[width], "height": 900})
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        contexts.append(context)
        return Visit(context.new_page(), live_server.url, width, screenshots)

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def world(parties: Any) -> Any:
    """The API tests' world: records about the lead's agency, another agency and another partnership."""
    from tests.api.conftest import build_world

    return build_world(parties)
