"""Statement factories for tests: realistic customer-service training statements."""

from __future__ import annotations

import uuid
from typing import Any

import jsonschema

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
LISTENING = "https://example.com/cs-training/active-listening"
WEBINAR = "https://example.com/cs-training/webinars/complaints-2026-11"


def agent(name: str = "kari") -> dict[str, Any]:
    return {"objectType": "Agent", "name": name.title(), "mbox": f"mailto:{name}@example.com"}


def statement(
    *,
    actor: str = "kari",
    verb: str = COMPLETED,
    activity: str = LISTENING,
    registration: str | None = None,
    parent: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A valid statement with a fresh id; keyword arguments add or replace properties."""
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": agent(actor),
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": {
            "objectType": "Activity",
            "id": activity,
            "definition": {"name": {"en-US": "Active listening", "nb": "Aktiv lytting"}},
        },
        "result": {"score": {"scaled": 0.86}, "success": True, "completion": True},
        "timestamp": "2026-11-20T09:30:00.000Z",
    }
    context: dict[str, Any] = {}
    if registration:
        context["registration"] = registration
    if parent:
        context["contextActivities"] = {"parent": [{"id": parent}]}
    if context:
        body["context"] = context
    body.update(extra)
    return body


def voiding(target_id: str, actor: str = "admin") -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": agent(actor),
        "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": target_id},
    }


def validate_schema(schema: dict[str, Any], document: Any) -> None:
    """Validate against a JSON Schema 2020-12 document (raises ``jsonschema.ValidationError``)."""
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(document)


def aligned(
    who: dict[str, Any],
    competency: str,
    *,
    verb: str = COMPLETED,
    when: str = "2026-01-15T10:00:00Z",
    result: dict[str, Any] | None = None,
    activity_type: str = "http://adlnet.gov/expapi/activities/module",
) -> dict[str, Any]:
    """A statement aligned directly to a competency (its IRI as a context activity)."""
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": who,
        "verb": {"id": verb},
        "object": {
            "id": f"https://lms.example.com/modules/{uuid.uuid4().hex[:6]}",
            "definition": {"type": activity_type},
        },
        "context": {"contextActivities": {"other": [{"id": competency}]}},
        "timestamp": when,
    }
    if result is not None:
        body["result"] = result
    return body
