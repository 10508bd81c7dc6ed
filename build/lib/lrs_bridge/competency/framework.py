"""The competency framework: competencies with stable IRIs, language maps and a tree.

A framework is loaded from our JSON format (:func:`load_framework`) or from a 1EdTech CASE
package (:func:`framework_from_case`), and exported as CASE (:func:`framework_to_case`).

CASE is lossy for us in three ways, so :func:`framework_to_case` also writes the lossless
data under the ``extensions`` key :data:`CASE_EXTENSION` of each item and of the document,
which other tools ignore and :func:`framework_from_case` reads back:

* CASE has one language per item: ``abbreviatedStatement``/``fullStatement`` carry the
  ``en`` text only (``language: "en"``); the other languages travel in the extension.
* CASE has no refresh policy: ``policy`` travels in the extension; a plain CASE import gets
  :data:`DEFAULT_POLICY`.
* CASE allows several ``isChildOf`` parents; we keep the first (lowest ``sequenceNumber``).
"""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from lrs_bridge.errors import BadRequest

DEFAULT_POLICY = "quarterly"
#: Key of our lossless payload in CASE ``extensions`` objects.
CASE_EXTENSION = "https://lrs-bridge.dev/case/extension"
#: ``lastChangeDateTime`` written by :func:`framework_to_case` unless the caller passes one.
CASE_EPOCH = "1970-01-01T00:00:00+00:00"
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Competency:
    """One competency; ``name``/``description`` are language maps (``{"en": ..., "nb": ...}``)."""

    id: str  # an absolute IRI, stable across framework versions
    name: dict[str, str]
    description: dict[str, str]
    parent: str | None = None
    policy: str = DEFAULT_POLICY  # a policy id of the competency map


@dataclasses.dataclass(frozen=True, kw_only=True)
class Framework:
    """A named set of competencies forming a forest (validated by :func:`validate_framework`)."""

    id: str
    name: dict[str, str]
    competencies: tuple[Competency, ...]
    _by_id: dict[str, Competency] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _children: dict[str | None, tuple[Competency, ...]] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        children: dict[str | None, list[Competency]] = {}
        for competency in self.competencies:
            self._by_id.setdefault(competency.id, competency)
            children.setdefault(competency.parent, []).append(competency)
        self._children.update({k: tuple(v) for k, v in children.items()})

    @property
    def ids(self) -> Mapping[str, Competency]:
        """Competencies by IRI (a read-only view; ``iri in framework.ids`` is O(1))."""
        return self._by_id

    def get(self, competency_id: str) -> Competency | None:
        """The competency with this IRI, or ``None``."""
        return self._by_id.get(competency_id)

    def children(self, competency_id: str | None) -> tuple[Competency, ...]:
        """Direct children in file order; ``None`` gives the roots."""
        return self._children.get(competency_id, ())


# -- validation ------------------------------------------------------------------------------


def error_path(messages: Any, prefix: str = "") -> tuple[str, str]:
    """The first field path and message of marshmallow's nested error dict.

    ``{"rules": {4: {"match": {"x": ["Not a valid number."]}}}}`` → ``("rules[4].match.x", ...)``.
    """
    if isinstance(messages, list):
        first = messages[0] if messages else "invalid"
        if isinstance(first, dict | list):
            return error_path(first, prefix)
        return prefix or "$", str(first)
    if isinstance(messages, dict) and messages:
        key = next(iter(messages))
        if isinstance(key, int):
            path = f"{prefix}[{key}]"
        elif key in ("_schema", "value"):
            path = prefix
        else:
            path = f"{prefix}.{key}" if prefix else str(key)
        return error_path(messages[key], path)
    return prefix or "$", str(messages)


def bad_request(error: ValidationError, source: str) -> BadRequest:
    """A :class:`BadRequest` naming the first invalid field of a marshmallow error."""
    path, message = error_path(error.messages)
    return BadRequest(f"{source}: {path}: {message}", field=path)


def _language_map(value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError("Not a language map.")
    for tag, text in value.items():
        if not _LANGUAGE_TAG.match(tag):
            raise ValidationError(f"{tag!r} is not a language tag.")
        if not isinstance(text, str) or not text.strip():
            raise ValidationError(f"{tag!r} must be a non-empty string.")
    if "en" not in value:
        raise ValidationError("Needs at least an 'en' entry.")


def _optional_language_map(value: Any) -> None:
    if value != {}:
        _language_map(value)


def _iri(value: str) -> None:
    if not _IRI.match(value):
        raise ValidationError(f"{value!r} is not an absolute IRI.")


class _CompetencySchema(Schema):
    id = fields.String(required=True, validate=_iri)
    name = fields.Dict(required=True, validate=_language_map)
    description = fields.Dict(load_default=dict, validate=_optional_language_map)
    parent = fields.String(load_default=None, allow_none=True, validate=_iri)
    policy = fields.String(load_default=DEFAULT_POLICY, validate=validate.Length(min=1))


class _FrameworkSchema(Schema):
    id = fields.String(required=True, validate=_iri)
    name = fields.Dict(required=True, validate=_language_map)
    competencies = fields.List(fields.Nested(_CompetencySchema), required=True)


def validate_framework(fw: Framework, source: str = "framework") -> Framework:
    """Check unique ids, existing parents and the absence of cycles; return ``fw``."""
    seen: dict[str, int] = {}
    for i, competency in enumerate(fw.competencies):
        if competency.id in seen:
            raise BadRequest(
                f"{source}: competencies[{i}].id: {competency.id} already used by "
                f"competencies[{seen[competency.id]}]",
                field=f"competencies[{i}].id",
            )
        seen[competency.id] = i
    for i, competency in enumerate(fw.competencies):
        if competency.parent is not None and competency.parent not in seen:
            raise BadRequest(
                f"{source}: competencies[{i}].parent: unknown competency {competency.parent}",
                field=f"competencies[{i}].parent",
            )
    for i, competency in enumerate(fw.competencies):
        path = [competency.id]
        parent = competency.parent
        while parent is not None:
            if parent in path:
                raise BadRequest(
                    f"{source}: competencies[{i}].parent: cycle {' → '.join([*path, parent])}",
                    field=f"competencies[{i}].parent",
                )
            path.append(parent)
            parent = fw.ids[parent].parent
    return fw


def framework_from_dict(data: Any, source: str = "framework") -> Framework:
    """Validate our JSON document shape and build a :class:`Framework`."""
    try:
        loaded = _FrameworkSchema().load(data)
    except ValidationError as error:
        raise bad_request(error, source) from None
    fw = Framework(
        id=loaded["id"],
        name=dict(loaded["name"]),
        competencies=tuple(Competency(**c) for c in loaded["competencies"]),
    )
    return validate_framework(fw, source)


def framework_to_dict(fw: Framework) -> dict[str, Any]:
    """The JSON document :func:`framework_from_dict` reads."""
    return {
        "id": fw.id,
        "name": fw.name,
        "competencies": [
            {
                "id": c.id,
                "name": c.name,
                "description": c.description,
                "parent": c.parent,
                "policy": c.policy,
            }
            for c in fw.competencies
        ],
    }


def load_framework(path: str | Path) -> Framework:
    """Load a framework JSON file; raise :class:`BadRequest` naming the invalid field."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise BadRequest(f"{path}: not JSON: {error}") from None
    return framework_from_dict(data, str(path))


# -- 1EdTech CASE ----------------------------------------------------------------------------


def _case_identifier(iri: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, iri))


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def framework_to_case(fw: Framework, *, last_change: str = CASE_EPOCH) -> dict[str, Any]:
    """Export as a CASE 1.0/1.1 package (``CFDocument``, ``CFItems``, ``CFAssociations``)."""
    doc_id = _case_identifier(fw.id)
    document = {
        "identifier": doc_id,
        "uri": fw.id,
        "title": fw.name["en"],
        "creator": "lrs-bridge",
        "language": "en",
        "lastChangeDateTime": last_change,
        "extensions": {CASE_EXTENSION: {"name": fw.name}},
    }
    items = []
    associations = []
    for c in fw.competencies:
        items.append(
            {
                "identifier": _case_identifier(c.id),
                "uri": c.id,
                "CFDocumentURI": {"title": fw.name["en"], "identifier": doc_id, "uri": fw.id},
                "fullStatement": c.description.get("en", c.name["en"]),
                "abbreviatedStatement": c.name["en"],
                "humanCodingScheme": _slug(c.id),
                "language": "en",
                "lastChangeDateTime": last_change,
                "extensions": {
                    CASE_EXTENSION: {
                        "name": c.name,
                        "description": c.description,
                        "policy": c.policy,
                    }
                },
            }
        )
        if c.parent is None:
            dest = {"title": fw.name["en"], "identifier": doc_id, "uri": fw.id}
        else:
            parent = fw.ids[c.parent]
            dest = {
                "title": parent.name["en"],
                "identifier": _case_identifier(parent.id),
                "uri": parent.id,
            }
        associations.append(
            {
                "identifier": _case_identifier(f"{c.id}#isChildOf"),
                "uri": f"{c.id}#isChildOf",
                "associationType": "isChildOf",
                "originNodeURI": {
                    "title": c.name["en"],
                    "identifier": _case_identifier(c.id),
                    "uri": c.id,
                },
                "destinationNodeURI": dest,
                "lastChangeDateTime": last_change,
            }
        )
    return {"CFDocument": document, "CFItems": items, "CFAssociations": associations}


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _case_language_map(text: str | None, language: str, extra: Any) -> dict[str, str]:
    """A language map from one CASE text; ``en`` falls back to that text so labels exist."""
    if isinstance(extra, dict) and "en" in extra:
        return {str(k): str(v) for k, v in extra.items()}
    if text is None:
        return {}
    result = {language: text}
    result.setdefault("en", text)  # lossy for non-English packages; the UI needs a label
    return result


def _node_keys(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        for key in ("identifier", "uri"):
            if isinstance(node.get(key), str):
                yield node[key]
    elif isinstance(node, str):
        yield node


def framework_from_case(doc: Mapping[str, Any]) -> Framework:
    """Import a CASE package, as produced by us or by other CASE tools (OpenSALT, CASE Network).

    Ids are the items' ``uri`` (``CFItemURI`` is accepted too), else ``urn:uuid:<identifier>``.
    Names prefer ``abbreviatedStatement``, then ``fullStatement``; descriptions are the
    ``fullStatement`` when an abbreviation exists, else ``notes``. Item ``language`` (or the
    document's) keys the language map.
    """
    if not isinstance(doc, Mapping) or not isinstance(doc.get("CFDocument"), Mapping):
        raise BadRequest("CASE: CFDocument is missing", field="CFDocument")
    cf_doc = doc["CFDocument"]
    doc_language = _text(cf_doc.get("language")) or "en"
    doc_ext = (cf_doc.get("extensions") or {}).get(CASE_EXTENSION) or {}
    doc_uri = _text(cf_doc.get("uri")) or _text(cf_doc.get("CFDocumentURI"))
    doc_ident = _text(cf_doc.get("identifier"))
    if doc_uri is None and doc_ident is None:
        raise BadRequest("CASE: CFDocument needs uri or identifier", field="CFDocument.uri")
    title = _text(cf_doc.get("title"))
    if title is None:
        raise BadRequest("CASE: CFDocument.title is missing", field="CFDocument.title")
    name = _case_language_map(title, doc_language, doc_ext.get("name"))

    iri_of: dict[str, str] = {}
    drafts: list[dict[str, Any]] = []
    for i, item in enumerate(doc.get("CFItems") or []):
        if not isinstance(item, Mapping):
            raise BadRequest(f"CASE: CFItems[{i}] is not an object", field=f"CFItems[{i}]")
        ident = _text(item.get("identifier"))
        uri = _text(item.get("uri")) or _text(item.get("CFItemURI"))
        if uri is None and ident is None:
            raise BadRequest(
                f"CASE: CFItems[{i}] needs uri or identifier", field=f"CFItems[{i}].uri"
            )
        iri = uri if uri is not None and _IRI.match(uri) else f"urn:uuid:{ident}"
        for key in (ident, uri):
            if key is not None:
                iri_of[key] = iri
        ext = (item.get("extensions") or {}).get(CASE_EXTENSION) or {}
        language = _text(item.get("language")) or doc_language
        abbreviated = _text(item.get("abbreviatedStatement"))
        full = _text(item.get("fullStatement"))
        label = abbreviated or full or _text(item.get("humanCodingScheme"))
        text = full if abbreviated else _text(item.get("notes"))
        drafts.append(
            {
                "id": iri,
                "name": _case_language_map(label, language, ext.get("name")),
                "description": _case_language_map(text, language, ext.get("description")),
                "policy": ext.get("policy") or DEFAULT_POLICY,
            }
        )
    parents: dict[str, tuple[float, str]] = {}
    for association in doc.get("CFAssociations") or []:
        if not isinstance(association, Mapping):
            continue
        if association.get("associationType") != "isChildOf":
            continue
        child = next(
            (iri_of[k] for k in _node_keys(association.get("originNodeURI")) if k in iri_of), None
        )
        parent = next(
            (iri_of[k] for k in _node_keys(association.get("destinationNodeURI")) if k in iri_of),
            None,
        )
        if child is None or parent is None:
            continue  # a child of the document itself (a root), or of another package
        order = association.get("sequenceNumber")
        rank = float(order) if isinstance(order, int | float) else float("inf")
        if child not in parents or rank < parents[child][0]:
            parents[child] = (rank, parent)
    data = {
        "id": doc_uri if doc_uri is not None and _IRI.match(doc_uri) else f"urn:uuid:{doc_ident}",
        "name": name,
        "competencies": [
            {**d, "parent": parents[d["id"]][1] if d["id"] in parents else None} for d in drafts
        ],
    }
    return framework_from_dict(data, "CASE")


__all__ = [
    "CASE_EXTENSION",
    "DEFAULT_POLICY",
    "Competency",
    "Framework",
    "bad_request",
    "error_path",
    "framework_from_case",
    "framework_from_dict",
    "framework_to_case",
    "framework_to_dict",
    "load_framework",
    "validate_framework",
]
