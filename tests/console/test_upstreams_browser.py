"""The Upstreams page in a real browser (Debian's Chromium through Playwright) against a
real ``lrs-bridge serve``: an admin reads each upstream's status, retries one dead letter
with the keyboard and then all of them; screenshots under tests/artifacts/."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from lrs_bridge.console.viewer import Viewer
from tests.conftest import ServerProcess
from tests.console.conftest import browser_login, screenshot
from tests.console.upstream_data import seed_upstreams

pytestmark = [pytest.mark.browser, pytest.mark.server]
ADMIN = Viewer(kind="admin", email="ada@example.com", name="Ada")


def test_an_admin_reads_upstream_status_and_retries_dead_letters(
    browser_page: Any, live_console: ServerProcess, console_app: Flask
) -> None:
    world = seed_upstreams(console_app)
    database = live_console.database_url.split(":")[0].split("+")[0]
    page = browser_page
    browser_login(page, console_app, live_console, ADMIN)

    page.goto(f"{live_console.url}/console/")
    page.get_by_role("navigation").get_by_role("link", name="Upstreams").click()
    page.wait_for_url("**/console/upstreams")
    locker = page.locator('tr[data-upstream="learning-locker"]')
    assert locker.locator('[data-figure="queued"]').inner_text() == "2"
    assert locker.locator('[data-figure="dead"]').inner_text() == "2"
    assert "connection refused" in locker.inner_text()
    ralph = page.locator('tr[data-upstream="ralph"]')
    assert ralph.locator('[data-figure="pulled"]').inner_text() == "250"
    assert page.get_by_role("heading", name="Dead letters of learning-locker (2)").is_visible()
    screenshot(page, f"upstreams-{database}")

    retry = page.get_by_role("button", name=f"Retry statement {world.dead_ids[0]}")
    retry.focus()
    page.keyboard.press("Enter")  # keyboard, not the mouse
    page.wait_for_url("**/console/upstreams")
    assert (
        page.get_by_role("status").first.inner_text()
        == "1 statement(s) queued again for learning-locker."
    )
    assert page.locator(f'tr[data-statement="{world.dead_ids[0]}"]').count() == 0
    assert locker.locator('[data-figure="queued"]').inner_text() == "3"
    screenshot(page, f"upstreams-retried-one-{database}")

    page.get_by_role("button", name="Retry every dead letter of learning-locker").click()
    page.wait_for_url("**/console/upstreams")
    assert locker.locator('[data-figure="dead"]').inner_text() == "0"
    assert page.locator("tr[data-statement]").count() == 0
    screenshot(page, f"upstreams-retried-all-{database}")
