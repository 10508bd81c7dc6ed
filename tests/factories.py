"""Statement factories for tests: realistic customer-service training statements."""

from __future__ import annotations

import uuid
from typing import Any

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
