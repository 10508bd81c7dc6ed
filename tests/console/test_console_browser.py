"""The console frame in a real browser: Debian's Chromium, through Playwright."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from lrs_bridge.console.viewer import Viewer
from tests.conftest import ServerProcess
from tests.console.conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_the_console_redirects_to_sign_in_then_shows_an_admin_the_home_page(
    browser_page: Any, live_console: ServerProcess, console_app: Flask
) -> None:
    page = browser_page
    page.goto(f"{live_console.url}/console/")
    assert "/console/sign-in" in page.url

    browser_login(
        page, console_app, live_console, Viewer(kind="admin", email="a@x.org", name="Ada")
    )
    page.goto(f"{live_console.url}/console/")
    assert page.locator("h1").inner_text() == "Welcome, Ada"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    screenshot(page, f"console-home-{live_console.database_url.split(':')[0]}")
