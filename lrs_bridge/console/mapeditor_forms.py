"""The map editor's forms: an item as form fields and back, and which form field a
validation error of the whole candidate belongs to.

Forms only reshape text (a name per language, YAML for a rule's match and evidence, a
number where one parses); what is *valid* is decided by the marshmallow schemas of
``competency/``, through the same service as the API, so a form and the API refuse the
same things with the same words.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import yaml

from lrs_bridge.console.i18n import local_name
from lrs_bridge.notify.i18n import SUPPORTED


@dataclasses.dataclass(frozen=True)
class FormField:
    """One input: its name and kind (``text``, ``number``, ``yaml``, ``select``)."""

    name: str
    kind: str = "text"


_NAMES = tuple(FormField(f"name_{language}") for language in SUPPORTED)

FIELDS: dict[str, tuple[FormField, ...]] = {
    "rules": (
        FormField("description"),
        FormField("method", "select"),
        FormField("match", "yaml"),
        FormField("evidence", "yaml"),
    ),
    "policies": (
        FormField("kind", "select"),
        FormField("validity"),
        FormField("due_soon"),
        FormField("target_retention", "number"),
        FormField("lead_time"),
    ),
    "methods": (FormField("weight", "number"),),
    "framework-competencies": (
        *_NAMES,
        FormField("parent", "select"),
        FormField("policy", "select"),
    ),
    "refreshers": (FormField("body", "yaml"),),
}


def _yaml(value: Any) -> str:
    if value is None:
        return ""
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100)


def form_values(name: str, item: Any | None) -> dict[str, str]:
    """The form's text for an item (None: an empty form)."""
    if item is None:
        return {f.name: "" for f in FIELDS[name]}
    if name == "methods":
        return {"weight": str(item)}
    if name == "rules":
        return {
            "description": item.get("description", ""),
            "method": item.get("method", ""),
            "match": _yaml(item.get("match")),
            "evidence": _yaml(item.get("evidence")),
        }
    if name == "refreshers":
        return {"body": _yaml({k: v for k, v in item.items() if k != "id"})}
    if name == "framework-competencies":
        names = item.get("name") or {}
        values = {f"name_{language}": names.get(language, "") for language in SUPPORTED}
        return values | {"parent": item.get("parent") or "", "policy": item.get("policy", "")}
    return {f.name: "" if item.get(f.name) is None else str(item[f.name]) for f in FIELDS[name]}


def _number(text: str) -> float | str:
    """A number when the text is one; else the text itself, for the schema to refuse."""
    try:
        return float(text)
    except ValueError:
        return text


def body_from_form(
    name: str, form: dict[str, str], current: Any | None
) -> tuple[Any, dict[str, str]]:
    """The item a form describes, and the errors of fields that do not even parse.

    Parts of the item the form does not show (a competency's description) are kept from
    ``current``.
    """
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for field in FIELDS[name]:
        text = form.get(field.name, "").strip()
        if field.kind == "yaml":
            try:
                parsed[field.name] = yaml.safe_load(text) if text else None
            except yaml.YAMLError as error:
                mark = getattr(error, "problem_mark", None)
                line = mark.line + 1 if mark is not None else 1
                errors[field.name] = f"{field.name}: not valid YAML (line {line})"
        elif field.kind == "number":
            parsed[field.name] = _number(text) if text else None
        else:
            parsed[field.name] = text or None
    if errors:
        return None, errors
    if name == "methods":
        return parsed["weight"], errors
    if name == "rules":
        kept = {k: v for k, v in (current or {}).items() if k not in ("id", "method")}
        body = {**kept, "match": parsed["match"], "evidence": parsed["evidence"]}
        body.pop("description", None)
        for optional in ("description", "method"):
            if parsed[optional]:
                body[optional] = parsed[optional]
        return body, errors
    if name == "refreshers":
        return parsed["body"] if parsed["body"] is not None else {}, errors
    if name == "framework-competencies":
        body = dict(current or {})
        body["name"] = {
            language: parsed[f"name_{language}"]
            for language in SUPPORTED
            if parsed[f"name_{language}"]
        }
        body["parent"] = parsed["parent"]
        body["policy"] = parsed["policy"] or "quarterly"
        if body["parent"] is None:
            body.pop("parent")
        return body, errors
    return {k: v for k, v in parsed.items() if v is not None}, errors


_LISTED = re.compile(r"^(?:rules|competencies|refreshers\.catalogue)\[\d+\]\.?(\w*)")


def form_field_of(name: str, item_id: str, field: str | None) -> str | None:
    """The form field a validation error's field path (``rules[3].match.verbs``) is in,
    when it is in the edited item; else None (the error is shown above the form)."""
    if not field:
        return None
    if name == "methods":
        return "weight" if field == f"methods.{item_id}" else None
    if name == "policies":
        prefix = f"policies.{item_id}."
        rest = field[len(prefix) :].split(".")[0] if field.startswith(prefix) else ""
        return rest if rest in {f.name for f in FIELDS[name]} else None
    found = _LISTED.match(field)
    if found is None:
        return None
    part = found.group(1)
    if name == "refreshers":
        return "body"
    if name == "framework-competencies" and part == "name":
        return "name_en"
    return part if part in {f.name for f in FIELDS[name]} else None


def summary(name: str, item_id: str, item: Any) -> list[str]:
    """The columns of an item in its collection's list (after the id)."""
    if name == "methods":
        return [str(item)]
    if name == "policies":
        return [str(item.get(k, "")) for k in ("kind", "validity", "target_retention", "due_soon")]
    if name == "rules":
        match = item.get("match") or {}
        verbs = match.get("verbs") or []
        verbs = [verbs] if isinstance(verbs, str) else verbs
        activity = match.get("activity") or {}
        patterns = [str(v) for k in ("exact", "prefix", "glob") for v in _listed(activity.get(k))]
        competencies = [str(e.get("competency")) for e in item.get("evidence") or []]
        return [
            item.get("description", ""),
            ", ".join(v.rsplit("/", 1)[-1] for v in verbs),
            ", ".join(patterns),
            ", ".join(c.rsplit("/", 1)[-1] for c in competencies),
        ]
    if name == "refreshers":
        return [
            ", ".join(c.rsplit("/", 1)[-1] for c in _listed(item.get("competencies"))),
            str(item.get("method", "")),
        ]
    return [
        local_name(item.get("name")),
        str(item.get("policy", "")),
        str(item.get("parent") or ""),
    ]


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
