"""Marshmallow schemas of the admin API's request bodies (errors name the field)."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema


class ConfigChangeSchema(Schema):
    """``PUT /api/v1/config``: a new framework and/or map; what is left out stays."""

    class Meta:
        unknown = RAISE

    framework = fields.Dict(load_default=None)
    framework_case = fields.Dict(load_default=None)
    map = fields.Dict(load_default=None)
    note = fields.String(load_default=None, validate=validate.Length(max=2000))


class LearnerUpdateSchema(Schema):
    """``PATCH /api/v1/learners/<id>``: profile fields to change (identifiers: import)."""

    class Meta:
        unknown = RAISE

    name = fields.String(validate=validate.Length(min=1, max=300))
    email = fields.Email(allow_none=True)
    team = fields.String(allow_none=True, validate=validate.Length(max=200))
    manager_id = fields.Integer(allow_none=True)
    language = fields.String(allow_none=True, validate=validate.Regexp(r"^[A-Za-z]{2,3}(-\w+)*$"))


class LearnerSchema(Schema):
    """``POST /api/v1/learners``: one person of the directory and their identifiers."""

    class Meta:
        unknown = RAISE

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


class SnoozeSchema(Schema):
    """``POST /api/v1/assignments/<id>/snooze``: a new due date, or how much later."""

    class Meta:
        unknown = RAISE

    until = fields.String(metadata={"description": "ISO 8601 timestamp"})
    by = fields.String(
        validate=validate.Regexp(r"^P", error="Must be an ISO 8601 duration such as P7D."),
        metadata={"description": "ISO 8601 duration"},
    )

    @validates_schema
    def _one(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("until" in data) == ("by" in data):
            raise ValidationError("Give exactly one of until or by.", "until")


class CancelSchema(Schema):
    """``POST /api/v1/assignments/<id>/cancel``: an optional note for the trail."""

    class Meta:
        unknown = RAISE

    note = fields.String(load_default=None, validate=validate.Length(max=2000))
