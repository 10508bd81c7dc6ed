"""Marshmallow schemas of the admin API's request bodies (errors name the field)."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from lrs_bridge.params import MAX_ID
from lrs_bridge.schema_base import Body

#: The shared base (``schema_base.py``), by its old name here.
_Body = Body


class ConfigChangeSchema(_Body):
    """``PUT /api/v1/config``: a new framework and/or map; what is left out stays."""

    framework = fields.Dict(load_default=None)
    framework_case = fields.Dict(load_default=None)
    map = fields.Dict(load_default=None)
    note = fields.String(load_default=None, validate=validate.Length(max=2000))


class LearnerUpdateSchema(_Body):
    """``PATCH /api/v1/learners/<id>``: profile fields to change (identifiers: import)."""

    name = fields.String(validate=validate.Length(min=1, max=300))
    email = fields.Email(allow_none=True)
    team = fields.String(allow_none=True, validate=validate.Length(max=200))
    manager_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=MAX_ID))
    language = fields.String(allow_none=True, validate=validate.Regexp(r"^[A-Za-z]{2,3}(-\w+)*$"))


class LearnerSchema(_Body):
    """``POST /api/v1/learners``: one person of the directory and their identifiers."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    email = fields.Email(load_default=None)
    accounts = fields.List(
        fields.String(validate=validate.Regexp(r"^[A-Za-z][\w+.-]*:[^|]+\|.+$")),
        load_default=list,
        metadata={"description": "homePage|name"},
    )
    team = fields.String(load_default=None, validate=validate.Length(max=200))
    manager_email = fields.Email(load_default=None)
    language = fields.String(load_default=None, validate=validate.Regexp(r"^[A-Za-z]{2,3}(-\w+)*$"))


class SnoozeSchema(_Body):
    """``POST /api/v1/assignments/<id>/snooze``: a new due date, or how much later."""

    until = fields.String(metadata={"description": "ISO 8601 timestamp"})
    by = fields.String(
        validate=validate.Regexp(r"^P", error="Must be an ISO 8601 duration such as P7D."),
        metadata={"description": "ISO 8601 duration"},
    )

    @validates_schema
    def _one(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("until" in data) == ("by" in data):
            raise ValidationError("Give exactly one of until or by.", "until")


class CancelSchema(_Body):
    """``POST /api/v1/assignments/<id>/cancel``: an optional note for the trail."""

    note = fields.String(load_default=None, validate=validate.Length(max=2000))


class DeadLetterRetrySchema(_Body):
    """``POST /api/v1/upstreams/<name>/dead-letters/retry``: these statements' dead letters,
    or every dead letter of the upstream when ``statement_ids`` is left out."""

    statement_ids = fields.List(
        fields.UUID(),
        load_default=None,
        validate=validate.Length(min=1, max=1000),
        metadata={"description": "statement ids (left out: every dead letter)"},
    )
