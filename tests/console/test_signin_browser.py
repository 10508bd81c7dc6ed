"""Sign-in in a real browser: Debian's Chromium asks for a link, the link is read from a real
SMTP server (aiosmtpd), and its confirm button lands the learner on ``/console/``."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lrs_bridge.runtime import Runtime
from lrs_bridge.services.directory import import_directory
from tests.conftest import ServerProcess
from tests.console.conftest import screenshot
from tests.receivers import SmtpReceiver, running_smtp

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    yield from running_smtp()


@pytest.fixture
def live_console(database_url: str, tmp_path: Path, smtp: SmtpReceiver) -> Iterator[ServerProcess]:
    """The console's live server, here with an SMTP channel (links point at the server
    itself: no ``public_url``, so ``http://127.0.0.1:<port>``)."""
    proc = ServerProcess(database_url, tmp_path, workers=1, env={"LRS_BRIDGE_SMTP_URL": smtp.url})
    yield proc
    proc.stop()


def mailed_link(smtp: SmtpReceiver, base: str) -> str:
    deadline = time.monotonic() + 15
    while not smtp.mailbox.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    [message] = smtp.mailbox.messages
    text = message.get_body(("plain",)).get_content()
    found = re.search(re.escape(base) + r"/console/sign-in/[A-Za-z0-9_-]+", text)
    assert found, text
    return found.group(0)


def test_a_learner_signs_in_through_the_emailed_link(
    browser_page: Any,
    live_console: ServerProcess,
    console_app: Flask,
    smtp: SmtpReceiver,
) -> None:
    rt: Runtime = console_app.extensions["lrs_bridge"]
    assert rt.competencies is not None
    csv = "name,email,team\nKari Nordmann,kari@example.com,support\n"
    import_directory(rt.store, csv, rt.competencies.current().reduce, rt.clock)
    db = live_console.database_url.split(":")[0]
    page = browser_page

    page.goto(f"{live_console.url}/console/")
    assert "/console/sign-in" in page.url
    assert page.get_by_role("heading", name="Sign in").is_visible()
    screenshot(page, f"signin-form-{db}")

    page.get_by_label("E-mail address").fill("kari@example.com")
    page.get_by_label("E-mail address").press("Enter")  # keyboard only
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    screenshot(page, f"signin-check-email-{db}")

    link = mailed_link(smtp, live_console.url)
    page.goto(link)
    page.get_by_role("heading", name="Confirm sign-in").wait_for()
    screenshot(page, f"signin-confirm-{db}")

    page.get_by_role("button", name="Sign in now").click()
    page.wait_for_url(f"{live_console.url}/console/")
    assert page.locator("h1").inner_text() == "Welcome, Kari Nordmann"
    assert page.get_by_role("link", name="My page").count() >= 1
    screenshot(page, f"signin-landed-{db}")

    page.goto(link)  # the link has been used: a clear page, and a way to ask again
    page.get_by_role("heading", name="This sign-in link no longer works").wait_for()
    assert page.get_by_role("link", name="Request a new sign-in link").is_visible()
    screenshot(page, f"signin-link-used-{db}")

    page.goto(f"{live_console.url}/console/")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You have signed out.").wait_for()
    screenshot(page, f"signin-signed-out-{db}")
    page.goto(f"{live_console.url}/console/")
    assert "/console/sign-in" in page.url
