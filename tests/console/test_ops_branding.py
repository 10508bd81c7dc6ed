"""Branding: the settings page (admins), its validation (URL, colour contrast), the console
frame that shows it, and the e-mails that carry it — through a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from lrs_bridge import create_app
from lrs_bridge.notify.brand import DEFAULT_BRANDING, Branding, contrast_ratio
from lrs_bridge.notify.render import render_email
from lrs_bridge.runtime import Runtime
from lrs_bridge.services.branding import BrandingInvalid, validate_branding
from tests.console.conftest import csrf_token, login
from tests.console.ops_data import seed
from tests.receivers import SmtpReceiver, running_smtp
from tests.test_notify_render import make_digest, parts

ADMIN = {"kind": "admin", "email": "ada@example.com", "name": "Ada"}
SENDER = "Training <training@example.com>"
ACME = {
    "org_name": "Acme Support",
    "logo_url": "https://cdn.acme.example/logo.png",
    "primary_colour": "#0B3D91",
}


# -- the rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("foreground", "background", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes AA on white
        ("#777777", "#ffffff", 4.48),
        ("#1f4e79", "#ffffff", 8.66),
        ("#fff", "#000", 21.0),
    ],
)
def test_contrast_follows_wcag(foreground: str, background: str, ratio: float) -> None:
    assert round(contrast_ratio(foreground, background), 2) == ratio


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({}, DEFAULT_BRANDING),
        (
            {"org_name": "  Acme  ", "logo_url": "/static/logo.svg", "primary_colour": "#036"},
            Branding(org_name="Acme", logo_url="/static/logo.svg", primary_colour="#003366"),
        ),
        (
            {"logo_url": "https://cdn.example/l.png?v=2", "primary_colour": "#767676"},
            Branding(logo_url="https://cdn.example/l.png?v=2", primary_colour="#767676"),
        ),
    ],
)
def test_valid_branding(form: dict[str, str], expected: Branding) -> None:
    assert validate_branding(form) == expected


@pytest.mark.parametrize(
    ("form", "field", "code"),
    [
        ({"org_name": "x" * 121}, "org_name", "too_long"),
        ({"org_name": "Acme\nBcc: x"}, "org_name", "control"),
        ({"logo_url": "http://cdn.example/logo.png"}, "logo_url", "bad_url"),
        ({"logo_url": "//evil.example/logo.png"}, "logo_url", "bad_url"),
        ({"logo_url": "javascript:alert(1)"}, "logo_url", "bad_url"),
        ({"logo_url": "logo.png"}, "logo_url", "bad_url"),
        ({"logo_url": "https://cdn.example/a logo.png"}, "logo_url", "bad_url"),
        ({"logo_url": "/a\\b.png"}, "logo_url", "bad_url"),
        ({"primary_colour": "blue"}, "primary_colour", "bad_colour"),
        ({"primary_colour": "#12345"}, "primary_colour", "bad_colour"),
        ({"primary_colour": "#777777"}, "primary_colour", "too_light"),
        ({"primary_colour": "#ffcc00"}, "primary_colour", "too_light"),
    ],
)
def test_invalid_branding_names_the_field(form: dict[str, str], field: str, code: str) -> None:
    with pytest.raises(BrandingInvalid) as caught:
        validate_branding(form)
    assert list(caught.value.problems) == [field]
    assert caught.value.problems[field][0] == code
    assert caught.value.details["field"] == field


def test_every_wrong_field_is_named_at_once() -> None:
    with pytest.raises(BrandingInvalid) as caught:
        validate_branding({"logo_url": "ftp://x", "primary_colour": "#eeeeee"})
    assert set(caught.value.errors) == {"logo_url", "primary_colour"}
    assert "too light for white text (1.16:1" in caught.value.errors["primary_colour"]


# -- the settings page -------------------------------------------------------------------


def save(client: FlaskClient, form: dict[str, str]) -> tuple[int, str]:
    data = {"csrf_token": csrf_token(client, "/console/settings/branding"), **form}
    response = client.post("/console/settings/branding", data=data)
    return response.status_code, response.get_data(as_text=True)


def test_saved_branding_shows_in_the_console_frame(console_client: FlaskClient) -> None:
    login(console_client, **ADMIN)
    status, _ = save(console_client, ACME)
    assert status == 303
    page = console_client.get("/console/settings/branding").get_data(as_text=True)
    assert "Branding saved." in page
    assert 'value="Acme Support"' in page and 'value="#0b3d91"' in page
    home = console_client.get("/console/").get_data(as_text=True)
    assert '<span class="brand-name">Acme Support</span>' in home
    assert 'src="https://cdn.acme.example/logo.png"' in home
    assert "--brand: #0b3d91;" in home
    assert "<title>Home · Acme Support</title>" in home


def test_branding_is_shared_by_every_process_on_the_database(
    console_client: FlaskClient, database_url: str
) -> None:
    login(console_client, **ADMIN)
    save(console_client, ACME)
    other = create_app({"database_url": database_url, "access_log": False})
    try:
        runtime: Runtime = other.extensions["lrs_bridge"]
        assert runtime.branding.current() == Branding(
            org_name="Acme Support",
            logo_url="https://cdn.acme.example/logo.png",
            primary_colour="#0b3d91",
        )
    finally:
        other.extensions["lrs_bridge"].close()


def test_a_too_light_colour_is_refused_with_a_message_and_nothing_is_saved(
    console_client: FlaskClient,
) -> None:
    login(console_client, **ADMIN)
    save(console_client, ACME)
    status, page = save(
        console_client, {**ACME, "org_name": "Renamed", "primary_colour": "#ffcc00"}
    )
    assert status == 400
    assert "Nothing was saved" in page
    assert "#ffcc00 is too light for white text (contrast 1.51:1" in page
    assert 'aria-invalid="true" aria-describedby="e-primary_colour"' in page
    assert 'value="Renamed"' in page  # the form keeps what was typed
    runtime: Runtime = console_client.application.extensions["lrs_bridge"]
    assert runtime.branding.current().org_name == "Acme Support"


def test_the_refusal_speaks_the_viewers_language(console_client: FlaskClient) -> None:
    login(console_client, **ADMIN)
    data = {"csrf_token": csrf_token(console_client, "/console/settings/branding")}
    response = console_client.post(
        "/console/settings/branding",
        data={**data, "logo_url": "http://x.example/l.png"},
        headers={"Accept-Language": "nb"},
    )
    assert response.status_code == 400
    assert "Oppgi en https://-adresse" in response.get_data(as_text=True)
    too_light = console_client.post(
        "/console/settings/branding",
        data={**data, "primary_colour": "#ffcc00"},
        headers={"Accept-Language": "fi"},
    )
    assert "(kontrasti 1,51:1, vähintään 4,5:1 tarvitaan)" in too_light.get_data(as_text=True)


def test_saving_needs_the_csrf_token(console_client: FlaskClient) -> None:
    login(console_client, **ADMIN)
    response = console_client.post("/console/settings/branding", data=ACME)
    assert response.status_code == 400
    runtime: Runtime = console_client.application.extensions["lrs_bridge"]
    assert runtime.branding.current() == DEFAULT_BRANDING


# -- the e-mails ---------------------------------------------------------------------------


def test_a_branded_email_carries_the_name_logo_and_colour() -> None:
    brand = Branding(
        org_name="Acme Support", logo_url="https://cdn.acme.example/l.png", primary_colour="#0b3d91"
    )
    message = render_email(make_digest(), sender=SENDER, brand=brand)
    plain = render_email(make_digest(), sender=SENDER)
    assert message["Subject"] == f"Acme Support: {plain['Subject']}"
    text, html = parts(message)
    assert text.rstrip().splitlines()[-2] == "Acme Support"  # signs the footer
    assert '<img src="https://cdn.acme.example/l.png" alt="Acme Support"' in html
    assert "background:#0b3d91;color:#ffffff" in html
    assert "Acme Support<br>" in html
    again = render_email(make_digest(), sender=SENDER, brand=brand)
    assert parts(again) == (text, html)  # deterministic (only the MIME boundaries differ)
    assert again.items() == message.items()


def test_an_email_shows_no_logo_it_cannot_resolve() -> None:
    brand = Branding(org_name="Acme", logo_url="/static/logo.png")
    _, html = parts(render_email(make_digest(), sender=SENDER, brand=brand))
    assert "<img" not in html
    assert '<strong style="font-size:18px;color:#1f4e79;">Acme</strong>' in html


def test_the_default_email_is_unbranded() -> None:
    text, html = parts(render_email(make_digest(), sender=SENDER))
    assert "<img" not in html and "<br>This message" not in html
    assert text.rstrip().splitlines()[-2] == "-- "


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    yield from running_smtp()


@pytest.mark.parametrize(
    ("logo", "public_url", "shown"),
    [
        ("https://cdn.acme.example/logo.png", "", "https://cdn.acme.example/logo.png"),
        (
            "/static/acme.png",
            "https://lrs.acme.example/",
            "https://lrs.acme.example/static/acme.png",
        ),
        ("/static/acme.png", "", None),  # no address to resolve the path against
        ("/static/acme.png", "http://lrs.acme.example", None),  # never a plain-http image
    ],
)
def test_the_dispatcher_sends_what_the_admin_saved(
    database_url: str, smtp: SmtpReceiver, logo: str, public_url: str, shown: str | None
) -> None:
    settings = {"database_url": database_url, "access_log": False, "smtp_url": smtp.url}
    app = create_app({**settings, "smtp_from": SENDER, "public_url": public_url})
    try:
        client = app.test_client()
        login(client, **ADMIN)
        assert save(client, {**ACME, "logo_url": logo})[0] == 303
        seed(app)
        runtime: Runtime = app.extensions["lrs_bridge"]
        report = runtime.dispatcher.dispatch()
        assert report.sent >= 3 and smtp.mailbox.messages
        for message in smtp.mailbox.messages:
            assert str(message["Subject"]).startswith("Acme Support: ")
            _, html = parts(message)
            assert "#0b3d91" in html
            if shown is None:
                assert "<img" not in html
            else:
                assert f'<img src="{shown}"' in html
    finally:
        app.extensions["lrs_bridge"].close()
