"""Rendering notifications: languages, e-mail structure, calendar, webhook body, JSON form.

Expected strings are written out here rather than read from the catalogues, so a changed
translation shows up as a failing test someone has to look at.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import hmac
import re
from email.message import EmailMessage

import icalendar
import orjson
import pytest

from lrs_bridge.notify import i18n
from lrs_bridge.notify.model import (
    AssignmentItem,
    Digest,
    Kind,
    Person,
    digest_from_dict,
    to_dict,
)
from lrs_bridge.notify.render import message_id, render_email, webhook_body
from lrs_bridge.notify.webhook import sign

SENDER = "lrs-bridge <noreply@example.com>"
LAUNCH = "https://lms.example.com/launch?course=deesc&lang=x"


def us(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    moment = datetime.datetime(year, month, day, hour, minute, tzinfo=datetime.UTC)
    return int(moment.timestamp()) * 1_000_000


DUE = us(2027, 3, 12, 23, 59)
CREATED = us(2027, 3, 20, 8, 0)


def make_item(assignment_id: int = 7, **changes: object) -> AssignmentItem:
    item = AssignmentItem(
        assignment_id=assignment_id,
        competency_id="https://competency.example.com/de-escalation",
        competency_name={"en": "De-escalation", "nb": "Deeskalering", "fi": "De-eskalointi"},
        activity_id=f"https://activity.example.com/{assignment_id}",
        activity_name={
            "en": "Calm the caller",
            "nb-NO": "Roe ned innringeren",
            "fi": "Rauhoita soittaja",
            "nl": "Kalmeer de beller",
        },
        launch_url=LAUNCH,
        method="role-play",
        duration="PT1H30M",
        due_us=DUE,
        last_evidence_us=us(2026, 1, 5),
        stale_at_us=us(2027, 2, 1),
        status="assigned",
    )
    return dataclasses.replace(item, **changes)  # type: ignore[arg-type]


def make_digest(
    language: str | None = "en",
    kind: Kind = "assigned",
    items: tuple[AssignmentItem, ...] | None = None,
    key: str = "assigned:42:run-9f3a",
) -> Digest:
    learner = Person(name="Ola Nordmann", email="ola@example.com", language=language)
    manager = Person(name="Kari Leder", email="kari@example.com", language=language)
    return Digest(
        kind=kind,
        recipient=manager if kind == "escalation" else learner,
        learner=learner,
        learner_id=42,
        items=items
        if items is not None
        else (make_item(7), make_item(8, launch_url=None, duration=None, last_evidence_us=None)),
        idempotency_key=key,
        created_us=CREATED,
    )


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def calendars(message: EmailMessage) -> list[icalendar.Calendar]:
    found = []
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            assert part.get_filename() == "refreshers.ics"
            assert part.get_param("method") == "PUBLISH"
            found.append(icalendar.Calendar.from_ical(part.get_content()))
    return found


# -- every language x every kind ------------------------------------------------------------

SUBJECTS: dict[tuple[str, Kind], str] = {
    ("en", "assigned"): "2 new refreshers for you",
    ("en", "reminder"): "Reminder: 2 refreshers are overdue",
    ("en", "escalation"): "Ola Nordmann has 2 overdue refreshers",
    ("nb", "assigned"): "2 nye oppfriskninger til deg",
    ("nb", "reminder"): "Påminnelse: fristen for 2 oppfriskninger har gått ut",
    ("nb", "escalation"): "Ola Nordmann har 2 oppfriskninger med utløpt frist",
    ("fi", "assigned"): "2 uutta kertauskoulutusta sinulle",
    ("fi", "reminder"): "Muistutus: 2 kertauskoulutusta on myöhässä",
    ("fi", "escalation"): "Ola Nordmann: 2 kertauskoulutusta on myöhässä",
    ("nl", "assigned"): "2 nieuwe opfristrainingen voor je",
    ("nl", "reminder"): "Herinnering: de deadline van 2 opfristrainingen is verstreken",
    ("nl", "escalation"): "Ola Nordmann heeft 2 opfristrainingen waarvan de deadline is verstreken",
}

INTROS: dict[tuple[str, Kind], str] = {
    ("en", "assigned"): "we have assigned you the 2 refreshers below",
    ("en", "reminder"): "the 2 refreshers below are past their due date",
    ("en", "escalation"): "as the manager of Ola Nordmann",
    ("nb", "assigned"): "har du fått de 2 oppfriskningene nedenfor",
    ("nb", "reminder"): "fristen for de 2 oppfriskningene nedenfor har gått ut",
    ("nb", "escalation"): "fordi du er leder for Ola Nordmann",
    ("fi", "assigned"): "sinulle on osoitettu alla olevat 2 kertauskoulutusta",
    ("fi", "reminder"): "alla olevien 2 kertauskoulutuksen määräaika on umpeutunut",
    ("fi", "escalation"): "olet henkilön Ola Nordmann esihenkilö",
    ("nl", "assigned"): "hebben we je de 2 onderstaande opfristrainingen toegewezen",
    ("nl", "reminder"): "de deadline van de 2 onderstaande opfristrainingen is verstreken",
    ("nl", "escalation"): "als leidinggevende van Ola Nordmann",
}

# language tag as stored -> (code, greeting word, due date, activity, launch label, method)
LANGUAGES = {
    "en-GB": (
        "en",
        "Hello",
        "12 March 2027",
        "Calm the caller",
        "Start the refresher",
        "Role-play",
    ),
    "nb-NO": (
        "nb",
        "Hei",
        "12. mars 2027",
        "Roe ned innringeren",
        "Start oppfriskningen",
        "Rollespill",
    ),
    "fi": (
        "fi",
        "Hei",
        "12.3.2027",
        "Rauhoita soittaja",
        "Aloita kertauskoulutus",
        "Roolipeliharjoitus",
    ),
    "nl-BE": (
        "nl",
        "Hallo",
        "12 maart 2027",
        "Kalmeer de beller",
        "Start de opfristraining",
        "Rollenspel",
    ),
}
KINDS: tuple[Kind, ...] = ("assigned", "reminder", "escalation")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("tag", list(LANGUAGES))
def test_render_email_per_language_and_kind(tag: str, kind: Kind) -> None:
    code, hello, due, activity, launch, method = LANGUAGES[tag]
    digest = make_digest(tag, kind)
    message = render_email(digest, sender=SENDER)
    text, html = parts(message)
    recipient = "Kari Leder" if kind == "escalation" else "Ola Nordmann"

    assert message["Subject"] == SUBJECTS[(code, kind)]
    assert message["Content-Language"] == code
    assert message["From"] == SENDER
    assert message["To"].addresses[0].display_name == recipient
    assert message["To"].addresses[0].addr_spec == digest.recipient.email
    for body in (text, html):
        assert f"{hello} {recipient}," in body
        assert INTROS[(code, kind)] in body
        assert due in body
        assert activity in body
        assert method in body
        assert launch in body
    assert LAUNCH in text
    assert f'href="{LAUNCH.replace("&", "&amp;")}"' in html
    assert html.count("href=") == 1  # the second item has no launch URL

    found = calendars(message)
    if kind == "escalation":
        assert found == []  # a manager gets no calendar entries for someone else's deadlines
        return
    (calendar,) = found
    assert calendar["METHOD"] == "PUBLISH"
    events = calendar.walk("VEVENT")
    assert [str(event["UID"]) for event in events] == [
        "assignment-7@lrs-bridge",
        "assignment-8@lrs-bridge",
    ]
    for event in events:
        assert event.decoded("DTSTART") == datetime.date(2027, 3, 12)
        assert event.decoded("DTEND") == datetime.date(2027, 3, 13)
        assert event.decoded("DTSTAMP") == datetime.datetime(2027, 3, 20, 8, tzinfo=datetime.UTC)
        assert str(event["SUMMARY"]) == activity
    assert str(events[0]["URL"]) == LAUNCH
    assert LAUNCH in str(events[0]["DESCRIPTION"])
    assert "URL" not in events[1]


SINGULAR_SUBJECTS = [
    ("en", "assigned", "New refresher: Calm the caller"),
    ("en", "reminder", "Reminder: Calm the caller is overdue"),
    ("en", "escalation", "Ola Nordmann has an overdue refresher"),
    ("nb", "assigned", "Ny oppfriskning: Roe ned innringeren"),
    ("nb", "reminder", "Påminnelse: fristen for Roe ned innringeren har gått ut"),
    ("fi", "reminder", "Muistutus: Rauhoita soittaja on myöhässä"),
    ("fi", "escalation", "Ola Nordmann: kertauskoulutus on myöhässä"),
    ("nl", "assigned", "Nieuwe opfristraining: Kalmeer de beller"),
]


@pytest.mark.parametrize(("language", "kind", "subject"), SINGULAR_SUBJECTS)
def test_one_item_uses_the_singular(language: str, kind: Kind, subject: str) -> None:
    message = render_email(make_digest(language, kind, items=(make_item(),)), sender=SENDER)
    assert message["Subject"] == subject


def test_overdue_items_are_marked_and_details_are_localised() -> None:
    digest = make_digest("nb", "reminder")
    text, _ = parts(render_email(digest, sender=SENDER))
    assert "Frist: 12. mars 2027 (fristen er ute)" in text
    assert "Tidsbruk: 1 t 30 min" in text
    assert "Sist øvd: 5. januar 2026" in text
    assert "Kompetanse: Deeskalering" in text
    assert text.count("Sist øvd") == 1  # the second item has no evidence yet


def test_missing_names_fall_back_to_ids_and_greeting_without_name() -> None:
    item = make_item(activity_name={}, competency_name={})
    digest = dataclasses.replace(
        make_digest(None, items=(item,)),
        recipient=Person(name=None, email="anon@example.com", language=None),
    )
    message = render_email(digest, sender=SENDER)
    text, _ = parts(message)
    assert text.startswith("Hello,\n")
    assert message["Subject"] == "New refresher: https://activity.example.com/7"
    assert "Competency: https://competency.example.com/de-escalation" in text
    assert message["To"] == "anon@example.com"


def test_escalation_names_learner_by_email_or_id_when_nameless() -> None:
    for learner, expected in [
        (Person(name=None, email="ola@example.com", language=None), "ola@example.com"),
        (Person(name=None, email=None, language=None), "learner 42"),
    ]:
        digest = dataclasses.replace(make_digest("en", "escalation"), learner=learner)
        assert (
            render_email(digest, sender=SENDER)["Subject"] == f"{expected} has 2 overdue refreshers"
        )


# -- headers and safety ---------------------------------------------------------------------


def test_message_id_is_deterministic_per_idempotency_key() -> None:
    first = render_email(make_digest(key="assigned:42:run-1"), sender=SENDER)
    again = render_email(make_digest(key="assigned:42:run-1"), sender=SENDER)
    other = render_email(make_digest(key="assigned:42:run-2"), sender=SENDER)
    expected = "<" + hashlib.sha256(b"assigned:42:run-1").hexdigest()[:32] + "@lrs-bridge>"
    assert first["Message-ID"] == again["Message-ID"] == expected == message_id("assigned:42:run-1")
    assert other["Message-ID"] != first["Message-ID"]
    assert re.fullmatch(r"<[0-9a-f]{32}@lrs-bridge>", other["Message-ID"])
    assert first["X-LRS-Bridge-Idempotency-Key"] == "assigned:42:run-1"
    assert first["Date"] == again["Date"] == "Sat, 20 Mar 2027 08:00:00 +0000"
    assert first["Auto-Submitted"] == "auto-generated"


def test_hostile_names_are_escaped_in_html_and_unsafe_links_dropped() -> None:
    hostile = '<script>alert("x")</script> & <b>'
    item = make_item(activity_name={"en": hostile}, launch_url="javascript:alert(document.cookie)")
    digest = dataclasses.replace(
        make_digest(items=(item,)),
        recipient=Person(name="<img src=x onerror=alert(1)>", email="o@example.com", language="en"),
    )
    message = render_email(digest, sender=SENDER)
    text, html = parts(message)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;" in html
    assert hostile in text  # plain text is not HTML: shown as written
    assert "javascript:" not in html and "javascript:" not in text
    (calendar,) = calendars(message)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == hostile
    assert "URL" not in event


def test_recipient_without_email_is_refused() -> None:
    digest = dataclasses.replace(
        make_digest(), recipient=Person(name="No Mail", email=None, language="en")
    )
    with pytest.raises(ValueError, match="no e-mail address"):
        render_email(digest, sender=SENDER)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"items": ()}, "at least one item"),
        ({"kind": "digest"}, "kind must be one of"),
        ({"idempotency_key": ""}, "idempotency key"),
    ],
)
def test_digest_rejects_unrenderable_values(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(make_digest(), **changes)  # type: ignore[arg-type]


# -- i18n tables ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en", "en"),
        ("en-US", "en"),
        ("nb", "nb"),
        ("nb-NO", "nb"),
        ("NB_no", "nb"),
        ("no", "nb"),
        ("nn", "nb"),
        ("nn-NO", "nb"),
        ("nob", "nb"),
        ("fi", "fi"),
        ("fi-FI", "fi"),
        ("fin", "fi"),
        ("nl", "nl"),
        ("nl-BE", "nl"),
        ("nl-NL", "nl"),
        ("sv-SE", "en"),
        ("de", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_pick_language(tag: str | None, expected: str) -> None:
    assert i18n.pick_language(tag) == expected


NAMES = {"en-US": "Colour", "nb": "Farge", "fi-FI": "Väri", "nl": "", "de": "Farbe"}


@pytest.mark.parametrize(
    ("names", "language", "expected"),
    [
        (NAMES, "nb", "Farge"),  # exact
        (NAMES, "nb-NO", "Farge"),  # primary subtag of the wanted language
        (NAMES, "fi", "Väri"),  # primary subtag of the map's tag
        (NAMES, "nl", "Colour"),  # empty value skipped, then English
        (NAMES, "sv", "Colour"),
        ({"no": "Farge", "en": "Colour"}, "nb", "Farge"),  # Norwegian aliases
        ({"de": "Farbe", "da": "Farve"}, "fi", "Farve"),  # any value, smallest tag first
        ({}, "en", ""),
    ],
)
def test_pick_name(names: dict[str, str], language: str, expected: str) -> None:
    assert i18n.pick_name(names, language) == expected


@pytest.mark.parametrize(
    ("duration", "language", "expected"),
    [
        ("PT45M", "en", "45 min"),
        ("PT1H30M", "en", "1 h 30 min"),
        ("PT1H30M", "nb", "1 t 30 min"),
        ("PT1H30M", "fi", "1 h 30 min"),
        ("PT1H30M", "nl", "1 u 30 min"),
        ("PT90M", "en", "1 h 30 min"),
        ("PT2H", "nl", "2 u"),
        ("PT1.5H", "en", "1 h 30 min"),
        ("PT30S", "en", "30 s"),
        ("P1D", "en", "1 day"),
        ("P2DT3H", "nb", "2 dager 3 t"),
        ("P1W", "fi", "1 viikko"),
        ("P2W", "fi", "2 viikkoa"),
        ("P3D", "nl", "3 dagen"),
        ("pt20m", "en", "20 min"),
        ("PT0S", "en", "0 min"),
        ("P1M", "en", "P1M"),  # months have no fixed length: shown as given
        ("P1Y", "en", "P1Y"),
        ("PT", "en", "PT"),
        ("45 minutes", "en", "45 minutes"),
    ],
)
def test_format_duration(duration: str, language: str, expected: str) -> None:
    assert i18n.format_duration(duration, language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "5 January 2027"),
        ("nb", "5. januar 2027"),
        ("fi", "5.1.2027"),
        ("nl", "5 januari 2027"),
        ("nl-BE", "5 januari 2027"),
        ("xx", "5 January 2027"),
    ],
)
def test_format_date(language: str, expected: str) -> None:
    # 23:30 UTC: the UTC date is used, as in the calendar attachment.
    assert i18n.format_date(us(2027, 1, 5, 23, 30), language) == expected


@pytest.mark.parametrize(
    ("method", "language", "expected"),
    [
        ("digital-self-study", "en", "Digital self-study"),
        ("digital-self-study", "nb", "Digitalt selvstudium"),
        ("peer-feedback", "fi", "Vertaispalaute"),
        ("peer-feedback", "nl", "Feedback van collega's"),
        ("Coaching", "fi", "Valmennus"),
        ("escape-room", "nl", "escape-room"),
    ],
)
def test_method_label(method: str, language: str, expected: str) -> None:
    assert i18n.method_label(method, language) == expected


def test_every_language_names_every_method() -> None:
    methods = set(i18n.CATALOGUES["en"].methods)
    assert len(methods) == 13
    for language in i18n.SUPPORTED:
        assert set(i18n.CATALOGUES[language].methods) == methods


# -- JSON forms -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_digest_round_trips_through_json(kind: Kind) -> None:
    digest = make_digest("nb-NO", kind)
    text = orjson.dumps(to_dict(digest), option=orjson.OPT_SORT_KEYS)
    assert digest_from_dict(orjson.loads(text)) == digest


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("learner_id"), r"\$\.learner_id: missing"),
        (lambda d: d.update(kind="nudge"), r"\$\.kind: must be one of"),
        (lambda d: d.update(version=99), "unsupported digest format"),
        (
            lambda d: d["items"][1].update(due_us="2027-03-12"),
            r"\$\.items\[1\]\.due_us: must be int",
        ),
        (lambda d: d["items"][0].update(assignment_id=True), r"\$\.items\[0\]\.assignment_id"),
        (lambda d: d["items"][0].update(activity_name={"en": 3}), "language tags to strings"),
        (lambda d: d.update(recipient="kari@example.com"), r"\$\.recipient: must be Mapping"),
        (lambda d: d.update(items=[]), "at least one item"),
    ],
)
def test_digest_from_dict_names_the_bad_field(mutate: object, message: str) -> None:
    data = orjson.loads(orjson.dumps(to_dict(make_digest())))
    mutate(data)  # type: ignore[operator]
    with pytest.raises(ValueError, match=message):
        digest_from_dict(data)


def test_webhook_body_is_canonical_json_with_the_agreed_fields() -> None:
    digest = make_digest("fi-FI", "reminder")
    body = webhook_body(digest)
    data = orjson.loads(body)
    assert body == orjson.dumps(data, option=orjson.OPT_SORT_KEYS)  # sorted, compact
    assert body == webhook_body(digest)
    assert data["event"] == "refresher.reminder"
    assert data["idempotency_key"] == "assigned:42:run-9f3a"
    assert data["created"] == "2027-03-20T08:00:00.000000Z"
    assert data["language"] == "fi"
    assert data["learner"] == {
        "id": 42,
        "name": "Ola Nordmann",
        "email": "ola@example.com",
        "language": "fi-FI",
    }
    assert data["recipient"]["email"] == "ola@example.com"
    first, second = data["items"]
    assert first == {
        "assignment_id": 7,
        "competency": {
            "id": "https://competency.example.com/de-escalation",
            "name": "De-eskalointi",
            "names": {"en": "De-escalation", "nb": "Deeskalering", "fi": "De-eskalointi"},
        },
        "activity": {
            "id": "https://activity.example.com/7",
            "name": "Rauhoita soittaja",
            "names": make_item().activity_name,
            "launch_url": LAUNCH,
            "method": "role-play",
            "duration": "PT1H30M",
        },
        "due": "2027-03-12T23:59:00.000000Z",
        "last_evidence": "2026-01-05T00:00:00.000000Z",
        "stale_at": "2027-02-01T00:00:00.000000Z",
        "status": "assigned",
    }
    assert second["last_evidence"] is None
    assert second["activity"]["launch_url"] is None
    events = {kind: orjson.loads(webhook_body(make_digest("en", kind)))["event"] for kind in KINDS}
    assert events == {
        "assigned": "refresher.assigned",
        "reminder": "refresher.reminder",
        "escalation": "refresher.escalation",
    }


@pytest.mark.parametrize(
    ("body", "secret", "key", "timestamp", "expected"),
    [
        # Computed with `printf '%s' '<t>.<key>.<body>' | openssl dgst -sha256 -hmac <secret>`.
        (
            b'{"x":1}',
            "Jefe",
            "assigned:42:run-9f3a",
            1_800_000_000,
            "t=1800000000,v1=e55d1418431fa1d7317bb98884e8b181732f2669194d97a2bc38b0aa228a4c7e",
        ),
        (
            b"",
            "k",
            "k",
            0,
            "t=0,v1=a38b274cea4ff0c571c4244b08e282ec1d30407a378361199d9d0d6bbcf7a01e",
        ),
    ],
)
def test_sign_known_answers(
    body: bytes, secret: str, key: str, timestamp: int, expected: str
) -> None:
    assert sign(body, secret, idempotency_key=key, timestamp=timestamp) == expected


def test_sign_matches_an_independent_hmac_of_the_webhook_body() -> None:
    digest = make_digest()
    body = webhook_body(digest)
    signed = b"1800000000." + digest.idempotency_key.encode() + b"." + body
    expected = hmac.new("s3cret-ü".encode(), signed, hashlib.sha256).hexdigest()
    header = sign(body, "s3cret-ü", idempotency_key=digest.idempotency_key, timestamp=1_800_000_000)
    assert hmac.compare_digest(header, f"t=1800000000,v1={expected}")


@pytest.mark.parametrize("language", i18n.SUPPORTED)
def test_a_managers_digest_about_several_reports_names_each_one(language: str) -> None:
    ola = Person(name="Ola Nordmann", email="ola@example.com", language="nb")
    aino = Person(name="Aino Virtanen", email="aino@example.com", language="fi")
    items = (
        make_item(7, learner_id=42, learner=ola),
        make_item(8, learner_id=43, learner=aino),
        make_item(9, learner_id=43, learner=aino),
    )
    digest = make_digest(language, "escalation", items)
    strings = i18n.catalogue(language)

    message = render_email(digest, sender="lrs-bridge <noreply@example.com>")

    assert message["Subject"] == strings.team_subject.format(people=2, count=3)
    text, html = parts(message)
    assert strings.team_intro.format(people=2, count=3) in text
    assert text.count(f"{strings.learner}: Ola Nordmann") == 1
    assert text.count(f"{strings.learner}: Aino Virtanen") == 2
    assert html.count("Aino Virtanen") == 2
    hooked = orjson.loads(webhook_body(digest))
    assert [item["learner"]["id"] for item in hooked["items"]] == [42, 43, 43]
    assert digest_from_dict(to_dict(digest)) == digest


def test_a_managers_digest_about_one_report_reads_as_before() -> None:
    ola = Person(name="Ola Nordmann", email="ola@example.com", language="en")
    digest = make_digest("en", "escalation", (make_item(7, learner_id=42, learner=ola),))
    message = render_email(digest, sender="lrs-bridge <noreply@example.com>")
    assert message["Subject"] == "Ola Nordmann has an overdue refresher"
    assert "Learner:" not in parts(message)[0]
