"""A digest as an e-mail or a webhook body. Pure: no clock, no network, no randomness.

Rendering the same digest twice gives the same message (same ``Message-ID`` and ``Date``,
both derived from the digest), so a re-send after a crash is recognisably the same mail.

Escalations go to the manager *without* the calendar attachment: the due dates are the
learner's deadlines, and a manager importing them would fill their own calendar with
other people's tasks (under the same UIDs the learner's calendar uses).

Branding (the organisation's name, logo and colour, set in the console) is a parameter too:
the name heads the subject and signs the footer, the colour fills the launch button, and the
logo is shown only when its URL is absolute (``https://``), since an e-mail client cannot
resolve a path on the server (the dispatcher prefixes a path with ``public_url``).
"""

from __future__ import annotations

import email.utils
import functools
import hashlib
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

import jinja2
import orjson

from lrs_bridge.notify import i18n
from lrs_bridge.notify.brand import DEFAULT_BRANDING, Branding
from lrs_bridge.notify.ics import refresher_calendar, utc_datetime
from lrs_bridge.notify.model import AssignmentItem, Digest, Kind, Person
from lrs_bridge.xapi.timefmt import format_timestamp_us

EVENTS: dict[Kind, str] = {
    "assigned": "refresher.assigned",
    "reminder": "refresher.reminder",
    "escalation": "refresher.escalation",
}
CALENDAR_FILENAME = "refreshers.ics"
IDEMPOTENCY_HEADER = "X-LRS-Bridge-Idempotency-Key"


@functools.cache
def _templates() -> jinja2.Environment:
    # Built on first use, not at import (no work at import time); autoescaping on for
    # .html only, so the plain-text part is not full of &amp;.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("lrs_bridge.notify", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def language_of(digest: Digest) -> str:
    """The language the recipient reads (a supported one; English when unknown)."""
    return i18n.pick_language(digest.recipient.language)


def message_id(idempotency_key: str) -> str:
    """The deterministic ``Message-ID`` of a notification: same key, same id."""
    return f"<{hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]}@lrs-bridge>"


def webhook_event(kind: Kind) -> str:
    """The ``event`` name a webhook consumer sees for a digest kind."""
    return EVENTS[kind]


def _learner_label(digest: Digest, strings: i18n.Catalogue) -> str:
    return _label(digest.learner, digest.learner_id, strings)


def _label(learner: Person, learner_id: int, strings: i18n.Catalogue) -> str:
    return learner.name or learner.email or strings.learner_fallback.format(id=learner_id)


def reports_of(digest: Digest) -> set[int]:
    """The learners a digest is about (several only in a manager's escalation digest)."""
    return {item.learner_id for item in digest.items if item.learner_id is not None} or {
        digest.learner_id
    }


def _context(
    digest: Digest,
    *,
    with_calendar: bool,
    console_links: Mapping[int, str],
    brand: Branding = DEFAULT_BRANDING,
) -> dict[str, Any]:
    language = language_of(digest)
    strings = i18n.catalogue(language)
    count = len(digest.items)
    learner = _learner_label(digest, strings)
    first_activity = i18n.pick_name(digest.items[0].activity_name, language)
    people = len(reports_of(digest))
    fields = {
        "count": count,
        "learner": learner,
        "activity": first_activity or digest.items[0].activity_id,
        "people": people,
    }
    items = [
        {
            "activity": i18n.pick_name(item.activity_name, language) or item.activity_id,
            "competency": i18n.pick_name(item.competency_name, language) or item.competency_id,
            "method": i18n.method_label(item.method, language),
            "due": i18n.format_date(item.due_us, language),
            "overdue": item.due_us < digest.created_us,
            "duration": i18n.format_duration(item.duration, language) if item.duration else None,
            "last_practised": (
                i18n.format_date(item.last_evidence_us, language)
                if item.last_evidence_us is not None
                else None
            ),
            "link": item.launch_link,
            "console_link": console_links.get(item.assignment_id),
            "learner": (
                _label(
                    item.learner or Person(name=None, email=None, language=None),
                    item.learner_id or digest.learner_id,
                    strings,
                )
                if people > 1
                else None
            ),
        }
        for item in digest.items
    ]
    name = digest.recipient.name
    if people > 1:  # a manager's digest about several reports
        subject, intro = strings.team_subject, strings.team_intro
    else:
        subject = strings.subject[digest.kind].pick(count)
        intro = strings.intro[digest.kind].pick(count)
    subject_text = subject.format(**fields)
    return {
        "language": language,
        "subject": f"{brand.org_name}: {subject_text}" if brand.org_name else subject_text,
        "greeting": strings.greeting.format(name=name) if name else strings.greeting_no_name,
        "intro": intro.format(**fields),
        "items": items,
        "labels": strings,
        "calendar_note": strings.calendar_note if with_calendar else None,
        "footer": strings.footer,
        "org_name": brand.org_name,
        "logo_url": brand.logo_url if (brand.logo_url or "").startswith("https://") else None,
        "colour": brand.primary_colour,
    }


def _address(person: Person) -> Address:
    if not person.email:
        raise ValueError("the recipient has no e-mail address")
    try:
        return Address(display_name=person.name or "", addr_spec=person.email)
    except (ValueError, IndexError) as exc:  # the header parser's ways of saying "invalid"
        raise ValueError(f"invalid recipient address {person.email!r}: {exc}") from exc


def render_email(
    digest: Digest,
    *,
    sender: str,
    console_links: Mapping[int, str] | None = None,
    brand: Branding = DEFAULT_BRANDING,
) -> EmailMessage:
    """The e-mail for ``digest``: text and HTML alternatives, plus the calendar file,
    branded with ``brand``.

    ``console_links`` maps assignment ids to links that sign the recipient in to that
    assignment's console page; they are made by the caller (they hold fresh tokens), so
    rendering stays a pure function of its arguments.
    Raises ``ValueError`` when the recipient has no (valid) e-mail address.
    """
    recipient = _address(digest.recipient)
    with_calendar = digest.kind != "escalation"
    context = _context(
        digest, with_calendar=with_calendar, console_links=console_links or {}, brand=brand
    )
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = context["subject"]
    message["Date"] = email.utils.format_datetime(utc_datetime(digest.created_us))
    message["Message-ID"] = message_id(digest.idempotency_key)
    message[IDEMPOTENCY_HEADER] = digest.idempotency_key
    # RFC 3834: tell vacation responders and Exchange not to answer a machine.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(_templates().get_template("digest.txt").render(context))
    message.add_alternative(
        _templates().get_template("digest.html").render(context), subtype="html"
    )
    if with_calendar:
        message.add_attachment(
            refresher_calendar(
                digest.items, language=context["language"], created_us=digest.created_us
            ),
            maintype="text",
            subtype="calendar",
            filename=CALENDAR_FILENAME,
            params={"method": "PUBLISH", "charset": "utf-8"},
        )
    # After the body: set_content() and add_attachment() move or drop Content-* headers.
    message["Content-Language"] = context["language"]
    return message


def _person_json(person: Person) -> dict[str, Any]:
    return {"name": person.name, "email": person.email, "language": person.language}


def _timestamp(value_us: int | None) -> str | None:
    return None if value_us is None else format_timestamp_us(value_us)


def _webhook_item(item: AssignmentItem, language: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "assignment_id": item.assignment_id,
        "competency": {
            "id": item.competency_id,
            "name": i18n.pick_name(item.competency_name, language),
            "names": dict(item.competency_name),
        },
        "activity": {
            "id": item.activity_id,
            "name": i18n.pick_name(item.activity_name, language),
            "names": dict(item.activity_name),
            "launch_url": item.launch_url,
            "method": item.method,
            "duration": item.duration,
        },
        "due": format_timestamp_us(item.due_us),
        "last_evidence": _timestamp(item.last_evidence_us),
        "stale_at": _timestamp(item.stale_at_us),
        "status": item.status,
    }
    if item.learner is not None:  # a manager's digest: whose refresher it is
        entry["learner"] = {"id": item.learner_id, **_person_json(item.learner)}
    return entry


def webhook_body(digest: Digest) -> bytes:
    """The canonical JSON body of the webhook for ``digest`` (sorted keys, UTF-8).

    Names are given twice: ``name`` picked for the recipient's language (what a chat
    bridge shows) and ``names``, the whole language map.
    """
    language = language_of(digest)
    body = {
        "event": webhook_event(digest.kind),
        "idempotency_key": digest.idempotency_key,
        "created": format_timestamp_us(digest.created_us),
        "language": language,
        "learner": {"id": digest.learner_id, **_person_json(digest.learner)},
        "recipient": _person_json(digest.recipient),
        "items": [_webhook_item(item, language) for item in digest.items],
    }
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
