"""The xAPI Statement grammar: one property table per object type, and its walker.

Sections cited are xAPI 1.0.3 ``xAPI-Data.md``; IEEE 9274.1.1 (xAPI 2.0.0) differs only
where ``v2`` is tested. Each object type is a :class:`Shape` (allowed properties, each
mapped to the check of its value, plus the required ones). Unknown properties and JSON
``null`` are rejected everywhere except inside ``extensions`` (Data §2.2).

Checks raise :class:`Fail` with the path relative to the value checked; each enclosing
object or array adds its key as the exception passes through, so a valid statement
pays nothing for paths (try blocks are free in Python 3.11) and an invalid one gets its
exact JSON path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from lrs_bridge.xapi import rules

Check = Callable[[Any], None]

VOIDED: Final = "http://adlnet.gov/expapi/verbs/voided"
# Data §2.4.10: the Statement's version property; 2.0.0 LRSs still take 1.0.x.
VERSION_1: Final = re.compile(r"1\.0(?:\.[0-9]+)?")
VERSION_2: Final = re.compile(r"[12]\.0(?:\.[0-9]+)?")
IFIS: Final = ("mbox", "mbox_sha1sum", "openid", "account")
IFI_RULE: Final = (
    "an Agent must have exactly one inverse functional identifier "
    "(mbox, mbox_sha1sum, openid, account)"
)
# Data §2.4.4.1 table "Interaction Components": which component lists each
# interactionType may carry (matched exact-case, as the enumeration is).
COMPONENTS_BY_TYPE: Final[dict[str, frozenset[str]]] = {
    "true-false": frozenset(),
    "choice": frozenset({"choices"}),
    "fill-in": frozenset(),
    "long-fill-in": frozenset(),
    "matching": frozenset({"source", "target"}),
    "performance": frozenset({"steps"}),
    "sequencing": frozenset({"choices"}),
    "likert": frozenset({"scale"}),
    "numeric": frozenset(),
    "other": frozenset(),
}
COMPONENT_KEYS: Final = frozenset({"choices", "scale", "source", "target", "steps"})
SIMPLE_DEFINITION: Final = frozenset({"name", "description", "type", "moreInfo", "extensions"})
SUBSTATEMENT_FORBIDDEN: Final = "a SubStatement must not have id, stored, version or authority"


class Fail(Exception):
    """A broken rule; ``parts`` is the path below the checked value, innermost first."""

    def __init__(self, rule: str, *parts: str | int) -> None:
        super().__init__(rule)
        self.rule = rule
        self.parts: list[str | int] = list(reversed(parts))


class Shape:
    """An xAPI object type: its name in messages, property checks, required properties.

    ``shape.check`` is the check of a whole object of this type; tables reference the
    bound method directly, which keeps the walk to one Python call per level.
    """

    __slots__ = ("what", "props", "required", "_keys")

    def __init__(self, what: str, props: dict[str, Check], required: tuple[str, ...] = ()):
        self.what = what
        self.props = props
        self.required = required
        self._keys = frozenset(props)

    def check(self, obj: Any) -> None:
        """Check ``obj`` is a JSON object of this shape: no unknown, null or missing property."""
        if obj.__class__ is not dict and not isinstance(obj, dict):
            raise Fail(f"{self.what} must be a JSON object")
        props = self.props
        # Unknown properties first (one C-level set test), so a misplaced property is
        # reported rather than some value check that happened to come first.
        if not self._keys.issuperset(obj):
            unknown = next(key for key in obj if key not in props)
            allowed = ", ".join(sorted(props))
            raise Fail(f"property not allowed in {self.what} (allowed: {allowed})", unknown)
        for key, value in obj.items():
            try:
                props[key](value)
            except Fail as fail:
                # Every check rejects null; name the real problem here, off the hot path.
                if value is None:
                    fail.rule = f"{self.what} property must not be null (omit it instead)"
                fail.parts.append(key)
                raise
        for key in self.required:
            if key not in obj:
                raise Fail(f"{self.what} must have the required property '{key}'", key)


def each(value: Any, check: Check, what: str, *, non_empty: bool = False) -> None:
    """Check ``value`` is a JSON array and every item passes ``check``."""
    if value.__class__ is not list:
        raise Fail(f"{what} must be a JSON array")
    if non_empty and not value:
        raise Fail(f"{what} must not be empty")
    for index, item in enumerate(value):
        try:
            check(item)
        except Fail as fail:
            fail.parts.append(index)
            raise


# --- primitive value checks -------------------------------------------------------


def format_check(test: Callable[[Any], bool], rule: str) -> Check:
    """A check that fails with ``rule`` when ``test`` is false."""

    def check(value: Any) -> None:
        if not test(value):
            raise Fail(f"{rule}, got {value!r:.80}")

    return check


def iri(what: str) -> Check:
    """``what`` must be an IRI with a scheme (Data §4.1.1)."""
    rule = f"{what} must be an IRI with a scheme (e.g. http://...)"
    known = rules.valid_iris

    def check(value: Any) -> None:
        # The inline cache probe saves a call for the IRIs every statement repeats.
        if value.__class__ is str and value in known:
            return
        if not rules.is_iri(value):
            raise Fail(f"{rule}, got {value!r:.80}")

    return check


def const(expected: str) -> Check:
    """``objectType`` must name exactly this type (case-sensitive)."""

    def check(value: Any) -> None:
        if value != expected or value.__class__ is not str:
            raise Fail(f"objectType must be '{expected}' here, got {value!r:.40}")

    return check


def string(what: str) -> Check:
    """A JSON string."""

    def check(value: Any) -> None:
        if not isinstance(value, str):
            raise Fail(f"{what} must be a string")

    return check


def boolean(what: str) -> Check:
    """A real JSON boolean (not 0/1 nor "true")."""

    def check(value: Any) -> None:
        if value.__class__ is not bool:
            raise Fail(f"{what} must be a boolean (true or false)")

    return check


def number(what: str) -> Check:
    """A JSON number (booleans are not numbers)."""

    def check(value: Any) -> None:
        if value.__class__ is not int and value.__class__ is not float:
            raise Fail(f"{what} must be a number")

    return check


def is_number(value: Any) -> bool:
    """True for JSON numbers only (``bool`` is an ``int`` in Python, not in JSON)."""
    return value.__class__ is int or value.__class__ is float


def language_map(value: Any) -> None:
    """Data §5.2 Language Map: RFC 5646 tags mapped to strings."""
    if value.__class__ is not dict and not isinstance(value, dict):
        raise Fail("a language map must be a JSON object of RFC 5646 language tags to strings")
    known = rules.valid_tags
    for tag, text in value.items():
        if tag not in known and not rules.is_language_tag(tag):
            raise Fail(f"language map key {tag!r:.40} is not an RFC 5646 language tag", tag)
        if not isinstance(text, str):
            raise Fail("language map values must be strings", tag)


def extensions(value: Any) -> None:
    """Data §5.3 Extensions: IRI keys, any value (null included)."""
    if value.__class__ is not dict and not isinstance(value, dict):
        raise Fail("extensions must be a JSON object keyed by IRIs")
    for key in value:
        if not rules.is_iri(key):
            raise Fail(f"extension key {key!r:.60} must be an IRI with a scheme", key)


def forbidden(rule: str) -> Check:
    """A property that is always rejected where this check is placed."""

    def check(value: Any) -> None:
        raise Fail(rule)

    return check


def uuid(value: Any) -> None:
    """A UUID (see :func:`rules.is_uuid`)."""
    if value.__class__ is not str or rules.UUID.fullmatch(value) is None:
        raise Fail(f"must be a UUID (8-4-4-4-12 hex digits), got {value!r:.80}")


timestamp = format_check(
    rules.is_timestamp,
    "must be an ISO 8601 timestamp (date and time, e.g. 2024-05-01T10:00:00.000Z; "
    "offsets -00, -0000 and -00:00 are not allowed)",
)
duration = format_check(rules.is_duration, "must be an ISO 8601 duration (e.g. PT1H30M5.5S or P2W)")
mbox = format_check(rules.is_mailto, "mbox must be a 'mailto:' IRI with an email address")
mbox_sha1sum = format_check(rules.is_sha1, "mbox_sha1sum must be a SHA-1 hex digest (40 hex)")
sha2 = format_check(rules.is_sha2, "sha2 must be a hex SHA-2 digest of the attachment")
content_type = format_check(rules.is_content_type, "contentType must be an Internet media type")
language_tag = format_check(rules.is_language_tag, "language must be an RFC 5646 language tag")


def length(value: Any) -> None:
    """Attachment length: a non-negative JSON integer (not 27.0, not "27")."""
    if value.__class__ is not int or value < 0:
        raise Fail("an attachment length must be a non-negative integer (octets)")


# --- cross-property rules -----------------------------------------------------------


def interaction_rules(definition: dict[str, Any]) -> None:
    """Data §2.4.4.1: interaction properties need an (exact-case) interactionType, and
    each component list is only allowed for the interaction types that use it."""
    if SIMPLE_DEFINITION.issuperset(definition):
        return
    interaction_type = definition.get("interactionType")
    if interaction_type is None:
        for key in definition:
            if key in COMPONENT_KEYS or key == "correctResponsesPattern":
                raise Fail(f"{key} requires an interactionType", key)
        return
    allowed = COMPONENTS_BY_TYPE.get(interaction_type)
    if allowed is None:
        types = ", ".join(COMPONENTS_BY_TYPE)
        raise Fail(
            f"invalid interactionType {interaction_type!r:.40} (exact case, one of {types})",
            "interactionType",
        )
    for key in definition:
        if key in COMPONENT_KEYS and key not in allowed:
            raise Fail(f"{key} is not allowed for interactionType '{interaction_type}'", key)


def score_bounds(score: dict[str, Any]) -> None:
    """Data §2.4.5.1: -1 <= scaled <= 1, min < max, min <= raw <= max."""
    scaled = score.get("scaled")
    if scaled is not None and not -1 <= scaled <= 1:
        raise Fail("score scaled must be between -1 and 1", "scaled")
    low, high, raw = score.get("min"), score.get("max"), score.get("raw")
    if low is not None and high is not None and not low < high:
        raise Fail("score max must be greater than min", "max")
    if raw is not None:
        if low is not None and raw < low:
            raise Fail("score raw must not be less than min", "raw")
        if high is not None and raw > high:
            raise Fail("score raw must not be greater than max", "raw")
