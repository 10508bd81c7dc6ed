"""The organisation's branding (name, logo, colour) and the contrast rule it must meet.

Pure: the console's settings page validates with it, the console layout and the e-mails
render with it. Contrast follows WCAG 2.x (relative luminance, ratio ``(L1 + 0.05) /
(L2 + 0.05)``); 4.5:1 is the level AA minimum for normal text.
"""

from __future__ import annotations

import dataclasses
import re

#: WCAG 2.x level AA, normal-size text.
MIN_CONTRAST = 4.5
#: The colour of the console's header and the e-mails' button when none is set.
DEFAULT_COLOUR = "#1f4e79"
WHITE = "#ffffff"

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Branding:
    """What the console and the e-mails show of the organisation (None: not set)."""

    org_name: str | None = None
    logo_url: str | None = None
    primary_colour: str = DEFAULT_COLOUR


DEFAULT_BRANDING = Branding()


def normalise_hex(colour: str) -> str | None:
    """``#abc`` or ``#AABBCC`` as ``#aabbcc``; None when it is not a hex colour."""
    value = colour.strip()
    if not _HEX.match(value):
        return None
    digits = value[1:].lower()
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return "#" + digits


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` colour (0 black … 1 white)."""
    normal = normalise_hex(colour)
    if normal is None:
        raise ValueError(f"not a hex colour: {colour!r}")

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(normal[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    light, dark = max(a, b), min(a, b)
    return (light + 0.05) / (dark + 0.05)


def for_email(brand: Branding, public_url: str) -> Branding:
    """``brand`` with a logo path made absolute against ``public_url``, since a mail client
    cannot resolve a path; an e-mail shows only an ``https://`` logo (see render.py)."""
    logo = brand.logo_url
    if logo and logo.startswith("/") and not logo.startswith("//") and public_url:
        return dataclasses.replace(brand, logo_url=public_url.rstrip("/") + logo)
    return brand
