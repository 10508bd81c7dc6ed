"""What an upstream may be configured with, validated once for the admin API, the CLI and
the configuration file (each error names the field).

Pure: marshmallow only. Whether the named credentials exist is the registry's check.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from marshmallow import (
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from lrs_bridge.schema_base import Body
from lrs_bridge.upstream.model import DIRECTIONS, VERSIONS

#: A short slug: it appears in URLs, metric labels and command lines.
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
_IRI = r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$"


def normalise_endpoint(value: str) -> str:
    """An http(s) xAPI endpoint, ending in ``/`` (``statements`` is appended to it)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("must be an http:// or https:// URL with a host")
    if parts.query or parts.fragment:
        raise ValidationError("must have no query or fragment")
    return value if value.endswith("/") else value + "/"


def _iri_list(description: str) -> fields.List[Any]:
    return fields.List(
        fields.String(validate=[validate.Length(max=2000), validate.Regexp(_IRI)]),
        validate=validate.Length(max=200),
        metadata={"description": description},
    )


def _text_list(description: str) -> fields.List[Any]:
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=500)),
        validate=validate.Length(max=200),
        metadata={"description": description},
    )


class UpstreamChangeSchema(Body):
    """``PATCH /api/v1/upstreams/<name>``: the fields to change; the rest stay."""

    endpoint = fields.String(
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "xAPI endpoint (http or https); a trailing / is added"},
    )
    key = fields.String(validate=validate.Length(min=1, max=500))
    secret = fields.String(
        load_only=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "never returned; encrypted at rest"},
    )
    version = fields.String(validate=validate.OneOf(VERSIONS))
    direction = fields.String(validate=validate.OneOf(DIRECTIONS))
    verbs = _iri_list("verb IRIs forwarded (empty: every verb)")
    activity_prefixes = _iri_list("activity IRI prefixes forwarded (empty: every activity)")
    platforms = _text_list("context.platform values forwarded (empty: every platform)")
    credentials = _text_list("keys of the credentials whose statements are forwarded")
    enabled = fields.Boolean()

    @validates("endpoint")
    def _endpoint(self, value: str, **_: Any) -> None:
        normalise_endpoint(value)

    @post_load
    def _normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "endpoint" in data:
            data["endpoint"] = normalise_endpoint(data["endpoint"])
        for name in ("verbs", "activity_prefixes", "platforms", "credentials"):
            if name in data:
                data[name] = tuple(dict.fromkeys(data[name]))
        return data


class UpstreamSchema(UpstreamChangeSchema):
    """``POST /api/v1/upstreams`` and ``lrs-bridge upstream add``: a new upstream."""

    name = fields.String(
        required=True,
        validate=validate.Regexp(NAME_PATTERN, error="must be a short slug: a-z, 0-9, - and _"),
        metadata={"description": "a short slug (a-z, 0-9, -, _), unique"},
    )
    endpoint = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "xAPI endpoint (http or https); a trailing / is added"},
    )
    key = fields.String(required=True, validate=validate.Length(min=1, max=500))
    secret = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "never returned; encrypted at rest"},
    )
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    version = fields.String(load_default="1.0.3", validate=validate.OneOf(VERSIONS))


class UpstreamFileSchema(UpstreamSchema):
    """One ``[[upstreams]]`` table of ``lrs-bridge.toml``: like the API's body, except that the
    secret may instead come from an environment variable (``secret_env``)."""

    secret = fields.String(load_only=True, validate=validate.Length(min=1, max=2000))
    secret_env = fields.String(validate=validate.Regexp(r"^[A-Za-z_][A-Za-z0-9_]*$"))
    enabled = fields.Boolean(load_default=True)

    @validates_schema
    def _one_secret(self, data: dict[str, Any], **_: Any) -> None:
        if ("secret" in data) == ("secret_env" in data):
            raise ValidationError("give exactly one of secret and secret_env", "secret")
