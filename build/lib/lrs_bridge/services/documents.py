"""Use cases of the Document resources (State, Activity/Agent Profile) and of Agents/Activities.

xAPI Communication §2.2-2.7 and §3.1 (concurrency). The web layer hands over plain values
(parameters, headers, body); parameters are checked here, each failure a 400 naming the
parameter, and scopes are enforced here (Communication §4.2).

Concurrency, per version:

* ``If-Match`` (an ETag list or ``*``) and ``If-None-Match`` (``*`` or an ETag list) are
  honoured on PUT, POST and DELETE of a single document, for all three resources:
  a failed precondition is 412 and changes nothing.
* A PUT without either header to an existing document is 409 Conflict for the profile
  resources (1.0.3 §3.1.s4.b13), and in 2.0.0 for the State resource too. 1.0.3 exempts State
  ("The State Resource will permit PUT, POST and DELETE requests without concurrency
  headers"); 2.0.0 §4.1.4 as we read it lists State without that exemption, and the 2.0.0
  conformance suite tests State so (disputed upstream: lrs-conformance-test-suite #282).
* A PUT without either header that would create a profile document is 400: the client
  "MUST include" one of them (1.0.3 §3.1.s3.b1; applied to 2.0.0 alike), as the 1.0.3 suite tests.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from typing import Any

import orjson

from lrs_bridge.auth import Principal
from lrs_bridge.errors import (
    BadRequest,
    Conflict,
    InvalidStatement,
    NotFound,
    PreconditionFailed,
)
from lrs_bridge.store.base import Clock
from lrs_bridge.store.documents import (
    ACTIVITY_PROFILE,
    AGENT_PROFILE,
    STATE,
    DocumentKey,
    DocumentScope,
    NewContent,
    SqlDocumentStore,
    StoredDocument,
)
from lrs_bridge.xapi.definitions import merge_definitions
from lrs_bridge.xapi.extract import agent_key
from lrs_bridge.xapi.person import build_person
from lrs_bridge.xapi.rules import is_iri, is_uuid
from lrs_bridge.xapi.timefmt import parse_timestamp_us
from lrs_bridge.xapi.validate import validate_agent

JSON = "application/json"
#: The Content-Type recorded for a document sent without one.
DEFAULT_CONTENT_TYPE = "application/octet-stream"
#: Definition properties merged key by key across statements; others are replaced.
#: Longest accepted values. Together they fit one PostgreSQL b-tree entry (~2.7 kB) of the
#: documents key, so an oversized id is a clear 400 rather than a database error.
_MAX_LENGTH = {"activityId": 1024, "agent key": 512, "stateId": 512, "profileId": 512}
_MAX_CONTENT_TYPE = 255


@dataclasses.dataclass(frozen=True, kw_only=True)
class Resource:
    """One Document resource: its parameters, storage kind and OAuth scope."""

    kind: str
    #: The scope granting read/write besides ``all`` (reads also ``all/read``).
    scope: str
    id_param: str
    activity: bool
    agent: bool
    registration: bool
    #: Whether DELETE without the id parameter deletes every document of the context.
    delete_all: bool


STATE_RESOURCE = Resource(
    kind=STATE,
    scope="state",
    id_param="stateId",
    activity=True,
    agent=True,
    registration=True,
    delete_all=True,
)
ACTIVITY_PROFILE_RESOURCE = Resource(
    kind=ACTIVITY_PROFILE,
    scope="profile",
    id_param="profileId",
    activity=True,
    agent=False,
    registration=False,
    delete_all=False,
)
AGENT_PROFILE_RESOURCE = Resource(
    kind=AGENT_PROFILE,
    scope="profile",
    id_param="profileId",
    activity=False,
    agent=True,
    registration=False,
    delete_all=False,
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Conditions:
    """The conditional-request headers: ``If-Match`` and ``If-None-Match`` as sent."""

    if_match: str | None = None
    if_none_match: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class IdList:
    """A multiple-document GET: the ids, and when the newest of them changed."""

    ids: list[str]
    last_modified_us: int | None


def media_type(content_type: str) -> str:
    """``application/json; charset=utf-8`` → ``application/json``."""
    return content_type.split(";")[0].strip().lower()


def _tags(value: str) -> list[str]:
    """An ETag list as compared: quotes and weakness marks removed, lower case."""
    tags = []
    for part in value.split(","):
        tag = part.strip()
        tag = tag[2:] if tag[:2].upper() == "W/" else tag
        tags.append(tag.strip('"').lower())
    return [tag for tag in tags if tag]


def check_preconditions(
    conditions: Conditions,
    current: StoredDocument | None,
    *,
    method: str,
    put_requires_condition: bool,
    create_requires_condition: bool = False,
) -> None:
    """Raise unless the request may change ``current`` (Communication §3.1, RFC 7232 §3).

    ``put_requires_condition``: a PUT without either header to an existing document is a
    409; ``create_requires_condition``: one that would create the document is a 400.
    """
    if conditions.if_match is not None:
        tags = _tags(conditions.if_match)
        if current is None or ("*" not in tags and current.etag not in tags):
            raise PreconditionFailed(
                "If-Match does not match the current document's ETag: it changed or is gone"
            )
    if conditions.if_none_match is not None and current is not None:
        tags = _tags(conditions.if_none_match)
        if "*" in tags or current.etag in tags:
            raise PreconditionFailed("If-None-Match: the document already exists")
    if method != "PUT" or conditions.if_match is not None or conditions.if_none_match is not None:
        return
    if current is not None and put_requires_condition:
        raise Conflict(
            "the document already exists and the PUT had neither If-Match nor If-None-Match: "
            "GET the document to check its current state, then send If-Match with its ETag"
        )
    if current is None and create_requires_condition:
        raise BadRequest(
            "a PUT of a profile document needs If-Match or If-None-Match "
            "(If-None-Match: * to create it)",
            field="If-None-Match",
        )


def _json_object(content: bytes, what: str) -> dict[str, Any]:
    try:
        value = orjson.loads(content)
    except orjson.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        raise BadRequest(f"the {what} document is not a JSON object, so it cannot be merged")
    return value


def merge_documents(current: StoredDocument, content: bytes, content_type: str) -> NewContent:
    """POST onto an existing document: top-level properties of both JSON objects merged.

    Communication §2.2: both must be ``application/json`` JSON objects, else 400.
    """
    if media_type(current.content_type) != JSON or media_type(content_type) != JSON:
        raise BadRequest(
            "POST merges JSON documents: the stored and the posted document must both be "
            "application/json (use PUT to replace a document)",
            field="Content-Type",
        )
    merged = _json_object(current.content, "stored") | _json_object(content, "posted")
    return NewContent(content=orjson.dumps(merged), content_type=current.content_type)


# -- parameters ---------------------------------------------------------------------------


def _check_known(args: Mapping[str, str], allowed: set[str]) -> None:
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise BadRequest(f"unknown parameter {unknown[0]!r} for this request", field=unknown[0])


def _required(args: Mapping[str, str], name: str) -> str:
    value = args.get(name)
    if value is None or value == "":
        raise BadRequest(f"parameter {name!r} is required", field=name)
    if len(value) > _MAX_LENGTH.get(name, len(value)):
        raise BadRequest(
            f"parameter {name!r} is longer than {_MAX_LENGTH[name]} characters", field=name
        )
    return value


def _activity_param(args: Mapping[str, str], name: str = "activityId") -> str:
    value = _required(args, name)
    if not is_iri(value):
        raise BadRequest(f"parameter {name!r} must be an IRI", field=name)
    return value


def agent_param(
    args: Mapping[str, str], version: str, *, groups: bool
) -> tuple[dict[str, Any], str]:
    """The ``agent`` parameter: a valid Agent (or identified Group) as JSON, and its IFI key."""
    raw = _required(args, "agent")
    try:
        agent = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequest(
            "parameter 'agent' must be an Agent object as JSON", field="agent"
        ) from None
    if not isinstance(agent, dict):
        raise BadRequest("parameter 'agent' must be an Agent object as JSON", field="agent")
    if agent.get("objectType") == "Group" and not groups:
        raise BadRequest("parameter 'agent' must be an Agent, not a Group", field="agent")
    try:
        validate_agent(agent, version=version, path="agent")
    except InvalidStatement as error:
        raise BadRequest(
            f"parameter 'agent' is not a valid Agent: {error.message}", field="agent"
        ) from None
    key = agent_key(agent)
    if key is None:
        raise BadRequest("parameter 'agent' needs an identifier (mbox, account…)", field="agent")
    if len(key) > _MAX_LENGTH["agent key"]:
        raise BadRequest("parameter 'agent' has an overlong identifier", field="agent")
    return agent, key


def _registration_param(args: Mapping[str, str]) -> str | None:
    value = args.get("registration")
    if value is None:
        return None
    if not is_uuid(value):
        raise BadRequest("parameter 'registration' must be a UUID", field="registration")
    return str(uuid.UUID(value))


def _since_param(args: Mapping[str, str]) -> int | None:
    value = args.get("since")
    if value is None:
        return None
    parsed = parse_timestamp_us(value) if "T" in value else None
    if parsed is None:
        raise BadRequest("parameter 'since' must be an ISO 8601 timestamp", field="since")
    return parsed


def _scope(resource: Resource, args: Mapping[str, str], version: str) -> DocumentScope:
    return DocumentScope(
        kind=resource.kind,
        activity_id=_activity_param(args) if resource.activity else "",
        agent_key=agent_param(args, version, groups=True)[1] if resource.agent else "",
        registration=_registration_param(args) if resource.registration else "",
    )


def _key(scope: DocumentScope, document_id: str) -> DocumentKey:
    return DocumentKey(
        kind=scope.kind,
        activity_id=scope.activity_id,
        agent_key=scope.agent_key,
        registration=scope.registration or "",
        document_id=document_id,
    )


def _allowed(resource: Resource, *extra: str) -> set[str]:
    names = {resource.id_param, *extra}
    if resource.activity:
        names.add("activityId")
    if resource.agent:
        names.add("agent")
    if resource.registration:
        names.add("registration")
    return names


# -- the service ---------------------------------------------------------------------------


class DocumentService:
    """Document, Agents and Activities use cases over a :class:`SqlDocumentStore`."""

    def __init__(self, store: SqlDocumentStore, *, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    @staticmethod
    def _require(principal: Principal, resource: Resource, *, write: bool) -> None:
        if write:
            principal.require(
                lambda p: p.can_write_documents(resource.scope), f"write {resource.scope} documents"
            )
        else:
            principal.require(
                lambda p: p.can_read_documents(resource.scope), f"read {resource.scope} documents"
            )

    def read(
        self, resource: Resource, args: Mapping[str, str], *, principal: Principal, version: str
    ) -> StoredDocument | IdList:
        """GET: one document by id, or the ids of the context (``since`` exclusive)."""
        self._require(principal, resource, write=False)
        _check_known(args, _allowed(resource, "since"))
        scope = _scope(resource, args, version)
        document_id = args.get(resource.id_param)
        if document_id is None:
            if resource.registration and scope.registration is None:
                scope = dataclasses.replace(scope, registration=None)  # every registration
            ids, newest = self.store.list_ids(scope, _since_param(args))
            return IdList(ids=ids, last_modified_us=newest)
        _since_param(args)  # checked, though a single document ignores it
        found = self.store.get(_key(scope, document_id))
        if found is None:
            raise NotFound(f"no document with {resource.id_param} {document_id!r} here")
        return found

    def write(
        self,
        resource: Resource,
        args: Mapping[str, str],
        *,
        method: str,
        content: bytes,
        content_type: str | None,
        conditions: Conditions,
        principal: Principal,
        version: str,
    ) -> None:
        """PUT (store or replace) or POST (store, or merge JSON) one document."""
        self._require(principal, resource, write=True)
        _check_known(args, _allowed(resource))
        scope = _scope(resource, args, version)
        key = _key(scope, _required(args, resource.id_param))
        stored_type = content_type or DEFAULT_CONTENT_TYPE
        if len(stored_type) > _MAX_CONTENT_TYPE:
            raise BadRequest("the Content-Type header is too long", field="Content-Type")
        if method == "POST" and media_type(stored_type) == JSON:
            _json_object(content, "posted")
        requires = resource.kind != STATE or version != "1.0.3"

        def decide(current: StoredDocument | None) -> NewContent:
            check_preconditions(
                conditions,
                current,
                method=method,
                put_requires_condition=requires,
                create_requires_condition=resource.kind != STATE,
            )
            if method == "POST" and current is not None:
                return merge_documents(current, content, stored_type)
            return NewContent(content=content, content_type=stored_type)

        self.store.modify(key, decide, self.clock())

    def delete(
        self,
        resource: Resource,
        args: Mapping[str, str],
        *,
        conditions: Conditions,
        principal: Principal,
        version: str,
    ) -> None:
        """DELETE one document, or (State) every document of the context."""
        self._require(principal, resource, write=True)
        _check_known(args, _allowed(resource))
        scope = _scope(resource, args, version)
        document_id = args.get(resource.id_param)
        if document_id is None:
            if not resource.delete_all:
                _required(args, resource.id_param)
            if scope.registration == "":
                scope = dataclasses.replace(scope, registration=None)
            self.store.delete_all(scope)
            return

        def decide(current: StoredDocument | None) -> None:
            check_preconditions(conditions, current, method="DELETE", put_requires_condition=False)

        self.store.modify(_key(scope, document_id), decide, self.clock())

    # -- Agents and Activities ----------------------------------------------------------

    def person(
        self, args: Mapping[str, str], *, principal: Principal, version: str
    ) -> dict[str, Any]:
        """The Person object of an Agent (Communication §2.4), from the learner directory."""
        principal.require(lambda p: p.can_read_documents("profile"), "read agents")
        _check_known(args, {"agent"})
        agent, key = agent_param(args, version, groups=False)
        return build_person(agent, key, self.store.learner_identity(key))

    def activity(self, args: Mapping[str, str], *, principal: Principal) -> dict[str, Any]:
        """The canonical Activity object (Communication §2.5), or just its id when unknown."""
        principal.require(lambda p: p.can_read_documents("profile"), "read activities")
        _check_known(args, {"activityId"})
        activity_id = _activity_param(args)
        definition = self.store.activity_definition(
            activity_id, merge_definitions, Principal.scopes_may_define, self.clock()
        )
        activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
        if definition:
            activity["definition"] = definition
        return activity
