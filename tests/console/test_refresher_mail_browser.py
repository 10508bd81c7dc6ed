"""From a refresher e-mail to an acknowledged assignment, in Chromium: the scan assigns a
refresher, the dispatcher mails it through a real SMTP server, and the learner follows the
e-mail's 7-day link (no other sign-in) straight to the assignment and acknowledges it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ServerProcess
from tests.console.conftest import screenshot
from tests.console.test_signin_refresher_links import CONSOLE_LINK, assigned_mail, mailing_app
from tests.receivers import SmtpReceiver, running_smtp

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    yield from running_smtp()


def test_a_learner_acknowledges_an_assignment_from_the_refresher_emails_link(
    browser_page: Any, live_console: ServerProcess, database_url: str, smtp: SmtpReceiver
) -> None:
    # The dispatcher that writes the e-mail knows the server's address as its public URL.
    app = mailing_app(database_url, smtp, public_url=live_console.url)
    try:
        _, assignment_id, text = assigned_mail(app, smtp)
    finally:
        app.extensions["lrs_bridge"].close()
    [link] = CONSOLE_LINK.findall(text)
    assert link.startswith(f"{live_console.url}/console/sign-in/")

    page = browser_page
    page.goto(link)
    page.get_by_role("heading", name="Confirm sign-in").wait_for()
    screenshot(page, f"refresher-mail-confirm-{live_console.database_url.split(':')[0]}")
    page.get_by_role("button", name="Sign in now").click()
    page.wait_for_url(f"{live_console.url}/console/assignments/{assignment_id}")
    page.get_by_role("button", name="I have seen this").click()
    assert page.get_by_role("status").inner_text().startswith("Acknowledged")
    screenshot(page, f"refresher-mail-acknowledged-{live_console.database_url.split(':')[0]}")

    # The acknowledgement is stored: a fresh read of the page (same session) shows it.
    reread = page.request.get(f"{live_console.url}/console/assignments/{assignment_id}")
    assert reread.status == 200 and 'data-acknowledged="true"' in reread.text()
