"""The canonical Activity definition an LRS keeps from the statements it receives (Data
§2.4.4.1, Communication §2.5): pure."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")
_MERGED_MAPS = ("name", "description", "extensions")


def _activities_in(statement: dict[str, Any]) -> Iterator[dict[str, Any]]:
    obj = statement.get("object")
    if isinstance(obj, dict):
        object_type = obj.get("objectType", "Activity")
        if object_type == "Activity":
            yield obj
        elif object_type == "SubStatement":
            yield from _activities_in(obj)
    context = statement.get("context")
    activities = context.get("contextActivities") if isinstance(context, dict) else None
    if isinstance(activities, dict):
        for kind in _CONTEXT_ACTIVITY_KINDS:
            value = activities.get(kind)
            for item in value if isinstance(value, list) else (value,):
                if isinstance(item, dict):
                    yield item


def merge_definitions(
    canonical: dict[str, Any], statement: dict[str, Any], activity_id: str
) -> None:
    """Fold the statement's definitions of ``activity_id`` into ``canonical`` (newest last).

    Language maps and extensions merge key by key, so two statements describing the
    activity in two languages give both (the ADL suite, XAPI-00254); any other property
    takes the newer value (Data §2.4.4.1: the LRS updates its canonical definition).
    """
    for activity in _activities_in(statement):
        definition = activity.get("definition")
        if activity.get("id") != activity_id or not isinstance(definition, dict):
            continue
        for name, value in definition.items():
            known = canonical.get(name)
            if name in _MERGED_MAPS and isinstance(value, dict) and isinstance(known, dict):
                canonical[name] = known | value
            else:
                canonical[name] = value
