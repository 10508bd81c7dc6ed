"""Branding settings: validated on save, read by the console layout and the dispatcher.

Stored in the database (``console_settings``, key ``branding``) so every web worker and the
scheduler's dispatcher agree. A colour too light for white text is refused, not adjusted:
the console header and the e-mails' button put white text on it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

from lrs_bridge.errors import BadRequest
from lrs_bridge.notify.brand import (
    DEFAULT_BRANDING,
    MIN_CONTRAST,
    WHITE,
    Branding,
    contrast_ratio,
    normalise_hex,
)
from lrs_bridge.store.base import Clock
from lrs_bridge.store.settings import StoredSetting

SETTING_KEY = "branding"
MAX_ORG_NAME = 120
MAX_URL = 2000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SettingsStore(Protocol):
    """What the service needs of the settings table."""

    def get(self, key: str) -> StoredSetting | None: ...

    def put(self, key: str, value: dict[str, Any], *, at_us: int, by: str) -> None: ...


#: English texts of the problems (the console shows them translated, by code).
PROBLEMS = {
    "too_long": "at most {limit} characters",
    "control": "no control characters",
    "bad_url": "an https:// URL or a path on this server starting with /",
    "bad_colour": "a hex colour such as #1f4e79",
    "too_light": (
        "{colour} is too light for white text ({ratio}:1, at least {minimum}:1 is needed); "
        "choose a darker colour"
    ),
}
Problem = tuple[str, dict[str, Any]]


class BrandingInvalid(BadRequest):
    """One or more branding fields are wrong: ``problems`` maps each field to a code of
    :data:`PROBLEMS` and its parameters, ``errors`` to the English text."""

    def __init__(self, problems: Mapping[str, Problem]) -> None:
        errors = {name: PROBLEMS[code].format(**args) for name, (code, args) in problems.items()}
        first = next(iter(errors))
        super().__init__(f"{first}: {errors[first]}", field=first, errors=errors)
        self.problems = dict(problems)
        self.errors = errors


def _org_name(value: str) -> tuple[str | None, Problem | None]:
    name = value.strip()
    if not name:
        return None, None
    if len(name) > MAX_ORG_NAME:
        return None, ("too_long", {"limit": MAX_ORG_NAME})
    if _CONTROL.search(name):
        return None, ("control", {})
    return name, None


def _logo_url(value: str) -> tuple[str | None, Problem | None]:
    url = value.strip()
    if not url:
        return None, None
    if len(url) > MAX_URL:
        return None, ("too_long", {"limit": MAX_URL})
    if any(ch.isspace() for ch in url) or _CONTROL.search(url) or "\\" in url:
        return None, ("bad_url", {})
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.netloc:
        return url, None
    if not parts.scheme and not parts.netloc and url.startswith("/") and not url.startswith("//"):
        return url, None  # a path on this server ("//host" would leave it)
    return None, ("bad_url", {})


def _colour(value: str) -> tuple[str | None, Problem | None]:
    text = value.strip()
    if not text:
        return DEFAULT_BRANDING.primary_colour, None
    colour = normalise_hex(text)
    if colour is None:
        return None, ("bad_colour", {})
    ratio = contrast_ratio(colour, WHITE)
    if ratio < MIN_CONTRAST:
        return None, (
            "too_light",
            {"colour": colour, "ratio": f"{ratio:.2f}", "minimum": MIN_CONTRAST},
        )
    return colour, None


def validate_branding(form: Mapping[str, str]) -> Branding:
    """A :class:`Branding` from form fields ``org_name``, ``logo_url``, ``primary_colour``;
    raises :class:`BrandingInvalid` naming every wrong field."""
    org_name, name_problem = _org_name(form.get("org_name", ""))
    logo_url, logo_problem = _logo_url(form.get("logo_url", ""))
    colour, colour_problem = _colour(form.get("primary_colour", ""))
    problems = {
        field: problem
        for field, problem in (
            ("org_name", name_problem),
            ("logo_url", logo_problem),
            ("primary_colour", colour_problem),
        )
        if problem is not None
    }
    if problems:
        raise BrandingInvalid(problems)
    return Branding(
        org_name=org_name,
        logo_url=logo_url,
        primary_colour=colour or DEFAULT_BRANDING.primary_colour,
    )


class BrandingService:
    """Reads and saves the branding setting."""

    def __init__(self, store: SettingsStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def current(self) -> Branding:
        """The saved branding, or the defaults when none was saved."""
        stored = self.store.get(SETTING_KEY)
        if stored is None:
            return DEFAULT_BRANDING
        value = stored.value
        return Branding(
            org_name=value.get("org_name"),
            logo_url=value.get("logo_url"),
            primary_colour=value.get("primary_colour") or DEFAULT_BRANDING.primary_colour,
        )

    def save(self, form: Mapping[str, str], *, by: str) -> Branding:
        """Validate ``form`` and save it whole; nothing is saved when a field is wrong."""
        branding = validate_branding(form)
        self.store.put(SETTING_KEY, dataclasses.asdict(branding), at_us=self.clock(), by=by)
        return branding
