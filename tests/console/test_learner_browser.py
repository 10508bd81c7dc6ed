"""The learner pages in a real browser (Debian's Chromium through Playwright) against a real
``lrs-bridge serve`` process: acknowledging an assignment, the 403 on another learner's
page, a POST without its CSRF token, and a screenshot of every page."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import pytest
from flask import Flask

from lrs_bridge.console.viewer import Viewer
from tests.conftest import ServerProcess
from tests.console.conftest import browser_login, screenshot
from tests.console.learner_world import EMPATHY, World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.server]


def _db(server: ServerProcess) -> str:
    return server.database_url.split(":")[0].split("+")[0]


@pytest.fixture
def world(console_app: Flask) -> World:
    return build_world(console_app)


def _visit(page: Any, app: Flask, server: ServerProcess, viewer: Viewer, path: str) -> Any:
    """Sign ``page`` in as ``viewer`` and open ``path``; the response."""
    browser_login(page, app, server, viewer)
    return page.goto(f"{server.url}{path}")


def _assignment(app: Flask, world: World) -> dict[str, Any]:
    """The assignment as the API reports it to an admin."""
    found: dict[str, Any] = (
        app.test_client()
        .get(f"/api/v1/assignments/{world.assignment}", headers=world.admin)
        .get_json()
    )
    return found


def test_a_learner_acknowledges_an_assignment_on_its_page(
    browser_page: Any, live_console: ServerProcess, console_app: Flask, world: World
) -> None:
    page = browser_page
    path = f"/console/assignments/{world.assignment}"
    _visit(page, console_app, live_console, world.viewer("kari"), path)
    screenshot(page, f"learner-assignment-{_db(live_console)}")
    page.get_by_role("button", name="I have seen this").click()
    page.wait_for_url(f"**/console/assignments/{world.assignment}")
    assert page.get_by_role("status").inner_text().startswith("Acknowledged")
    assert page.locator('[data-acknowledged="true"]').is_visible()
    assert page.get_by_role("button", name="I have seen this").count() == 0
    screenshot(page, f"learner-assignment-acknowledged-{_db(live_console)}")
    api = _assignment(console_app, world)
    assert api["acknowledged"] is not None


def test_a_learner_gets_403_on_another_learners_page(
    browser_page: Any, live_console: ServerProcess, console_app: Flask, world: World
) -> None:
    page = browser_page
    path = f"/console/learners/{world.olga}"
    response = _visit(page, console_app, live_console, world.viewer("kari"), path)
    assert response is not None and response.status == 403
    assert "Olga" not in page.content()
    screenshot(page, f"learner-403-{_db(live_console)}")


def test_a_post_without_its_csrf_token_is_refused(
    browser_page: Any, live_console: ServerProcess, console_app: Flask, world: World
) -> None:
    page = browser_page
    path = f"/console/assignments/{world.assignment}"
    _visit(page, console_app, live_console, world.viewer("kari"), path)
    # The form as an attacker's page would send it: the same fields, no token.
    page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(i => i.remove())")
    page.get_by_label("Later by").select_option("P3D")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Snooze").click()
    assert navigation.value.status == 400
    assert "did not come from this site" in page.content()
    screenshot(page, f"learner-csrf-refused-{_db(live_console)}")
    direct = page.request.post(
        f"{live_console.url}/console/assignments/{world.assignment}/acknowledge", form={}
    )
    assert direct.status == 400
    api = _assignment(console_app, world)
    assert api["acknowledged"] is None
    assert all("snoozed" not in e["cause"] for e in api["events"])


def test_every_learner_page_renders_and_is_keyboard_usable(
    browser_page: Any, live_console: ServerProcess, console_app: Flask, world: World
) -> None:
    page = browser_page
    # A manager looking at a report.
    _visit(page, console_app, live_console, world.viewer("mid"), f"/console/learners/{world.kari}")
    assert page.locator("h1").inner_text() == "Kari"
    assert page.locator("svg.timeline").count() == 2
    page.get_by_text("Show as a table").first.click()
    screenshot(page, f"learner-page-{_db(live_console)}")
    page.get_by_role("link", name="Empathy").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/evidence\?competency=.+"))
    assert unquote(page.url.split("competency=", 1)[1]) == EMPATHY
    assert page.locator("tr[data-statement]").count() == 2
    screenshot(page, f"learner-evidence-{_db(live_console)}")

    admin = browser_page.context.browser.new_context(locale="en-GB").new_page()
    try:
        _visit(admin, console_app, live_console, world.viewer("admin"), "/console/me")
        assert "not in the learner directory" in admin.content()
        screenshot(admin, f"learner-me-no-record-{_db(live_console)}")
    finally:
        admin.context.close()
