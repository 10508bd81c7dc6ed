"""The ``format`` parameter of GET /statements: ``ids`` and ``canonical`` views.

xAPI 1.0.3 Communication §2.1.3. Both functions take a stored (valid) statement and
return a new dict, leaving the stored one untouched so ``exact`` stays exact. Both
return contextActivities as arrays, as Data §2.4.6.2 requires of every retrieval.
Activity definitions are filtered as given: substituting the LRS's canonical
definition of an Activity is the store's job, done before calling
:func:`to_canonical_format`.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["pick_language", "to_canonical_format", "to_ids_format"]

_IFIS: Final = ("mbox", "mbox_sha1sum", "openid", "account")
_LANGUAGE_MAPS: Final = ("name", "description")
_COMPONENT_LISTS: Final = ("choices", "scale", "source", "target", "steps")
_CONTEXT_ACTIVITY_KEYS: Final = ("parent", "grouping", "category", "other")


# --- format=ids ---------------------------------------------------------------------


def to_ids_format(statement: dict[str, Any]) -> dict[str, Any]:
    """Keep only what identifies Agents, Groups, Activities and Verbs.

    Agent -> objectType + IFI; identified Group -> objectType + IFI; anonymous Group ->
    objectType + its members reduced likewise; Activity -> id alone (the ADL suite,
    XAPI-00171, counts one key); Verb -> id.
    Every other property (result, timestamps, attachments...) is kept as stored.
    """
    out = dict(statement)
    for key in ("actor", "authority"):
        if key in out:
            out[key] = _ids_actor(out[key])
    _ids_statement_parts(out)
    return out


def _ids_statement_parts(out: dict[str, Any]) -> None:
    """Reduce verb, object and context of a Statement or SubStatement in place."""
    if "verb" in out:
        out["verb"] = {"id": out["verb"]["id"]}
    if "object" in out:
        out["object"] = _ids_object(out["object"])
    if "context" in out:
        out["context"] = _ids_context(out["context"])


def _ids_actor(actor: dict[str, Any]) -> dict[str, Any]:
    object_type = actor.get("objectType", "Agent")
    reduced: dict[str, Any] = {"objectType": object_type}
    for key in _IFIS:
        if key in actor:
            reduced[key] = actor[key]
            return reduced
    # No IFI: an anonymous Group, identified by its members.
    if "member" in actor:
        reduced["member"] = [_ids_actor(member) for member in actor["member"]]
    return reduced


def _ids_activity(activity: dict[str, Any]) -> dict[str, Any]:
    return {"id": activity["id"]}


def _ids_object(obj: dict[str, Any]) -> dict[str, Any]:
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        return _ids_activity(obj)
    if object_type in ("Agent", "Group"):
        return _ids_actor(obj)
    if object_type == "SubStatement":
        sub = dict(obj)
        sub["actor"] = _ids_actor(sub["actor"])
        _ids_statement_parts(sub)
        return sub
    return dict(obj)  # StatementRef: already only an id


def _ids_context(context: dict[str, Any]) -> dict[str, Any]:
    out = dict(context)
    for key in ("instructor", "team"):
        if key in out:
            out[key] = _ids_actor(out[key])
    if "contextActivities" in out:
        out["contextActivities"] = {
            key: [_ids_activity(a) for a in _as_list(value)]
            for key, value in out["contextActivities"].items()
        }
    if "contextAgents" in out:
        out["contextAgents"] = [
            {**item, "agent": _ids_actor(item["agent"])} for item in out["contextAgents"]
        ]
    if "contextGroups" in out:
        out["contextGroups"] = [
            {**item, "group": _ids_actor(item["group"])} for item in out["contextGroups"]
        ]
    return out


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- format=canonical ---------------------------------------------------------------


def to_canonical_format(statement: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    """Keep one language per Activity/Verb language map, the best for ``languages``.

    ``languages`` are the Accept-Language ranges in preference order (q-values already
    applied by the caller; a stray ``;q=`` suffix is ignored). Agents and Groups are
    returned exactly as stored. Attachment display/description maps are not filtered:
    the spec scopes filtering to Activities and Verbs.
    """
    ranges = _normalise_ranges(languages)
    out = dict(statement)
    _canonical_statement_parts(out, ranges)
    return out


def pick_language(tags: list[str], languages: list[str]) -> str | None:
    """The tag of a language map that best answers ``languages`` (RFC 2616 §14.4).

    In order: for each range, an exact (case-insensitive) tag or a tag the range is a
    prefix of (``en`` matches ``en-US``); then each range shortened subtag by subtag
    (``fr-CA`` falls back to ``fr``, RFC 4647 §3.4); ``*`` takes the first tag. Without
    any match: ``und``, then English, then the first tag, so something is always shown.
    """
    return _pick(tags, _normalise_ranges(languages))


def _normalise_ranges(languages: list[str]) -> list[str]:
    ranges = []
    for language in languages:
        if isinstance(language, str):
            tag = language.split(";", 1)[0].strip().lower()
            if tag:
                ranges.append(tag)
    return ranges


def _pick(tags: list[str], ranges: list[str]) -> str | None:
    if not tags:
        return None
    lowered = [tag.lower() for tag in tags]
    for wanted in ranges:
        if wanted == "*":
            return tags[0]
        found = _match(tags, lowered, wanted)
        if found is not None:
            return found
    for wanted in ranges:
        while "-" in wanted:
            wanted = wanted.rsplit("-", 1)[0]
            found = _match(tags, lowered, wanted)
            if found is not None:
                return found
    for fallback in ("und", "en"):
        found = _match(tags, lowered, fallback)
        if found is not None:
            return found
    return tags[0]


def _match(tags: list[str], lowered: list[str], wanted: str) -> str | None:
    for tag, low in zip(tags, lowered, strict=True):
        if low == wanted:
            return tag
    prefix = wanted + "-"
    for tag, low in zip(tags, lowered, strict=True):
        if low.startswith(prefix):
            return tag
    return None


def _one_language(language_map: Any, ranges: list[str]) -> Any:
    if not isinstance(language_map, dict) or len(language_map) <= 1:
        return language_map
    best = _pick(list(language_map), ranges)
    return {best: language_map[best]}


def _canonical_statement_parts(out: dict[str, Any], ranges: list[str]) -> None:
    verb = out.get("verb")
    if isinstance(verb, dict) and "display" in verb:
        out["verb"] = {**verb, "display": _one_language(verb["display"], ranges)}
    obj = out.get("object")
    if isinstance(obj, dict):
        object_type = obj.get("objectType", "Activity")
        if object_type == "Activity":
            out["object"] = _canonical_activity(obj, ranges)
        elif object_type == "SubStatement":
            sub = dict(obj)
            _canonical_statement_parts(sub, ranges)
            out["object"] = sub
    context = out.get("context")
    if isinstance(context, dict) and "contextActivities" in context:
        out["context"] = {
            **context,
            "contextActivities": {
                key: [_canonical_activity(a, ranges) for a in _as_list(value)]
                for key, value in context["contextActivities"].items()
            },
        }


def _canonical_activity(activity: dict[str, Any], ranges: list[str]) -> dict[str, Any]:
    definition = activity.get("definition")
    if not isinstance(definition, dict):
        return dict(activity)
    new_definition = dict(definition)
    for key in _LANGUAGE_MAPS:
        if key in new_definition:
            new_definition[key] = _one_language(new_definition[key], ranges)
    for key in _COMPONENT_LISTS:
        if isinstance(new_definition.get(key), list):
            new_definition[key] = [
                {**c, "description": _one_language(c["description"], ranges)}
                if isinstance(c, dict) and "description" in c
                else c
                for c in new_definition[key]
            ]
    return {**activity, "definition": new_definition}
