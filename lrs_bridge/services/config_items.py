"""One item of the competency configuration, edited: a rule, a policy, a method, a framework
competency or a refresher catalogue entry.

The API (``/api/v1/config/<collection>/<id>``) and the console's map editor both call these
functions, so an edit means the same thing and fails with the same message in both: the
marshmallow schemas of ``competency/`` validate the whole candidate, and
:func:`validate_candidate` adds the id of the rule (competency, refresher) the failing field
belongs to.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from typing import Any

from lrs_bridge.errors import BadRequest, NotFound
from lrs_bridge.services.competencies import CompetencyEngine, engine_from_documents


@dataclasses.dataclass(frozen=True)
class Collection:
    """Where a collection lives: in which document, under which keys, and its shape
    (``list`` of objects with ``id``, or ``dict`` by id)."""

    name: str
    document: str
    path: tuple[str, ...]
    shape: str


COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for c in (
        Collection("rules", "map", ("rules",), "list"),
        Collection("policies", "map", ("policies",), "dict"),
        Collection("methods", "map", ("methods",), "dict"),
        Collection("framework-competencies", "framework", ("competencies",), "list"),
        Collection("refreshers", "map", ("refreshers", "catalogue"), "list"),
    )
}


def collection(name: str) -> Collection:
    """The collection called ``name``; NotFound lists the known ones."""
    found = COLLECTIONS.get(name)
    if found is None:
        raise NotFound(f"no configuration collection {name!r}; known: {', '.join(COLLECTIONS)}")
    return found


def items(documents: dict[str, Any], where: Collection) -> Any:
    """The collection's items in ``documents`` (``{"framework": …, "map": …}``)."""
    node: Any = documents[where.document]
    for key in where.path:
        node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return [] if where.shape == "list" else {}
    return node


def item(documents: dict[str, Any], where: Collection, item_id: str) -> Any | None:
    """One item by id, or None."""
    found = items(documents, where)
    if where.shape == "dict":
        return found.get(item_id) if isinstance(found, dict) else None
    return next((i for i in found if isinstance(i, dict) and i.get("id") == item_id), None)


def edited(
    documents: dict[str, Any], where: Collection, item_id: str, body: Any | None
) -> dict[str, Any]:
    """Copies of both documents with the item replaced (or added) by ``body``, or deleted
    when ``body`` is None; NotFound when deleting what is not there."""
    changed = copy.deepcopy(documents)
    parent: Any = changed[where.document]
    for key in where.path[:-1]:
        parent = parent.setdefault(key, {})
    last = where.path[-1]
    target = parent.setdefault(last, [] if where.shape == "list" else {})
    if where.shape == "dict":
        if body is None:
            if item_id not in target:
                raise NotFound(f"no {where.name} item {item_id!r}")
            del target[item_id]
        else:
            target[item_id] = body
        return changed
    index = next(
        (i for i, x in enumerate(target) if isinstance(x, dict) and x.get("id") == item_id), None
    )
    if body is None:
        if index is None:
            raise NotFound(f"no {where.name} item {item_id!r}")
        del target[index]
        return changed
    if not isinstance(body, dict):
        raise BadRequest("the item must be a JSON object", field="$")
    body = {**body, "id": item_id}
    if index is None:
        target.append(body)
    else:
        target[index] = body
    return changed


_INDEXED: dict[str, list[tuple[re.Pattern[str], tuple[str, ...], str]]] = {
    "map": [
        (re.compile(r"^rules\[(\d+)\]"), ("rules",), "rule"),
        (re.compile(r"^refreshers\.catalogue\[(\d+)\]"), ("refreshers", "catalogue"), "refresher"),
    ],
    "framework": [(re.compile(r"^competencies\[(\d+)\]"), ("competencies",), "competency")],
}


def _owner(documents: dict[str, Any], document: str, field: str) -> tuple[str, str] | None:
    """Which rule (competency, refresher) a field path such as ``rules[4].match`` is in."""
    for pattern, path, kind in _INDEXED[document]:
        found = pattern.match(field)
        if found is None:
            continue
        node: Any = documents.get(document)
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        index = int(found.group(1))
        if isinstance(node, list) and index < len(node) and isinstance(node[index], dict):
            owner = node[index].get("id")
            if isinstance(owner, str):
                return kind, owner
    return None


def validate_candidate(framework_doc: Any, map_doc: Any) -> CompetencyEngine:
    """Validate and cross-check both documents; a :class:`BadRequest` names the field and,
    when the field is inside one, the rule (``rule``), competency or refresher by id."""
    documents = {"framework": framework_doc, "map": map_doc}
    try:
        return engine_from_documents(framework_doc, map_doc)
    except BadRequest as error:
        field = error.details.get("field")
        if not isinstance(field, str) or {"rule", "competency", "refresher"} & set(error.details):
            raise
        document = "framework" if error.message.startswith("framework") else "map"
        owner = _owner(documents, document, field)
        if owner is None:
            raise
        kind, owner_id = owner
        raise BadRequest(
            f"{kind} {owner_id!r}: {error.message}",
            **{**error.details, kind: owner_id},
        ) from None
