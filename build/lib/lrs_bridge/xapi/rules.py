"""Primitive xAPI value formats (xAPI 1.0.3 Data §4, IEEE 9274.1.1 §4.2.7).

Each ``is_*`` function answers one question about one JSON value and never raises,
whatever the value's type: the statement walker in ``validate.py`` turns a ``False``
into an ``InvalidStatement`` with a path. Values that recur across statements (IRIs,
language tags) are remembered once valid, because a typical ingest repeats the same
few verbs, activity types and tags thousands of times and a set lookup is ~10x
cheaper than a regular expression.
"""

from __future__ import annotations

import re
from typing import Any, Final

__all__ = [
    "is_content_type",
    "is_duration",
    "is_iri",
    "is_language_tag",
    "is_mailto",
    "is_sha1",
    "is_sha2",
    "is_timestamp",
    "is_uuid",
]

# A value cache stops growing here, so a stream of unique ids cannot eat memory.
_CACHE_LIMIT: Final = 20_000

# RFC 3987 IRI: a scheme (RFC 3986 §3.1), then no character an IRI can never hold
# (space, controls, <>"{}|\^`) and only well-formed percent escapes. This is
# deliberately not a full RFC 3987 grammar: xAPI only needs "absolute, with a scheme"
# (Data §4.1.1) and real producers send ids such as ``course-v1:FUN-MOOC+1+s1``.
_IRI: Final = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*:(?:[^\x00-\x20<>\"{}|\\^`%\x7f]|%[0-9A-Fa-f]{2})*"
)
# IRIs already found valid (read by grammar.py for an inline probe).
valid_iris: set[str] = set()

# RFC 5646 §2.1 Language-Tag (well-formedness, case-insensitive), plus the
# grandfathered tags of §2.2.8.
_LANGTAG: Final = re.compile(
    r"""
    (?:
      (?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})   # language (+ extlang)
      (?:-[a-z]{4})?                                         # script
      (?:-(?:[a-z]{2}|[0-9]{3}))?                            # region
      (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*               # variants
      (?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*                    # extensions
      (?:-x(?:-[a-z0-9]{1,8})+)?                             # private use
    | x(?:-[a-z0-9]{1,8})+                                   # private use only
    | en-gb-oed|i-(?:ami|bnn|default|enochian|hak|klingon|lux|mingo|navajo|pwn|tao|tay|tsu)
    | sgn-(?:be-fr|be-nl|ch-de)
    | art-lojban|cel-gaulish|no-bok|no-nyn|zh-(?:guoyu|hakka|min|min-nan|xiang)
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Language tags already found valid.
valid_tags: set[str] = set()

UUID: Final = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}")
_SHA1: Final = re.compile(r"[0-9A-Fa-f]{40}")
_SHA2: Final = re.compile(r"[0-9A-Fa-f]{56}(?:[0-9A-Fa-f]{8}(?:[0-9A-Fa-f]{32}){0,2})?")
_MAILTO: Final = re.compile(r"mailto:[^@\x00-\x20<>\"]+@[^@\x00-\x20<>\"]+")
# RFC 2045 §5.1 type/subtype tokens, parameters left unparsed.
_CONTENT_TYPE: Final = re.compile(
    r"[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:[ \t]*;.*)?", re.DOTALL
)

# ISO 8601 date-time, extended (2008-09-15T15:53:00.601+00:00) or basic
# (20080915T155300Z) format, never mixed; reduced precision down to minutes is ISO
# 8601-legal. A date without a time is not a Timestamp (Data §4.5: "Date/Time").
_D2: Final = r"(?:0[1-9]|[12][0-9]|3[01])"
_M2: Final = r"(?:0[1-9]|1[0-2])"
_H2: Final = r"(?:[01][0-9]|2[0-3])"
_S2: Final = r"(?:[0-5][0-9]|60)"  # 60: a leap second
_TS_EXTENDED: Final = re.compile(
    rf"([0-9]{{4}})-({_M2})-({_D2})[Tt]{_H2}:[0-5][0-9](?::{_S2}(?:[.,][0-9]+)?)?"
    rf"(?:[Zz]|([+-]){_H2}(?::?[0-5][0-9])?)?"
)
_TS_BASIC: Final = re.compile(
    rf"([0-9]{{4}})({_M2})({_D2})[Tt]{_H2}[0-5][0-9](?:{_S2}(?:[.,][0-9]+)?)?"
    rf"(?:[Zz]|([+-]){_H2}(?:[0-5][0-9])?)?"
)
_NEGATIVE_ZERO: Final = ("-00", "-0000", "-00:00")
_DAYS: Final = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# ISO 8601:2004 §4.4.3.2 duration (the "alternative format" of §4.4.3.3 is forbidden
# by Data §4.6): PnYnMnDTnHnMnS with at least one component, or PnW.
_DURATION: Final = re.compile(
    r"P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?"
)
_DURATION_WEEKS: Final = re.compile(r"P\d+(?:[.,]\d+)?W")


def _remember(cache: set[str], value: str) -> None:
    if len(cache) < _CACHE_LIMIT:
        cache.add(value)


def is_iri(value: Any) -> bool:
    """An absolute IRI (with a scheme), as xAPI requires for every identifier."""
    if value.__class__ is not str:
        return False
    if value in valid_iris:
        return True
    if _IRI.fullmatch(value) is None:
        return False
    _remember(valid_iris, value)
    return True


def is_language_tag(value: Any) -> bool:
    """A well-formed RFC 5646 language tag (keys of language maps, context.language)."""
    if value.__class__ is not str:
        return False
    if value in valid_tags:
        return True
    if _LANGTAG.fullmatch(value) is None:
        return False
    _remember(valid_tags, value)
    return True


def is_uuid(value: Any) -> bool:
    """Any 8-4-4-4-12 hex UUID; RFC 4122 variant/version bits are not checked.

    The spec's own example id ``12345678-1234-5678-1234-567812345678`` has neither, so
    an LRS that insisted on them would reject the spec.
    """
    return value.__class__ is str and UUID.fullmatch(value) is not None


def is_mailto(value: Any) -> bool:
    """A ``mailto:`` IRI holding one address (Agent ``mbox``)."""
    return value.__class__ is str and _MAILTO.fullmatch(value) is not None


def is_sha1(value: Any) -> bool:
    """40 hex digits (Agent ``mbox_sha1sum``)."""
    return value.__class__ is str and _SHA1.fullmatch(value) is not None


def is_sha2(value: Any) -> bool:
    """A hex SHA-2 digest: SHA-224, -256, -384 or -512 (Attachment ``sha2``)."""
    return value.__class__ is str and _SHA2.fullmatch(value) is not None


def is_content_type(value: Any) -> bool:
    """An Internet media type ``type/subtype[; params]`` (Attachment ``contentType``)."""
    return value.__class__ is str and _CONTENT_TYPE.fullmatch(value) is not None


def is_duration(value: Any) -> bool:
    """An ISO 8601 duration; only the last component may carry a fraction."""
    if value.__class__ is not str:
        return False
    match = _DURATION.fullmatch(value)
    if match is None:
        return _DURATION_WEEKS.fullmatch(value) is not None
    parts = [p for p in match.groups() if p is not None]
    if not parts or value.endswith("T"):
        return False
    return not any("." in p or "," in p for p in parts[:-1])


def is_timestamp(value: Any) -> bool:
    """An ISO 8601 date-time with real calendar values.

    A time zone is optional (Data §4.5 says SHOULD), but the negative zero offsets
    ``-00``, ``-0000`` and ``-00:00`` are rejected: RFC 3339 §4.3 gives them the meaning
    "local time unknown", which Data §4.5 forbids and the conformance suite tests.
    """
    if value.__class__ is not str:
        return False
    match = _TS_EXTENDED.fullmatch(value) or _TS_BASIC.fullmatch(value)
    if match is None:
        return False
    year, month, day, sign = match.groups()
    if day > "28":
        d, m = int(day), int(month)
        if d > _DAYS[m - 1]:
            return False
        if m == 2 and d == 29:
            y = int(year)
            if y % 4 or (y % 100 == 0 and y % 400):
                return False
    return sign is None or not value.endswith(_NEGATIVE_ZERO)
