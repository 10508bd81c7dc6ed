"""The calendar attachment: one all-day event per assignment, on its due date.

All-day rather than a timed slot because a due date is a deadline, not an appointment: we
do not know the learner's time zone or free time, and a 30-minute block at an arbitrary
UTC hour would land in the middle of someone's night. Events are ``TRANSP:TRANSPARENT``
so they do not show the learner as busy. The UID is stable per assignment, so the
reminder's attachment updates the event the first message created instead of adding one.
"""

from __future__ import annotations

import datetime

import icalendar

from lrs_bridge.notify import i18n
from lrs_bridge.notify.model import AssignmentItem

PRODID = "-//lrs-bridge//refresher assignments//EN"
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def event_uid(assignment_id: int) -> str:
    """The iCalendar UID of an assignment's event (stable across messages)."""
    return f"assignment-{assignment_id}@lrs-bridge"


def utc_datetime(value_us: int) -> datetime.datetime:
    """Microseconds since the epoch as an aware UTC datetime."""
    return _EPOCH + datetime.timedelta(microseconds=value_us)


def refresher_calendar(
    items: tuple[AssignmentItem, ...], *, language: str, created_us: int
) -> bytes:
    """A ``METHOD:PUBLISH`` calendar with one VEVENT per item, as iCalendar bytes."""
    strings = i18n.catalogue(language)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    stamp = utc_datetime(created_us)
    for item in items:
        due = utc_datetime(item.due_us).date()
        activity = i18n.pick_name(item.activity_name, language) or item.activity_id
        competency = i18n.pick_name(item.competency_name, language) or item.competency_id
        lines = [
            f"{strings.competency}: {competency}",
            f"{strings.method}: {i18n.method_label(item.method, language)}",
        ]
        if item.duration:
            lines.append(f"{strings.duration}: {i18n.format_duration(item.duration, language)}")
        if item.launch_link:
            lines.append(f"{strings.launch}: {item.launch_link}")
        event = icalendar.Event()
        event.add("uid", event_uid(item.assignment_id))
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + datetime.timedelta(days=1))
        event.add("summary", activity)
        event.add("description", "\n".join(lines))
        event.add("transp", "TRANSPARENT")
        if item.launch_link:
            event.add("url", item.launch_link)
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
