"""Refresher e-mails carry a console link per assignment, given by the caller, so rendering
stays pure; the sign-in e-mail itself in every language."""

from __future__ import annotations

import pytest

from lrs_bridge.notify.render import render_email
from lrs_bridge.notify.signin_email import render_signin_email
from tests.test_notify_render import SENDER, make_digest, parts

LINKS = {
    7: "https://lrs.example.com/console/sign-in/token-seven",
    8: "https://lrs.example.com/console/sign-in/token-eight",
}
LABELS = {
    "en": "See it in the console (signs you in)",
    "nb": "Se den i konsollen (logger deg inn)",
    "fi": "Katso se konsolissa (kirjaa sinut sisään)",
    "nl": "Bekijk het in de console (meldt je aan)",
}


@pytest.mark.parametrize("language", sorted(LABELS))
def test_each_assignment_carries_its_console_link_in_both_parts(language):
    message = render_email(make_digest(language), sender=SENDER, console_links=LINKS)
    text, html = parts(message)
    for link in LINKS.values():
        assert f"{LABELS[language]}: {link}" in text
        assert f'<a href="{link}"' in html
    assert LABELS[language] in html


def test_without_links_nothing_is_added_and_rendering_is_repeatable():
    plain = render_email(make_digest(), sender=SENDER)
    assert "/console/" not in "".join(parts(plain))
    again = render_email(make_digest(), sender=SENDER, console_links=LINKS)
    once_more = render_email(make_digest(), sender=SENDER, console_links=LINKS)
    assert parts(again) == parts(once_more)


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("en", "Your sign-in link"),
        ("nb-NO", "Lenken din for innlogging"),
        ("fi", "Kirjautumislinkkisi"),
        ("nl", "Je aanmeldlink"),
        (None, "Your sign-in link"),
        ("de", "Your sign-in link"),
    ],
)
def test_the_sign_in_mail_in_the_recipients_language(language, subject):
    url = "https://lrs.example.com/console/sign-in/abc&def"
    message = render_signin_email(
        to="kari@example.com", name="Kari", url=url, minutes=15, language=language, sender=SENDER
    )
    text, html = parts(message)
    assert message["Subject"] == subject
    assert message["To"] == "Kari <kari@example.com>"
    assert url in text and "15" in text
    assert 'href="https://lrs.example.com/console/sign-in/abc&amp;def"' in html
