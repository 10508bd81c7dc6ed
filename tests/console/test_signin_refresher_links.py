"""Refresher and reminder e-mails carry a 7-day link that signs the learner in straight to
the assignment: from the scan, through the outbox and a real SMTP server, to the console."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from lrs_bridge import create_app
from lrs_bridge.runtime import Runtime
from tests.conftest import Credentials
from tests.receivers import SmtpReceiver, running_smtp
from tests.test_notify_render import make_digest
from tests.test_refreshers import LISTENING, add_person, at, evidence, post

PUBLIC = "https://lrs.example.com"
CONSOLE_LINK = re.compile(r"See it in the console \(signs you in\): (\S+)")


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    yield from running_smtp()


def mailing_app(database_url: str, smtp: SmtpReceiver, **settings: Any) -> Flask:
    return create_app(
        {"database_url": database_url, "access_log": False, "smtp_url": smtp.url, **settings}
    )


def assigned_mail(app: Flask, smtp: SmtpReceiver) -> tuple[Runtime, int, str]:
    """Kari's listening skill goes stale; the scan assigns a refresher and it is mailed."""
    rt: Runtime = app.extensions["lrs_bridge"]
    web = app.test_client()
    admin = Credentials(app).make("all,admin", name="admin")
    add_person(web, admin, "kari")
    post(web, admin, [evidence("kari", LISTENING, "2026-01-15T10:00:00Z")])
    assert rt.refreshers is not None
    [created] = rt.refreshers.scan(at("2026-05-01T00:00:00Z")).created
    assert rt.dispatcher.dispatch().sent == 1
    [mail] = smtp.mailbox.messages
    return rt, created["id"], mail.get_body(("plain",)).get_content()


def test_the_refresher_mail_signs_the_learner_in_to_the_assignment(database_url, smtp):
    app = mailing_app(database_url, smtp, public_url=PUBLIC)
    try:
        _, assignment_id, text = assigned_mail(app, smtp)
        [link] = CONSOLE_LINK.findall(text)
        assert link.startswith(PUBLIC + "/console/sign-in/")
        client = app.test_client()
        path = link.removeprefix(PUBLIC)
        page = client.get(path).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        response = client.post(path, data={"csrf_token": token.group(1)})
        assert response.status_code == 303
        assert response.headers["Location"] == f"/console/assignments/{assignment_id}"
        with client.session_transaction("/console/") as session:
            assert session["viewer"]["kind"] == "learner"
        assert client.get(response.headers["Location"]).status_code == 200  # their own
    finally:
        app.extensions["lrs_bridge"].close()


def test_without_a_public_url_the_mail_has_no_console_link(database_url, smtp):
    app = mailing_app(database_url, smtp)
    try:
        _, _, text = assigned_mail(app, smtp)
        assert "/console/" not in text
    finally:
        app.extensions["lrs_bridge"].close()


def test_escalations_and_erased_learners_get_no_links(database_url, smtp):
    app = mailing_app(database_url, smtp, public_url=PUBLIC)
    try:
        rt: Runtime = app.extensions["lrs_bridge"]
        web = app.test_client()
        kari = add_person(web, Credentials(app).make("all,admin"), "kari")
        reminder = make_digest("en", "reminder")
        own = dataclasses.replace(reminder, learner_id=kari)
        assert set(rt.signin.digest_links(own)) == {7, 8}
        escalation = dataclasses.replace(own, kind="escalation")
        assert rt.signin.digest_links(escalation) == {}
        assert rt.signin.digest_links(make_digest("en", "reminder")) == {}  # learner 42: none
    finally:
        app.extensions["lrs_bridge"].close()
