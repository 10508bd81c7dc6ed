"""The OpenAPI 3.1 document of ``/api/v1``, with request bodies taken from the marshmallow
schemas, so the published contract cannot drift from what is validated."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from lrs_bridge.api.schemas import (
    CancelSchema,
    ConfigChangeSchema,
    LearnerSchema,
    LearnerUpdateSchema,
    SnoozeSchema,
)

_TYPES: tuple[tuple[type[fields.Field[Any]], dict[str, Any]], ...] = (
    (fields.Email, {"type": "string", "format": "email"}),
    (fields.String, {"type": "string"}),
    (fields.Integer, {"type": "integer"}),
    (fields.Float, {"type": "number"}),
    (fields.Boolean, {"type": "boolean"}),
    (fields.Dict, {"type": "object"}),
)


def _field_schema(field: fields.Field[Any]) -> dict[str, Any]:
    if isinstance(field, fields.List):
        return {"type": "array", "items": _field_schema(field.inner)}
    for kind, schema in _TYPES:
        if isinstance(field, kind):
            out = dict(schema)
            break
    else:
        out = {}
    if field.metadata.get("description"):
        out["description"] = field.metadata["description"]
    return out


def schema_to_json(schema: Schema) -> dict[str, Any]:
    """A JSON Schema object for a marshmallow schema (unknown properties refused)."""
    return {
        "type": "object",
        "properties": {name: _field_schema(f) for name, f in schema.fields.items()},
        "required": sorted(name for name, f in schema.fields.items() if f.required),
        "additionalProperties": False,
    }


def _op(summary: str, scope: str, body: str | None = None, **extra: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "description": f"Needs the `{scope}` scope.",
        "security": [{"basic": []}],
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {}}},
            "400": {"$ref": "#/components/responses/BadRequest"},
            "401": {"description": "missing or invalid credentials"},
            "403": {"description": "the credential lacks the scope"},
        },
        **extra,
    }
    if body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}},
        }
    return operation


def openapi_document() -> dict[str, Any]:
    """The whole document."""
    read = "admin, all/read or all"
    return {
        "openapi": "3.1.0",
        "info": {"title": "lrs-bridge competency API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"basic": {"type": "http", "scheme": "basic"}},
            "schemas": {
                "ConfigChange": schema_to_json(ConfigChangeSchema()),
                "Learner": schema_to_json(LearnerSchema()),
                "LearnerUpdate": schema_to_json(LearnerUpdateSchema()),
                "Snooze": schema_to_json(SnoozeSchema()),
                "Cancel": schema_to_json(CancelSchema()),
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {"type": "string"},
                        "message": {"type": "string"},
                        "field": {"type": "string"},
                        "path": {"type": "string"},
                    },
                },
            },
            "responses": {
                "BadRequest": {
                    "description": "invalid input; `field` or `path` names it",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
            },
        },
        "paths": {
            "/competencies": {"get": _op("The active framework's competencies", read)},
            "/learners": {
                "get": _op(
                    "Find a learner by ?agent=<xAPI Agent JSON>, or list (team, limit, offset)",
                    read,
                ),
                "post": _op("Add a learner to the directory", "admin", "Learner"),
            },
            "/learners/{id}": {
                "get": _op("One learner with every identifier", read),
                "patch": _op("Change profile fields", "admin", "LearnerUpdate"),
                "delete": _op(
                    "Erase the person: statements, documents, evidence, assignments; "
                    "leaves an audit record without personal data",
                    "admin",
                ),
            },
            "/learners/import": {"post": _op("Import a directory CSV (text/csv)", "admin")},
            "/learners/{id}/competencies": {
                "get": _op("Level, status, stale_at and evidence trail per competency", read)
            },
            "/teams/{team}/competencies": {"get": _op("A team's roll-up per competency", read)},
            "/config": {
                "get": _op("The active framework and map documents", "admin"),
                "put": _op(
                    "Save a new framework/map version; ?dry_run=true reports the effect",
                    "admin",
                    "ConfigChange",
                ),
            },
            "/config/{collection}": {
                "get": _op("rules, policies, methods or framework-competencies", "admin")
            },
            "/config/{collection}/{id}": {
                "get": _op("One item of a collection", "admin"),
                "put": _op("Create or replace it (new version; ?dry_run=true)", "admin"),
                "delete": _op("Delete it (new version; ?dry_run=true)", "admin"),
            },
            "/config/framework.case.json": {"get": _op("The framework as 1EdTech CASE", read)},
            "/explain": {"post": _op("Rules and evidence for one statement", "admin")},
            "/learners/{id}/assignments": {
                "get": _op(
                    "A learner's refresher assignments (status=open|all|<status,…>)",
                    f"{read}, the learner's own credential or their manager's",
                )
            },
            "/learners/{id}/reports/assignments": {
                "get": _op(
                    "A manager's overview: open and overdue assignments of direct reports",
                    f"{read} or the manager's own credential",
                )
            },
            "/teams/{team}/assignments": {
                "get": _op("A team's open and overdue assignments", read)
            },
            "/assignments": {
                "get": _op(
                    "All assignments (status, learner, competency, team, overdue, limit, offset)",
                    read,
                )
            },
            "/assignments/{id}": {
                "get": _op("One assignment with its event trail and notifications", read)
            },
            "/assignments/{id}/acknowledge": {
                "post": _op("The learner has seen it", "the learner's own credential or admin")
            },
            "/assignments/{id}/snooze": {
                "post": _op(
                    "Move the due date (within refreshers.snooze_max)",
                    "the learner's own credential or admin",
                    "Snooze",
                )
            },
            "/assignments/{id}/cancel": {
                "post": _op("Cancel an open assignment", "admin", "Cancel")
            },
            "/assignments/{id}/resend": {"post": _op("Queue its notification again", "admin")},
            "/erasures": {"get": _op("The erasure audit trail", "admin")},
            "/exports/statements.jsonl": {
                "get": _op("Every statement as JSON lines under stable pseudonyms", "admin")
            },
            "/notifications": {
                "get": _op("The outbox with counts per status (status=pending|sent|dead)", "admin")
            },
            "/notifications/{id}": {"get": _op("One notification with its delivery log", "admin")},
            "/notifications/{id}/retry": {
                "post": _op("Re-queue a dead-lettered notification", "admin")
            },
        },
    }
