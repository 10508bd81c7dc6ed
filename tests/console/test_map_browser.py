"""The map editor in a real browser (Debian's Chromium through Playwright), against a real
``lrs-bridge serve`` process: roll back a map version, and a screenshot of every page."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask import Flask

from lrs_bridge.console.viewer import Viewer
from lrs_bridge.services.competencies import file_documents
from tests.conftest import ServerProcess
from tests.console.conftest import browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.server]

ADA = Viewer(kind="admin", email="ada@example.com", name="Ada")


def _seed_versions(app: Flask) -> tuple[int, int]:
    """Two saved versions that differ in one method's weight."""
    store = app.extensions["lrs_bridge"].store
    framework, cmap = file_documents("", "")
    ids = []
    for weight in (0.41, 0.42):
        changed = copy.deepcopy(cmap)
        changed["methods"]["coaching"] = weight
        ids.append(
            store.save_config(
                framework,
                changed,
                note=f"coaching {weight}",
                created_by="seed",
                clock=app.extensions["lrs_bridge"].clock,
            )
        )
    return ids[0], ids[1]


def _db(server: ServerProcess) -> str:
    return server.database_url.split(":")[0]


def test_roll_back_a_map_version(
    browser_page: Any, live_console: ServerProcess, console_app: Flask
) -> None:
    first, second = _seed_versions(console_app)
    page = browser_page
    browser_login(page, console_app, live_console, ADA)

    page.goto(f"{live_console.url}/console/map/history")
    assert page.get_by_role("heading", name="Version history").is_visible()
    screenshot(page, f"map-history-{_db(live_console)}")

    page.get_by_role("button", name=f"Roll back to v{first}").click()
    assert page.get_by_role("heading", name="Dry run: check before saving").is_visible()
    assert page.locator("[data-dry-run]").is_visible()
    assert page.locator("tr[data-change='changed']").filter(has_text="coaching").count() == 1
    assert page.get_by_label("Note for the history").input_value() == f"rollback to v{first}"
    screenshot(page, f"map-rollback-preview-{_db(live_console)}")

    page.get_by_role("button", name="Confirm and save as a new version").click()
    third = second + 1
    assert page.get_by_text(f"Saved as version v{third}").is_visible()
    row = page.locator(f"tr[data-version='{third}']")
    assert f"rollback to v{first}" in row.inner_text()
    screenshot(page, f"map-history-after-rollback-{_db(live_console)}")

    page.get_by_label(f"Compare from v{first}").check()
    page.get_by_label(f"Compare to v{third}").check()
    page.get_by_role("button", name="Compare the chosen versions").click()
    assert page.get_by_role("heading", name=f"From v{first} to v{third}").is_visible()
    assert page.locator("[data-no-changes]").inner_text() == "No differences."
    screenshot(page, f"map-diff-equal-{_db(live_console)}")

    store = console_app.extensions["lrs_bridge"].store
    assert store.config_version(third)["map"] == store.config_version(first)["map"]


PAGES = [
    ("/console/map", "Competency map"),
    ("/console/map/framework-competencies", "Competencies"),
    ("/console/map/rules", "Rules"),
    ("/console/map/policies", "Freshness policies"),
    ("/console/map/methods", "Learning methods"),
    ("/console/map/refreshers", "Refresher catalogue"),
    ("/console/map/rules/item?new=1", "Add to: Rules"),
    ("/console/map/methods/item?id=coaching", "Edit coaching"),
    ("/console/map/tester", "Rule tester"),
]


def test_every_map_editor_page_in_the_browser(
    browser_page: Any, live_console: ServerProcess, console_app: Flask
) -> None:
    first, second = _seed_versions(console_app)
    page = browser_page
    browser_login(page, console_app, live_console, ADA)
    for path, heading in PAGES:
        page.goto(f"{live_console.url}{path}")
        assert page.get_by_role("heading", level=1).inner_text() == heading, path
        name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-")
        screenshot(page, f"{name}-{_db(live_console)}")

    page.goto(f"{live_console.url}/console/map/methods/item?id=coaching")
    page.get_by_label("Weight (0–1)").fill("2")
    page.get_by_role("button", name="Preview (dry run)").click()
    assert page.get_by_role("alert").filter(has_text="methods.coaching").is_visible()
    screenshot(page, f"console-map-methods-item-error-{_db(live_console)}")

    page.goto(f"{live_console.url}/console/map/tester")
    page.get_by_label("Statement (JSON)").fill(
        '{"actor": {"mbox": "mailto:kari@example.com"},'
        ' "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},'
        ' "object": {"id": "https://lms.example.com/module/7", "definition":'
        ' {"type": "http://adlnet.gov/expapi/activities/module"}},'
        ' "context": {"contextActivities": {"other":'
        ' [{"id": "https://lms.example.com/competencies/empathy"}]}}}'
    )
    page.get_by_role("button", name="Test", exact=True).click()
    assert page.locator("tr[data-rule='elearning-empathy']").filter(has_text="verb differs").count()
    screenshot(page, f"console-map-tester-result-{_db(live_console)}")

    page.goto(f"{live_console.url}/console/map/history/{first}")
    assert page.get_by_role("heading", level=1).inner_text() == f"Version v{first}"
    screenshot(page, f"console-map-version-{_db(live_console)}")
    page.goto(f"{live_console.url}/console/map/history/diff?old={first}&new={second}")
    assert page.locator("[data-diff-counts]").inner_text() == "0 added, 0 removed, 1 changed"
    screenshot(page, f"console-map-diff-{_db(live_console)}")
