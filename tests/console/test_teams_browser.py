"""The team matrix in a real browser: a seeded team's cells carry the right statuses, the
filters work from their labels, and a cell leads to that learner's evidence trail."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge.console.viewer import Viewer
from tests.conftest import ServerProcess
from tests.console.conftest import browser_login, screenshot
from tests.console.test_teams import RELATIVE_TABLE
from tests.test_competency_flow import LISTENING
from tests.test_team_matrix import seed_desk

pytestmark = [pytest.mark.browser, pytest.mark.server]

WORDS = {"fresh": "Fresh", "due_soon": "Due soon", "stale": "Stale", "none": "Never trained"}


def test_a_seeded_teams_matrix_shows_its_statuses_and_leads_to_the_evidence(
    browser_page: Any,
    live_console: ServerProcess,
    console_app: Flask,
    console_client: FlaskClient,
    creds: Any,
) -> None:
    desk = seed_desk(console_client, creds.make("all,admin", name="admin"), RELATIVE_TABLE)
    page = browser_page
    browser_login(
        page, console_app, live_console, Viewer(kind="admin", email="a@x.org", name="Ada")
    )
    page.goto(f"{live_console.url}/console/teams")
    page.get_by_role("link", name="oslo").click()
    page.wait_for_url("**/console/teams/oslo")
    matrix = page.get_by_role("table", name="Competency freshness of 4 members")
    assert matrix.locator("td[data-status]").count() == 4 * 17
    for who, _when, expected in RELATIVE_TABLE:
        cell = matrix.locator(f'td[data-learner="{desk[who]}"][data-competency="{LISTENING}"]')
        assert cell.get_attribute("data-status") == expected
        assert cell.inner_text().startswith(WORDS[expected])
    db = live_console.database_url.split(":")[0]
    screenshot(page, f"console-teams-matrix-{db}")

    page.get_by_label("Competency group").select_option(label="Communication")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**group=**")
    assert page.locator("td[data-status]").count() == 4 * 7
    screenshot(page, f"console-teams-matrix-group-{db}")

    kari = page.locator(f'td[data-learner="{desk["kari"]}"][data-competency="{LISTENING}"] a')
    evidence = f"/console/learners/{desk['kari']}/evidence"
    query = "competency=" + urllib.parse.quote(LISTENING, safe="")
    assert kari.get_attribute("href") == f"{evidence}?{query}"
    kari.focus()
    page.keyboard.press("Enter")  # keyboard use: the cell's link
    page.wait_for_url(f"**{evidence}?*")
    landed = urllib.parse.urlsplit(page.url)
    assert landed.path == evidence and landed.query == query
    screenshot(page, f"console-teams-evidence-{db}")
