"""The few changes the LRS makes to a statement before storing it.

Data §2.4.6.2: "the LRS MUST return every value in the contextActivities Object as an
array, even if it arrived as a single Activity Object". Everything else is stored as sent.
"""

from __future__ import annotations

from typing import Any


def _context_activities_as_lists(statement: dict[str, Any]) -> None:
    context = statement.get("context")
    if isinstance(context, dict):
        activities = context.get("contextActivities")
        if isinstance(activities, dict):
            for kind, value in activities.items():
                if isinstance(value, dict):
                    activities[kind] = [value]


def normalise_statement(statement: dict[str, Any]) -> dict[str, Any]:
    """Apply the storage normalisations in place (also inside a SubStatement); returns it."""
    _context_activities_as_lists(statement)
    obj = statement.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        _context_activities_as_lists(obj)
    return statement
