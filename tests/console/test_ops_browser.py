"""The operations pages in a real browser (Debian's Chromium through Playwright) against a
real ``lrs-bridge serve``: an admin filters the assignments, cancels one, retries a dead
letter, saves the branding; every page is saved as a screenshot under tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from lrs_bridge import create_app
from lrs_bridge.console.viewer import Viewer
from lrs_bridge.runtime import Runtime
from tests.conftest import ServerProcess, free_port
from tests.console.conftest import browser_login, screenshot
from tests.console.ops_data import Seeded, dead_letters, seed

pytestmark = [pytest.mark.browser, pytest.mark.server]
ADMIN = Viewer(kind="admin", email="ada@example.com", name="Ada")


@pytest.fixture
def failing_mail(database_url: str) -> Iterator[Flask]:
    """A second process on the same database whose e-mails all fail: it seeds the data
    and leaves dead letters, as a scheduler with a broken SMTP server would."""
    app = create_app(
        {
            "database_url": database_url,
            "access_log": False,
            "smtp_url": f"smtp://127.0.0.1:{free_port()}?timeout=2",
            "notification_max_attempts": 1,
        }
    )
    yield app
    app.extensions["lrs_bridge"].close()


def test_an_admin_filters_assignments_and_retries_a_dead_letter(
    browser_page: Any, live_console: ServerProcess, console_app: Flask, failing_mail: Flask
) -> None:
    seeded: Seeded = seed(failing_mail)
    dead = dead_letters(failing_mail)
    assert dead
    database = live_console.database_url.split(":")[0].split("+")[0]
    page = browser_page
    browser_login(page, console_app, live_console, ADMIN)

    page.goto(f"{live_console.url}/console/")
    assert page.get_by_role("alert").inner_text().startswith("Warning: No notification channel")
    screenshot(page, f"ops-home-warning-{database}")

    page.goto(f"{live_console.url}/console/assignments")
    assert page.locator("tr[data-assignment]").count() == 6
    screenshot(page, f"ops-assignments-{database}")
    page.get_by_label("Status").select_option("escalated")
    page.get_by_label("Team").select_option("sales")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**status=escalated**")
    rows = page.locator("tr[data-assignment]")
    assert (
        sorted(int(rows.nth(i).get_attribute("data-assignment")) for i in range(rows.count()))
        == (seeded.assignments["ola"])
    )
    assert page.locator("tr[data-assignment] .ops-status").all_inner_texts() == ["Escalated"] * 2
    screenshot(page, f"ops-assignments-filtered-{database}")

    target = seeded.assignments["ola"][0]
    row = page.locator(f'tr[data-assignment="{target}"]')
    row.locator("summary").click()
    page.get_by_label(f"Reason for cancelling assignment {target} (optional)").fill("moved team")
    screenshot(page, f"ops-assignments-cancel-{database}")
    page.get_by_role("button", name=f"Cancel {target}").click()
    page.wait_for_url("**status=escalated**")
    assert page.get_by_role("status").first.inner_text() == f"Assignment {target} was cancelled."
    assert page.locator(f'tr[data-assignment="{target}"]').count() == 0

    page.goto(f"{live_console.url}/console/notifications")
    screenshot(page, f"ops-notifications-{database}")
    page.get_by_label("State").select_option("dead")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**state=dead**")
    assert page.locator("tr[data-notification]").count() == len(dead)
    assert (
        "Connection refused" in page.locator("tr[data-notification] .ops-error").first.inner_text()
    )
    screenshot(page, f"ops-notifications-dead-{database}")
    retry = page.get_by_role("button", name=f"Retry notification {dead[0]}")
    retry.focus()
    page.keyboard.press("Enter")  # keyboard, not the mouse
    page.wait_for_url("**state=dead**")
    assert (
        page.get_by_role("status").first.inner_text() == f"Notification {dead[0]} is queued again."
    )
    assert page.locator(f'tr[data-notification="{dead[0]}"]').count() == 0
    runtime: Runtime = console_app.extensions["lrs_bridge"]
    assert runtime.notifications.get(dead[0]).status == "pending"
    screenshot(page, f"ops-notifications-retried-{database}")


def test_an_admin_sets_the_branding(
    browser_page: Any, live_console: ServerProcess, console_app: Flask
) -> None:
    database = live_console.database_url.split(":")[0].split("+")[0]
    page = browser_page
    browser_login(page, console_app, live_console, ADMIN)
    page.goto(f"{live_console.url}/console/settings/branding")
    screenshot(page, f"ops-branding-{database}")
    page.get_by_label("Organisation name").fill("Acme Support")
    page.get_by_label("Primary colour").fill("#ffcc00")
    page.get_by_role("button", name="Save").click()
    assert "too light for white text" in page.locator("#e-primary_colour").inner_text()
    screenshot(page, f"ops-branding-refused-{database}")
    page.get_by_label("Primary colour").fill("#0b3d91")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/console/settings/branding")
    assert page.get_by_role("status").first.inner_text() == "Branding saved."
    assert page.locator(".brand-name").inner_text() == "Acme Support"
    header = page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header == "rgb(11, 61, 145)"
    screenshot(page, f"ops-branding-saved-{database}")
