"""The records a notification is made of, their JSON form, and the channels' error.

The outbox decides *what* to send in the transaction that changed the assignments and
stores it as JSON (:func:`to_dict`); the dispatcher rebuilds the :class:`Digest` at send
time (:func:`digest_from_dict`), so rendering always works from the stored facts.
"""

from __future__ import annotations

import dataclasses
import functools
import urllib.parse
from collections.abc import Mapping
from typing import Any, Literal, get_args

from lrs_bridge.errors import LrsBridgeError

Kind = Literal["assigned", "reminder", "escalation"]
KINDS: tuple[Kind, ...] = get_args(Kind)

#: Bumped when the JSON form changes incompatibly; stored digests carry it.
FORMAT_VERSION = 1


class DeliveryError(LrsBridgeError):
    """A channel could not deliver a message.

    ``retryable`` tells the dispatcher whether the same message may succeed later
    (a timeout, a 4xx SMTP reply, an HTTP 503) or never will without someone changing
    something (a 5xx SMTP rejection, bad credentials, an HTTP 400).
    """

    code = "delivery_failed"

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message, retryable=retryable)
        self.retryable = retryable


@dataclasses.dataclass(frozen=True, kw_only=True)
class Person:
    """Someone a message is about or addressed to, as the directory knows them."""

    name: str | None
    email: str | None
    language: str | None  # BCP 47 tag as stored, e.g. "nb-NO"; see i18n.pick_language


@dataclasses.dataclass(frozen=True, kw_only=True)
class AssignmentItem:
    """One refresher assignment as it is presented in a message."""

    assignment_id: int
    competency_id: str
    competency_name: Mapping[str, str]
    activity_id: str
    activity_name: Mapping[str, str]
    launch_url: str | None
    method: str
    duration: str | None  # ISO 8601 duration, e.g. "PT45M"
    due_us: int
    last_evidence_us: int | None
    stale_at_us: int | None
    status: str

    @property
    def launch_link(self) -> str | None:
        """``launch_url`` if it may be shown as a link: only http(s), never ``javascript:``."""
        url = (self.launch_url or "").strip()
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        return url if scheme in ("http", "https") and "//" in url else None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Digest:
    """One message to one recipient about one learner's assignments.

    ``recipient`` is the learner, except for ``"escalation"`` where it is the manager.
    """

    kind: Kind
    recipient: Person
    learner: Person
    learner_id: int
    items: tuple[AssignmentItem, ...]
    idempotency_key: str
    created_us: int

    def __post_init__(self) -> None:
        # A digest without items or with an unknown kind cannot be rendered; fail where
        # it is built rather than when the dispatcher sends it hours later.
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if not self.items:
            raise ValueError("a digest needs at least one item")
        if not self.idempotency_key:
            raise ValueError("a digest needs an idempotency key")


def _fields(record: Any) -> dict[str, Any]:
    # Shallow, field by field: ``dataclasses.asdict`` deep-copies recursively and was a
    # quarter of a 100,000-learner refresher scan.
    return {name: getattr(record, name) for name in _field_names(type(record).__name__)}


@functools.cache
def _field_names(kind: str) -> tuple[str, ...]:
    record = {"Digest": Digest, "Person": Person, "AssignmentItem": AssignmentItem}[kind]
    return tuple(f.name for f in dataclasses.fields(record))


def to_dict(digest: Digest) -> dict[str, Any]:
    """The JSON-safe form of ``digest`` (plain dicts, lists, str, int, None)."""
    data = _fields(digest)
    data["recipient"] = _fields(digest.recipient)
    data["learner"] = _fields(digest.learner)
    data["items"] = [
        {
            **_fields(item),
            "competency_name": dict(item.competency_name),
            "activity_name": dict(item.activity_name),
        }
        for item in digest.items
    ]
    data["version"] = FORMAT_VERSION
    return data


def digest_from_dict(data: Mapping[str, Any]) -> Digest:
    """Rebuild a :class:`Digest` from :func:`to_dict` output (e.g. parsed outbox JSON).

    Raises ``ValueError`` naming the first field that is missing or of the wrong type,
    so a corrupt outbox row is reported rather than half-rendered.
    """
    reader = _Reader(data, "$")
    version = reader.optional_integer("version")
    if version not in (None, FORMAT_VERSION):
        raise ValueError(f"$.version: unsupported digest format {version}")
    kind = reader.text("kind")
    if kind not in KINDS:
        raise ValueError(f"$.kind: must be one of {', '.join(KINDS)}, not {kind!r}")
    raw_items = reader.value("items", list)
    items = tuple(
        _item_from_dict(_Reader(_as_mapping(raw, f"$.items[{i}]"), f"$.items[{i}]"))
        for i, raw in enumerate(raw_items)
    )
    return Digest(
        kind=kind,  # narrowed to Kind by the KINDS check above
        recipient=_person_from_dict(reader.child("recipient")),
        learner=_person_from_dict(reader.child("learner")),
        learner_id=reader.integer("learner_id"),
        items=items,
        idempotency_key=reader.text("idempotency_key"),
        created_us=reader.integer("created_us"),
    )


def _person_from_dict(reader: _Reader) -> Person:
    return Person(
        name=reader.optional_text("name"),
        email=reader.optional_text("email"),
        language=reader.optional_text("language"),
    )


def _item_from_dict(reader: _Reader) -> AssignmentItem:
    return AssignmentItem(
        assignment_id=reader.integer("assignment_id"),
        competency_id=reader.text("competency_id"),
        competency_name=reader.names("competency_name"),
        activity_id=reader.text("activity_id"),
        activity_name=reader.names("activity_name"),
        launch_url=reader.optional_text("launch_url"),
        method=reader.text("method"),
        duration=reader.optional_text("duration"),
        due_us=reader.integer("due_us"),
        last_evidence_us=reader.optional_integer("last_evidence_us"),
        stale_at_us=reader.optional_integer("stale_at_us"),
        status=reader.text("status"),
    )


def _as_mapping(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{path}: must be an object")
    return value


class _Reader:
    """Typed access to one JSON object, with the JSON path in every error."""

    def __init__(self, data: Mapping[str, Any], path: str) -> None:
        self.data = _as_mapping(data, path)
        self.path = path

    def value(self, key: str, kind: type[Any]) -> Any:
        if key not in self.data:
            raise ValueError(f"{self.path}.{key}: missing")
        value = self.data[key]
        # bool is an int to Python but never a valid id or timestamp here.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"{self.path}.{key}: must be {kind.__name__}")
        return value

    def optional(self, key: str, kind: type[Any]) -> Any:
        if self.data.get(key) is None:
            return None
        return self.value(key, kind)

    def text(self, key: str) -> str:
        value: str = self.value(key, str)
        return value

    def integer(self, key: str) -> int:
        value: int = self.value(key, int)
        return value

    def optional_text(self, key: str) -> str | None:
        value: str | None = self.optional(key, str)
        return value

    def optional_integer(self, key: str) -> int | None:
        value: int | None = self.optional(key, int)
        return value

    def child(self, key: str) -> _Reader:
        return _Reader(self.value(key, Mapping), f"{self.path}.{key}")

    def names(self, key: str) -> dict[str, str]:
        names = self.value(key, Mapping)
        for tag, text in names.items():
            if not isinstance(tag, str) or not isinstance(text, str):
                raise ValueError(f"{self.path}.{key}: must map language tags to strings")
        return dict(names)
