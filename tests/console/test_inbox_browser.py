"""The activity inbox in a real browser (Debian's Chromium through Playwright) against a
real ``lrs-bridge serve`` with its scheduler: Moodle page views no rule maps appear in the
inbox, an admin maps them with a dry run then a save, and the learner's level changes."""

from __future__ import annotations

import base64
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from flask import Flask

from lrs_bridge.console.viewer import Viewer
from tests.conftest import ServerProcess
from tests.console.conftest import browser_login, screenshot
from tests.test_activity_usage import LAUNCHED, MOODLE, moodle
from tests.test_refreshers import EMPATHY

pytestmark = [pytest.mark.browser, pytest.mark.server]

PAGE = f"{MOODLE}42"


class Api:
    """Plain HTTP calls to the server with an admin credential."""

    def __init__(self, server: ServerProcess) -> None:
        key, secret = server.credential("all,admin")
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.base = server.url
        self.headers = {
            "Authorization": f"Basic {token}",
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
        }

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else orjson.dumps(body)
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers=self.headers
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return orjson.loads(answer.read())


def wait_for(check: Callable[[], bool], seconds: float = 60) -> None:
    """Poll until ``check()`` holds: the scheduler's jobs run every few seconds."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


@pytest.fixture
def scheduled_server(database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """``serve`` with its scheduler: usage counting and the replay run as in production."""
    proc = ServerProcess(database_url, tmp_path, workers=1, scheduler=True)
    yield proc
    proc.stop()


def empathy_level(api: Api, learner_id: int) -> float:
    body = api.call("GET", f"/api/v1/learners/{learner_id}/competencies")
    levels = [c["level"] for c in body["competencies"] if c["competency"] == EMPATHY]
    return float(levels[0]) if levels else 0.0


def test_an_admin_maps_a_moodle_page_and_the_learners_level_changes(
    browser_page: Any, scheduled_server: ServerProcess, console_app: Flask
) -> None:
    server, page = scheduled_server, browser_page
    api = Api(server)
    kari = api.call("POST", "/api/v1/learners", {"name": "Kari", "email": "kari@example.com"})[
        "learners"
    ][0]["id"]
    api.call(
        "POST",
        "/xapi/statements",
        [moodle("kari", 42), moodle("kari", 42), moodle("ola", 42), moodle("ola", 42, LAUNCHED)],
    )
    assert empathy_level(api, kari) == 0.0

    browser_login(page, console_app, server, Viewer(kind="admin", email="a@x.org", name="Ada"))
    row = page.locator(f'tr[data-activity="{PAGE}"]')

    def listed() -> bool:
        page.goto(f"{server.url}/console/activities/unmapped")
        return row.count() == 1

    wait_for(listed)  # the activity-usage job has counted the statements
    assert row.get_by_role("cell").nth(3).inner_text() == "4"  # statements
    assert row.get_by_role("cell").nth(4).inner_text() == "2"  # learners
    database = server.database_url.split(":")[0].split("+")[0]
    screenshot(page, f"inbox-unmapped-{database}")

    row.get_by_role("link", name="Map Returns policy").click()
    page.get_by_label("Competency").select_option(EMPATHY)
    page.get_by_label("Learning method").select_option("theory")
    page.get_by_label("launched").uncheck()
    assert page.get_by_label("viewed").is_checked()
    screenshot(page, f"inbox-map-form-{database}")
    page.get_by_role("button", name="Preview (dry run)").click()
    preview = page.locator(".preview-result")
    assert preview.inner_text().strip() == (
        "3 statements from 2 learners would become evidence; 2 learners would change status."
    )
    assert preview.get_attribute("data-statements") == "3"
    assert preview.get_attribute("data-learners") == "2"
    assert preview.get_attribute("data-changing") == "2"
    screenshot(page, f"inbox-map-preview-{database}")

    page.get_by_role("button", name="Save as a new version").click()
    assert page.url.endswith("/console/activities/unmapped")
    assert "now counts as evidence" in page.get_by_role("status").first.inner_text()
    assert page.locator(f'tr[data-activity="{PAGE}"]').count() == 0
    screenshot(page, f"inbox-after-save-{database}")

    wait_for(lambda: empathy_level(api, kari) > 0)  # the scheduler replayed the store
    page.goto(f"{server.url}/console/learners/{kari}")  # the learner page shows it too
    level = page.locator(f'tr[data-competency="{EMPATHY}"] [data-level]')
    assert float(level.get_attribute("data-level")) == pytest.approx(empathy_level(api, kari))
    screenshot(page, f"inbox-learner-after-{database}")
    page.goto(f"{server.url}/console/statements?activity={PAGE}")
    assert page.locator("tr[data-statement]").count() == 4
    assert page.locator(f'li[data-competency="{EMPATHY}"]').count() == 3
    screenshot(page, f"statements-browser-{database}")
