"""The OpenAPI 3.1 document of ``/api/v1``, with request bodies taken from the marshmallow
schemas, so the published contract cannot drift from what is validated."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, fields

from lrs_bridge.api.schemas import (
    CancelSchema,
    ConfigChangeSchema,
    DeadLetterRetrySchema,
    LearnerSchema,
    LearnerUpdateSchema,
    SnoozeSchema,
)
from lrs_bridge.params import MAX_ID
from lrs_bridge.upstream.schema import NAME_PATTERN, UpstreamChangeSchema, UpstreamSchema

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


#: Ids in paths: ``<int:…>`` row ids (see ``api/app.py``); larger ones are simply not found.
_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "id": _ID,
    "team": {"type": "string", "minLength": 1},
    "name": {"type": "string", "pattern": NAME_PATTERN},
    "collection": {
        "type": "string",
        "enum": ["rules", "policies", "methods", "framework-competencies", "refreshers"],
    },
}
_LIMIT = {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}
_OFFSET = {"type": "integer", "minimum": 0, "maximum": MAX_ID, "default": 0}
_DRY_RUN = {"type": "string", "enum": ["true", "false"], "default": "false"}
_ANY_JSON: dict[str, Any] = {"application/json": {"schema": {}}}


def _query(**schemas: dict[str, Any]) -> list[dict[str, Any]]:
    """Optional query parameters by name."""
    return [{"name": name, "in": "query", "schema": schema} for name, schema in schemas.items()]


def _team_rollup(read: str) -> dict[str, Any]:
    """The roll-up: broad readers, or the credential of a manager of team members."""
    operation = _op("A team's roll-up per framework competency, never-trained members too", read)
    operation["description"] = (
        f"Needs the `{read}` scope, or the credential of a learner who manages members of "
        "the team (recursively); that credential sees its reports and itself. Each "
        "competency gives `learners` (members counted), `trained` (members with a stored "
        "state), `mean_level` (never trained counts as 0), `status` counts (`none`: never "
        "trained or no positive evidence) and `stale_learners`; `members` is the row count."
    )
    operation["responses"]["403"] = {"description": "Not a broad reader nor a manager of the team"}
    return operation


def _op(
    summary: str,
    scope: str,
    body: str | None = None,
    *,
    query: list[dict[str, Any]] | None = None,
    content: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One operation; ``body`` names a component schema, ``content`` gives other bodies."""
    operation: dict[str, Any] = {
        "summary": summary,
        "description": f"Needs the `{scope}` scope.",
        "security": [{"basic": []}],
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {}}},
            "400": {"$ref": "#/components/responses/BadRequest"},
            "401": {"description": "missing or invalid credentials"},
            "403": {"description": "the credential lacks the scope"},
            "404": {"description": "no such resource"},
            "409": {"description": "conflicts with stored data"},
            "413": {"description": "the body is over a documented limit, which the body names"},
            "429": {"description": "too many failed attempts; wait `Retry-After` seconds"},
        },
    }
    if query:
        operation["parameters"] = query
    if body:
        content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}}
    if content:
        operation["requestBody"] = {"required": True, "content": content}
    return operation


_REASON = {
    "type": "object",
    "properties": {
        "condition": {"type": "string", "description": "the rule's condition, e.g. verbs"},
        "code": {"type": "string", "description": "e.g. verb_differs, score_below"},
        "reason": {"type": "string", "description": "e.g. 'score below 0.8'"},
        "expected": {},
        "actual": {},
    },
}
_EXPLANATION = {
    "type": "object",
    "properties": {
        "statement_id": {
            "type": ["string", "null"],
            "description": "the stored statement explained (?statement_id=), else null",
        },
        "ignored": {"type": ["object", "null"], "description": "the ignored verb and setting"},
        "rules_fired": {"type": "array", "items": {"type": "string"}},
        "near_misses": {
            "type": "array",
            "description": "rules that did not fire although some of their conditions held "
            "(fewest failed conditions first, at most 5), each with its reasons",
            "items": {
                "type": "object",
                "properties": {
                    "rule": {"type": "string"},
                    "reasons": {"type": "array", "items": _REASON},
                },
            },
        },
        "learners": {"type": "array", "items": {"type": "string"}},
        "duplicate_of": {
            "type": ["string", "null"],
            "description": "a stored statement that repeats another (same actor, verb, "
            "object and result within the duplicate window): the id of the one it repeats; "
            "its evidence counts once",
        },
        "evidence": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "duplicate_of": {
                        "type": ["string", "null"],
                        "description": "for this competency, the statement it repeats",
                    }
                },
            },
        },
    },
}


def _explain_operation() -> dict[str, Any]:
    """``POST /explain``: a statement body, or ``?statement_id=`` of a stored one."""
    operation = _op(
        "Rules, near misses and evidence for one statement (the body, or ?statement_id=)",
        "admin",
        query=_query(statement_id={"type": "string", "format": "uuid"}),
        content=_ANY_JSON,
    )
    operation["requestBody"]["required"] = False
    operation["responses"]["200"]["content"] = {"application/json": {"schema": _EXPLANATION}}
    return operation


def _with_path_parameters(paths: dict[str, dict[str, Any]]) -> None:
    """Declare every ``{name}`` of a path template on each of its operations."""
    for template, operations in paths.items():
        names = re.findall(r"{(\w+)}", template)
        declared = [
            {"name": name, "in": "path", "required": True, "schema": _PATH_PARAMETERS[name]}
            for name in names
        ]
        for operation in operations.values():
            operation["parameters"] = declared + operation.get("parameters", [])


def openapi_document() -> dict[str, Any]:
    """The whole document."""
    # Here, not at the top: that module builds its operations with this one's helpers.
    from lrs_bridge.api.openapi_upstreams import upstream_paths

    read = "admin, all/read or all"
    document: dict[str, Any] = {
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
                "Upstream": schema_to_json(UpstreamSchema()),
                "UpstreamChange": schema_to_json(UpstreamChangeSchema()),
                "DeadLetterRetry": schema_to_json(DeadLetterRetrySchema()),
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
                    query=_query(
                        agent={"type": "string", "description": "an xAPI Agent as JSON"},
                        team={"type": "string"},
                        limit=_LIMIT,
                        offset=_OFFSET,
                    ),
                ),
                "post": _op("Add a learner to the directory", "admin", "Learner"),
            },
            "/learners/{id}": {
                "get": _op("One learner with every identifier", read),
                "patch": _op("Change profile fields", "admin", "LearnerUpdate"),
                "delete": _op(
                    "Erase the person: statements where they are actor or object, documents, "
                    "evidence, assignments; where they only appear (instructor, team, "
                    "sub-statement, authority) a stand-in agent replaces them; leaves an audit "
                    "record without personal data. ?dry_run=true only returns the counts",
                    "admin",
                    query=[
                        {
                            "name": "dry_run",
                            "in": "query",
                            "required": False,
                            "description": "true: count what would be erased, change nothing",
                            "schema": {"type": "boolean", "default": False},
                        }
                    ],
                ),
            },
            "/learners/import": {
                "post": _op(
                    "Import a directory CSV (text/csv)",
                    "admin",
                    content={"text/csv": {"schema": {"type": "string"}}},
                )
            },
            "/learners/{id}/competencies": {
                "get": _op("Level, status, stale_at and evidence trail per competency", read)
            },
            "/teams/{team}/competencies": {"get": _team_rollup(read)},
            "/config": {
                "get": _op("The active framework and map documents", "admin"),
                "put": _op(
                    "Save a new framework/map version; ?dry_run=true reports the effect",
                    "admin",
                    "ConfigChange",
                    query=_query(dry_run=_DRY_RUN),
                ),
            },
            "/config/{collection}": {
                "get": _op("rules, policies, methods or framework-competencies", "admin")
            },
            "/config/{collection}/{id}": {
                "get": _op("One item of a collection", "admin"),
                "put": _op(
                    "Create or replace it (new version; ?dry_run=true)",
                    "admin",
                    query=_query(dry_run=_DRY_RUN),
                    content=_ANY_JSON,
                ),
                "delete": _op(
                    "Delete it (new version; ?dry_run=true)",
                    "admin",
                    query=_query(dry_run=_DRY_RUN),
                ),
            },
            "/config/framework.case.json": {"get": _op("The framework as 1EdTech CASE", read)},
            "/explain": {"post": _explain_operation()},
            "/learners/{id}/assignments": {
                "get": _op(
                    "A learner's refresher assignments (status=open|all|<status,…>)",
                    f"{read}, the learner's own credential or their manager's",
                    query=_query(status={"type": "string"}),
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
                    "All assignments, filtered and paged",
                    read,
                    query=_query(
                        status={"type": "string"},
                        learner=_ID,
                        competency={"type": "string"},
                        team={"type": "string"},
                        overdue={"type": "string", "enum": ["true", "false"]},
                        limit=_LIMIT,
                        offset=_OFFSET,
                    ),
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
                "get": _op(
                    "The outbox with counts per status (status=waiting|pending|sent|dead|routed)",
                    "admin",
                    query=_query(
                        status={
                            "type": "string",
                            "enum": ["waiting", "pending", "sent", "dead", "routed"],
                        },
                        limit=_LIMIT,
                        offset=_OFFSET,
                    ),
                )
            },
            "/notifications/{id}": {"get": _op("One notification with its delivery log", "admin")},
            "/notifications/{id}/retry": {
                "post": _op("Re-queue a dead-lettered notification", "admin")
            },
            **upstream_paths(),
        },
    }
    _with_path_parameters(document["paths"])
    return document
