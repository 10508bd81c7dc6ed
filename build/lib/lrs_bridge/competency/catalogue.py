"""The refresher catalogue: which activities refresh which competency, and the rules of the
refresher workflow (grace, caps, reminders, escalation, snoozing).

It is the ``refreshers`` section of the competency map (``config/competency-map.yaml``), so an
admin edits it with the rest of the map and it is versioned with it. Pure code, no I/O.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from lrs_bridge.errors import BadRequest

ADL_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ADL_PASSED = "http://adlnet.gov/expapi/verbs/passed"
ADL_ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
_DURATION = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
_URL = re.compile(r"^https?://[^\s]+$")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


@dataclasses.dataclass(frozen=True, kw_only=True)
class RefresherActivity:
    """One activity a learner can be assigned to refresh one or more competencies."""

    id: str
    competencies: tuple[str, ...]
    name: Mapping[str, str]
    method: str
    duration: str | None = None
    launch_url: str | None = None
    description: Mapping[str, str] = dataclasses.field(default_factory=dict)
    type: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class RefresherSettings:
    """How the scan assigns refreshers and how open assignments move on (see the map)."""

    grace: str = "P14D"
    max_per_learner: int = 3
    period: str = "P7D"
    remind_after: str = "P0D"
    escalate_after: str = "P7D"
    snooze_max: str = "P14D"
    completion_verbs: frozenset[str] = frozenset({ADL_COMPLETED, ADL_PASSED, ADL_ATTENDED})
    catalogue: tuple[RefresherActivity, ...] = ()

    def for_competency(self, competency_id: str) -> list[RefresherActivity]:
        """The catalogue entries that refresh ``competency_id``, in catalogue order."""
        cached: dict[str, list[RefresherActivity]] | None = self.__dict__.get("_by_competency")
        if cached is None:
            cached = {}
            for activity in self.catalogue:
                for competency in activity.competencies:
                    cached.setdefault(competency, []).append(activity)
            object.__setattr__(self, "_by_competency", cached)
        return cached.get(competency_id, [])

    def activity(self, activity_id: str) -> RefresherActivity | None:
        """The catalogue entry with this id, if any."""
        return self._by_id.get(activity_id)

    @property
    def _by_id(self) -> dict[str, RefresherActivity]:
        cached = self.__dict__.get("_by_id_cache")
        if cached is None:
            cached = {a.id: a for a in self.catalogue}
            object.__setattr__(self, "_by_id_cache", cached)
        return cached


def _duration(value: str) -> None:
    if not _DURATION.match(value):
        raise ValidationError(f"{value!r} is not an ISO 8601 duration (e.g. P14D, PT45M).")


def _iri(value: str) -> None:
    if not _IRI.match(value):
        raise ValidationError(f"{value!r} is not an absolute IRI.")


def _iris(value: list[str]) -> None:
    for item in value:
        _iri(item)


def _language_map(value: Any) -> None:
    if not isinstance(value, dict) or not value:
        raise ValidationError("Must be a non-empty language map, e.g. {en: ..., nb: ...}.")
    for tag, text in value.items():
        if not isinstance(tag, str) or not _LANGUAGE_TAG.match(tag):
            raise ValidationError(f"{tag!r} is not a language tag.")
        if not isinstance(text, str) or not text.strip():
            raise ValidationError(f"{tag!r} must be a non-empty string.")


def _optional_language_map(value: Any) -> None:
    if value != {}:
        _language_map(value)


class _ActivitySchema(Schema):
    id = fields.String(required=True, validate=_iri)
    competencies = fields.List(
        fields.String(validate=_iri), required=True, validate=validate.Length(min=1)
    )
    name = fields.Dict(required=True, validate=_language_map)
    description = fields.Dict(load_default=dict, validate=_optional_language_map)
    launch_url = fields.String(
        validate=validate.Regexp(_URL, error="Must be an absolute http(s) URL.")
    )
    method = fields.String(required=True, validate=validate.Length(min=1))
    duration = fields.String(validate=_duration)
    type = fields.String(validate=_iri)


class RefreshersSchema(Schema):
    """The ``refreshers`` section; mirrors ``schemas/competency-map.schema.json``."""

    grace = fields.String(load_default="P14D", validate=_duration)
    max_per_learner = fields.Integer(
        load_default=3, strict=True, validate=validate.Range(min=1, max=1000)
    )
    period = fields.String(load_default="P7D", validate=_duration)
    remind_after = fields.String(load_default="P0D", validate=_duration)
    escalate_after = fields.String(load_default="P7D", validate=_duration)
    snooze_max = fields.String(load_default="P14D", validate=_duration)
    completion_verbs = fields.List(
        fields.String(validate=_iri),
        load_default=lambda: [ADL_COMPLETED, ADL_PASSED, ADL_ATTENDED],
        validate=validate.Length(min=1),
    )
    catalogue = fields.List(fields.Nested(_ActivitySchema), load_default=list)

    @validates_schema
    def _unique_ids(self, data: dict[str, Any], **kwargs: Any) -> None:
        seen: set[str] = set()
        for i, activity in enumerate(data.get("catalogue", ())):
            if activity["id"] in seen:
                raise ValidationError(
                    {"catalogue": {i: {"id": [f"{activity['id']!r} is listed twice."]}}}
                )
            seen.add(activity["id"])


def settings_from_loaded(
    loaded: Mapping[str, Any], methods: Mapping[str, float]
) -> RefresherSettings:
    """Build settings from the schema's output; a method must be one the map defines."""
    catalogue = []
    for i, entry in enumerate(loaded["catalogue"]):
        if entry["method"] not in methods:
            field = f"refreshers.catalogue[{i}].method"
            raise BadRequest(
                f"{field}: unknown method {entry['method']!r} "
                f"(known: {', '.join(sorted(methods))})",
                field=field,
            )
        catalogue.append(
            RefresherActivity(
                id=entry["id"],
                competencies=tuple(entry["competencies"]),
                name=dict(entry["name"]),
                description=dict(entry["description"]),
                method=entry["method"],
                duration=entry.get("duration"),
                launch_url=entry.get("launch_url"),
                type=entry.get("type"),
            )
        )
    return RefresherSettings(
        grace=loaded["grace"],
        max_per_learner=loaded["max_per_learner"],
        period=loaded["period"],
        remind_after=loaded["remind_after"],
        escalate_after=loaded["escalate_after"],
        snooze_max=loaded["snooze_max"],
        completion_verbs=frozenset(loaded["completion_verbs"]),
        catalogue=tuple(catalogue),
    )
