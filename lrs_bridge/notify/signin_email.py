"""The console sign-in e-mail: a one-time link, in the recipient's language. Pure.

Its strings live here rather than in the console's catalogues: ``notify`` renders messages
without importing the web face (and so without Flask).
"""

from __future__ import annotations

import html
from email.headerregistry import Address
from email.message import EmailMessage

from lrs_bridge.notify import i18n

_STRINGS: dict[str, dict[str, str]] = {
    "subject": {
        "en": "Your sign-in link",
        "nb": "Lenken din for innlogging",
        "fi": "Kirjautumislinkkisi",
        "nl": "Je aanmeldlink",
    },
    "body": {
        "en": "Use this link to sign in to the console. It works once, for {minutes} minutes:",
        "nb": "Bruk denne lenken for å logge inn i konsollen. Den virker én gang, i "
        "{minutes} minutter:",
        "fi": "Kirjaudu konsoliin tällä linkillä. Se toimii kerran, {minutes} minuutin ajan:",
        "nl": "Gebruik deze link om je aan te melden bij de console. Hij werkt één keer, "
        "{minutes} minuten lang:",
    },
    "ignore": {
        "en": "If you did not ask to sign in, you can ignore this message.",
        "nb": "Hvis du ikke ba om å logge inn, kan du se bort fra denne meldingen.",
        "fi": "Jos et pyytänyt kirjautumista, voit jättää tämän viestin huomiotta.",
        "nl": "Heb je niet gevraagd om je aan te melden, dan kun je dit bericht negeren.",
    },
    "button": {
        "en": "Sign in",
        "nb": "Logg inn",
        "fi": "Kirjaudu sisään",
        "nl": "Aanmelden",
    },
}


def signin_strings(language: str) -> dict[str, str]:
    """The e-mail's strings in ``language`` (a supported one, else English)."""
    chosen = i18n.pick_language(language)
    return {key: texts.get(chosen, texts["en"]) for key, texts in _STRINGS.items()}


def render_signin_email(
    *, to: str, name: str | None, url: str, minutes: int, language: str | None, sender: str
) -> EmailMessage:
    """The sign-in message for ``to``: plain text and HTML, both carrying ``url``."""
    strings = signin_strings(i18n.pick_language(language))
    body = strings["body"].format(minutes=minutes)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(display_name=name or "", addr_spec=to)
    message["Subject"] = strings["subject"]
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(f"{body}\n\n{url}\n\n{strings['ignore']}\n")
    escaped = html.escape(url, quote=True)
    message.add_alternative(
        f'<!DOCTYPE html><html lang="{i18n.pick_language(language)}"><body>'
        f"<p>{body}</p>"
        f'<p><a href="{escaped}">{strings["button"]}</a></p>'
        f"<p>{escaped}</p><p>{strings['ignore']}</p></body></html>\n",
        subtype="html",
    )
    message["Content-Language"] = i18n.pick_language(language)
    return message
