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


class BrandingInvalid(BadRequest):
    """One or more branding fields are wrong; ``errors`` maps each field to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        first = next(iter(errors))
        super().__init__(f"{first}: {errors[first]}", field=first, errors=dict(errors))
        self.errors = dict(errors)


def _org_name(value: str) -> tuple[str | None, str | None]:
    name = value.strip()
    if not name:
        return None, None
    if len(name) > MAX_ORG_NAME:
        return None, f"at most {MAX_ORG_NAME} characters"
    if _CONTROL.search(name):
        return None, "no control characters"
    return name, None


def _logo_url(value: str) -> tuple[str | None, str | None]:
    url = value.strip()
    if not url:
        return None, None
    if len(url) > MAX_URL or any(ch.isspace() for ch in url) or _CONTROL.search(url):
        return None, f"a URL without spaces, at most {MAX_URL} characters"
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.netloc:
        return url, None
    if not parts.scheme and not parts.netloc and url.startswith("/") and "\\" not in url:
        return url, None  # a path on this server (not "//host", which leaves it)
    return None, "an https:// URL or a path on this server starting with /"


def _colour(value: str) -> tuple[str | None, str | None]:
    text = value.strip()
    if not text:
        return DEFAULT_BRANDING.primary_colour, None
    colour = normalise_hex(text)
    if colour is None:
        return None, "a hex colour such as #0969da"
    ratio = contrast_ratio(colour, WHITE)
    if ratio < MIN_CONTRAST:
        return None, (
            f"{colour} is too light for white text ({ratio:.1f}:1, at least "
            f"{MIN_CONTRAST}:1 is needed); choose a darker colour"
        )
    return colour, None


def validate_branding(form: Mapping[str, str]) -> Branding:
    """A :class:`Branding` from form fields ``org_name``, ``logo_url``, ``primary_colour``;
    raises :class:`BrandingInvalid` naming every wrong field."""
    checked = {
        "org_name": _org_name(form.get("org_name", "")),
        "logo_url": _logo_url(form.get("logo_url", "")),
        "primary_colour": _colour(form.get("primary_colour", "")),
    }
    errors = {name: error for name, (_, error) in checked.items() if error}
    if errors:
        raise BrandingInvalid(errors)
    return Branding(
        org_name=checked["org_name"][0],
        logo_url=checked["logo_url"][0],
        primary_colour=checked["primary_colour"][0] or DEFAULT_BRANDING.primary_colour,
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
