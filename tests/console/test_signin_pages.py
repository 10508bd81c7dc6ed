"""The sign-in pages over plain HTTP, on both databases, with a real SMTP server.

Each rule of issue 10 §1 that a page carries: the form contract, links by e-mail (no
account enumeration, one use, 15 minutes, a confirm button), passwords for admins,
throttling, sign-out, the cookie's flags and idle timeout, and who a person turns out to be.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge import create_app
from lrs_bridge.runtime import Runtime
from lrs_bridge.services.signin import SignInService
from lrs_bridge.store.console_users import ConsoleUserStore
from tests.receivers import SmtpReceiver, running_smtp

PUBLIC = "https://lrs.example.com"
LINK = re.compile(re.escape(PUBLIC) + r"(/console/sign-in/[A-Za-z0-9_-]+)")
TOKEN_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    yield from running_smtp()


def build(database_url: str, **settings: Any) -> Flask:
    return create_app({"database_url": database_url, "access_log": False, **settings})


@pytest.fixture
def signin_app(database_url: str, smtp: SmtpReceiver) -> Iterator[Flask]:
    app = build(database_url, smtp_url=smtp.url, public_url=PUBLIC)
    yield app
    app.extensions["lrs_bridge"].close()


@pytest.fixture
def web(signin_app: Flask) -> FlaskClient:
    return signin_app.test_client()


@pytest.fixture
def rt(signin_app: Flask) -> Runtime:
    runtime: Runtime = signin_app.extensions["lrs_bridge"]
    return runtime


def add_learner(rt: Runtime, name: str, email: str, language: str = "en") -> int:
    from lrs_bridge.services.directory import import_directory

    csv = f"name,email,language\n{name},{email},{language}\n"
    assert rt.competencies is not None
    result = import_directory(rt.store, csv, rt.competencies.current().reduce, rt.clock)
    learner_id: int = result.learners[0]["id"]
    return learner_id


def csrf(client: FlaskClient, path: str = "/console/sign-in") -> str:
    found = TOKEN_FIELD.search(client.get(path).get_data(as_text=True))
    assert found, path
    return found.group(1)


def ask_for_link(client: FlaskClient, email: str, **extra: str) -> Any:
    return client.post(
        "/console/sign-in", data={"email": email, "csrf_token": csrf(client), **extra}
    )


def wait_for_mail(smtp: SmtpReceiver, count: int = 1) -> list[Any]:
    deadline = time.monotonic() + 10
    while len(smtp.mailbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return list(smtp.mailbox.messages)


def link_path(message: Any) -> str:
    found = LINK.search(message.get_body(("plain",)).get_content())
    assert found, message
    return found.group(1)


def confirm(client: FlaskClient, path: str) -> Any:
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    found = TOKEN_FIELD.search(page.get_data(as_text=True))
    assert found
    return client.post(path, data={"csrf_token": found.group(1)})


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


# -- the form ------------------------------------------------------------------------------------


def test_the_form_posts_email_to_the_contract_path_with_labels(web):
    page = text(web.get("/console/sign-in"))
    assert re.search(r'<form method="post" action="/console/sign-in"', page)
    assert 'name="email"' in page and 'type="email"' in page
    assert 'name="password"' in page and 'type="password"' in page
    for input_id in re.findall(r'<input id="([^"]+)"', page):
        assert f'<label for="{input_id}">' in page
    assert 'name="csrf_token"' in page
    assert "no e-mail server is configured" not in page


@pytest.mark.parametrize("path", ["/console/sign-in", "/console/sign-in/some-token"])
def test_sign_in_posts_need_the_csrf_token(web, path):
    response = web.post(path, data={"email": "kari@example.com"})
    assert response.status_code == 400
    assert "did not come from this site" in text(response)


def test_a_bad_address_is_a_400_naming_the_field(web, smtp):
    response = ask_for_link(web, "not an address")
    assert response.status_code == 400
    page = text(response)
    assert 'name="email" type="email" value="not an address" required aria-invalid="true"' in page
    assert "Enter an e-mail address" in page
    assert wait_for_mail(smtp, 0) == []


# -- links by e-mail -----------------------------------------------------------------------------


def test_a_learner_signs_in_through_the_mailed_link(web, rt, smtp):
    kari = add_learner(rt, "Kari Nordmann", "kari@example.com", "nb")
    response = ask_for_link(web, "Kari@Example.com")
    assert response.status_code == 200
    assert "Sjekk e-posten din" not in text(response)  # no viewer yet: the browser's language
    assert "Check your e-mail" in text(response)
    [message] = wait_for_mail(smtp)
    path = link_path(message)
    assert path.startswith("/console/sign-in/")
    assert web.get("/console/").status_code == 302  # asking signed nobody in

    page = web.get(path)  # what a mail scanner does: shows a button, uses nothing
    assert page.status_code == 200 and "Confirm sign-in" in text(page)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert web.get(path).status_code == 200
    signed = confirm(web, path)
    assert signed.status_code == 303 and signed.headers["Location"] == "/console/"
    home = text(web.get("/console/"))
    assert "Kari Nordmann" in home and 'href="/console/me"' in home
    assert "/console/activities/unmapped" not in home  # a learner, not an admin
    with web.session_transaction("/console/") as session:
        assert session["viewer"]["kind"] == "learner"
        assert session["viewer"]["learner_id"] == kari


def test_a_link_works_once_then_says_so(web, rt, smtp):
    add_learner(rt, "Kari", "kari@example.com")
    ask_for_link(web, "kari@example.com")
    path = link_path(wait_for_mail(smtp)[0])
    assert confirm(web, path).status_code == 303
    second = web.application.test_client()  # another browser, clicking the same link
    used = second.get(path)
    assert used.status_code == 410
    assert "already been used" in text(used) and 'href="/console/sign-in"' in text(used)
    again = second.post(path, data={"csrf_token": csrf(second)})
    assert again.status_code == 410
    assert second.get("/console/").status_code == 302


def test_an_expired_or_unknown_link_says_so(web, rt):
    add_learner(rt, "Kari", "kari@example.com")
    past = rt.clock() - 16 * 60_000_000
    earlier = SignInService(ConsoleUserStore(rt.engine), rt.store, rt.store, lambda: past)
    path = earlier.sign_in_link("kari@example.com").removeprefix(earlier.public_url)
    expired = web.get(path)
    assert expired.status_code == 410 and "It has expired." in text(expired)
    unknown = web.get("/console/sign-in/no-such-token")
    assert unknown.status_code == 404 and "not a valid sign-in link" in text(unknown)
    assert 'href="/console/sign-in"' in text(unknown)


def test_unknown_addresses_get_the_same_page_and_no_mail(web, rt, smtp):
    add_learner(rt, "Kari", "kari@example.com")
    known = ask_for_link(web, "kari@example.com")
    unknown = ask_for_link(web, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert text(known).replace("kari@example.com", "X") == text(unknown).replace(
        "nobody@example.com", "X"
    )
    time.sleep(0.3)
    assert [m["To"].addresses[0].addr_spec for m in wait_for_mail(smtp)] == ["kari@example.com"]


def test_the_link_leads_to_the_requested_console_page_only(web, rt, smtp):
    add_learner(rt, "Kari", "kari@example.com")
    form = text(web.get("/console/sign-in?next=/console/me"))
    assert 'name="next" value="/console/me"' in form
    ask_for_link(web, "kari@example.com", next="/console/me")
    ask_for_link(web, "kari@example.com", next="//evil.example.com/console/")
    first, second = wait_for_mail(smtp, 2)
    assert confirm(web, link_path(first)).headers["Location"] == "/console/me"
    other = web.application.test_client()
    assert confirm(other, link_path(second)).headers["Location"] == "/console/"


def test_without_smtp_the_pages_say_links_cannot_be_sent(database_url):
    app = build(database_url)
    try:
        client = app.test_client()
        form = text(client.get("/console/sign-in"))
        assert "Sign-in links cannot be sent: no e-mail server is configured" in form
        answer = ask_for_link(client, "kari@example.com")
        assert answer.status_code == 200
        assert "lrs-bridge users sign-in-link" in text(answer)
    finally:
        app.extensions["lrs_bridge"].close()


def test_an_assignment_link_signs_the_learner_in_to_that_assignment(web, rt):
    kari = add_learner(rt, "Kari", "kari@example.com")
    path = rt.signin.assignment_link(kari, 17).removeprefix(PUBLIC)
    assert path.startswith("/console/sign-in/")
    response = confirm(web, path)
    assert response.headers["Location"] == "/console/assignments/17"


# -- passwords and roles -------------------------------------------------------------------------


def password_sign_in(client: FlaskClient, email: str, password: str) -> Any:
    return client.post(
        "/console/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf(client)},
    )


def test_an_admin_signs_in_with_a_password(web, rt):
    rt.signin.create_user(email="root@example.com", role="admin", name="Root", password="pw-123456")
    response = password_sign_in(web, "root@example.com", "pw-123456")
    assert response.status_code == 303 and response.headers["Location"] == "/console/"
    home = text(web.get("/console/"))
    assert "Root" in home and "/console/activities/unmapped" in home
    elsewhere = web.application.test_client()
    response = elsewhere.post(
        "/console/sign-in",
        data={
            "email": "root@example.com",
            "password": "pw-123456",
            "next": "/console/teams",
            "csrf_token": csrf(elsewhere),
        },
    )
    assert response.headers["Location"] == "/console/teams"


@pytest.mark.parametrize(
    ("email", "password"),
    [("root@example.com", "wrong-pass"), ("nobody@example.com", "pw-123456")],
)
def test_a_wrong_password_or_address_is_one_message(web, rt, email, password):
    rt.signin.create_user(email="root@example.com", role="admin", password="pw-123456")
    response = password_sign_in(web, email, password)
    assert response.status_code == 401
    assert "Wrong e-mail address or password." in text(response)
    assert f'value="{email}"' in text(response)  # the address stays filled in
    assert web.get("/console/").status_code == 302


def test_someone_who_is_admin_and_learner_signs_in_as_admin(web, rt, smtp):
    add_learner(rt, "Ada Lovelace", "ada@example.com")
    rt.signin.create_user(email="ada@example.com", role="admin")
    ask_for_link(web, "ada@example.com")
    confirm(web, link_path(wait_for_mail(smtp)[0]))
    with web.session_transaction("/console/") as session:
        viewer = session["viewer"]
    assert viewer["kind"] == "admin" and viewer["learner_id"] is not None
    assert viewer["name"] == "Ada Lovelace"


# -- throttling ----------------------------------------------------------------------------------


def test_link_requests_are_throttled_per_address_with_retry_after(web, rt):
    for _ in range(5):
        assert ask_for_link(web, "kari@example.com").status_code == 200
    throttled = ask_for_link(web, "kari@example.com")
    assert throttled.status_code == 429
    assert 0 < int(throttled.headers["Retry-After"]) <= 900
    assert "Too many" in text(throttled) or "too many" in text(throttled)
    assert ask_for_link(web, "other@example.com").status_code == 200


def test_one_client_is_throttled_whatever_the_address(web):
    for n in range(30):
        assert ask_for_link(web, f"person{n}@example.com").status_code == 200
    assert ask_for_link(web, "person-last@example.com").status_code == 429


def test_failed_passwords_are_throttled(web, rt):
    rt.signin.create_user(email="root@example.com", role="admin", password="pw-123456")
    for _ in range(5):
        assert password_sign_in(web, "root@example.com", "guess-guess").status_code == 401
    assert password_sign_in(web, "root@example.com", "pw-123456").status_code == 429


# -- the session ---------------------------------------------------------------------------------


def signed_in_admin(client: FlaskClient, rt: Runtime, **headers: Any) -> Any:
    if rt.signin.users.user_by_email("root@example.com") is None:
        rt.signin.create_user(email="root@example.com", role="admin", password="pw-123456")
    return client.post(
        "/console/sign-in",
        data={"email": "root@example.com", "password": "pw-123456", "csrf_token": csrf(client)},
        **headers,
    )


def test_sign_out_ends_the_session(web, rt):
    signed_in_admin(web, rt)
    assert web.get("/console/").status_code == 200
    assert web.post("/console/sign-out").status_code == 400  # CSRF
    response = web.post("/console/sign-out", data={"csrf_token": csrf(web, "/console/")})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/console/sign-in")
    assert "You have signed out." in text(web.get(response.headers["Location"]))
    assert web.get("/console/").status_code == 302


def test_the_session_cookie_flags_from_the_real_sign_in(web, rt):
    cookie = signed_in_admin(web, rt).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie
    over_https = web.application.test_client()
    cookie = signed_in_admin(over_https, rt, base_url="https://localhost").headers["Set-Cookie"]
    assert "Secure" in cookie


@pytest.mark.parametrize(("trust_proxy", "secure"), [(True, True), (False, False)])
def test_behind_a_trusted_proxy_https_makes_the_cookie_secure(database_url, trust_proxy, secure):
    app = build(database_url, trust_proxy=trust_proxy)
    try:
        client = app.test_client()
        proxied = {"headers": {"X-Forwarded-Proto": "https"}}
        cookie = signed_in_admin(client, app.extensions["lrs_bridge"], **proxied)
        assert ("Secure" in cookie.headers["Set-Cookie"]) is secure
    finally:
        app.extensions["lrs_bridge"].close()


def test_a_session_idle_past_the_timeout_ends_by_the_clock(database_url, web, rt):
    """The same cookie, shown to a process whose clock runs 31 minutes ahead (one database,
    so one signing key): the session has been idle longer than ``console_idle_minutes``."""
    signed_in_admin(web, rt)
    cookie = web.get_cookie("lrs_bridge_console", path="/console")
    assert cookie is not None
    for minutes, status in [(29, 200), (31, 302)]:
        later = build(database_url, clock_offset_ms=minutes * 60_000, console_idle_minutes=30)
        try:
            client = later.test_client()
            client.set_cookie("lrs_bridge_console", cookie.value, path="/console")
            assert client.get("/console/").status_code == status, minutes
        finally:
            later.extensions["lrs_bridge"].close()


@pytest.mark.parametrize(
    ("accept", "heading", "label"),
    [
        ("en-GB", "Sign in", "E-mail address"),
        ("nb-NO,nb;q=0.9", "Logg inn", "E-postadresse"),
        ("fi", "Kirjaudu sisään", "Sähköpostiosoite"),
        ("nl-BE,nl;q=0.8", "Aanmelden", "E-mailadres"),
    ],
)
def test_the_form_speaks_the_browsers_language(web, accept, heading, label):
    page = text(web.get("/console/sign-in", headers={"Accept-Language": accept}))
    assert f'<h1 id="signin-title">{heading}</h1>' in page
    assert f'<label for="f-email">{label}</label>' in page
