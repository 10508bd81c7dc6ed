"""Request parameters that are numbers: one parser, used by every face and service.

``str.isdigit`` and ``int`` accept far more than a client means: ``"²".isdigit()`` is true
and ``int("²")`` raises, ``int("٣")`` is 3, and ``int(" 7")`` and ``int("-1")`` parse too.
A count or an id in a URL is ASCII digits and nothing else, within what the database stores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lrs_bridge.errors import BadRequest

#: The largest id a row can have: INTEGER primary keys are 32-bit on PostgreSQL.
MAX_ID = 2**31 - 1
#: Digits beyond this many are refused before ``int`` sees them (no 10,000-digit numbers).
_MAX_DIGITS = 18


def is_ascii_digits(value: str) -> bool:
    """Whether ``value`` is one or more of ``0``…``9`` (no sign, space or other script)."""
    return value.isascii() and value.isdigit()


def parse_count(value: str | None, field: str, *, default: int, maximum: int | None = None) -> int:
    """A non-negative integer parameter; 400 naming ``field`` unless it is ASCII digits
    (at most ``maximum``). Absent: ``default``."""
    if value is None:
        return default
    if not is_ascii_digits(value) or len(value) > _MAX_DIGITS:
        raise BadRequest(f"parameter {field!r} must be a non-negative integer", field=field)
    number = int(value)
    if maximum is not None and number > maximum:
        raise BadRequest(f"parameter {field!r} must be at most {maximum}", field=field)
    return number


def parse_page(
    args: Mapping[str, str], *, default_limit: int = 100, max_limit: int = 1000
) -> tuple[int, int]:
    """``limit`` (1…``max_limit``) and ``offset`` of a listing; 400 naming the field."""
    limit = parse_count(args.get("limit"), "limit", default=default_limit, maximum=max_limit)
    if limit == 0:
        raise BadRequest("parameter 'limit' must be at least 1", field="limit")
    return limit, parse_count(args.get("offset"), "offset", default=0, maximum=MAX_ID)


def check_no_nul(pairs: Iterable[tuple[str, Any]], what: str = "parameter") -> None:
    """400 naming the first name or text value holding a NUL character.

    NUL is never meaningful in a name, id or IRI, and PostgreSQL cannot store or even
    compare text holding it (the driver refuses the query), so it is refused at the edge.
    """
    for name, value in pairs:
        if "\x00" in name or (isinstance(value, str) and "\x00" in value):
            raise BadRequest(f"{what} {name!r} contains a NUL character", field=name)
