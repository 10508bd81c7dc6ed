"""The Statement resource's use cases: store statements, fetch one, query many.

The web layer parses HTTP into plain values and calls these; they validate with
:mod:`lrs_bridge.xapi`, enforce scopes, and talk to the store through its interface.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from lrs_bridge.auth import Principal, authority_agent, system_agent
from lrs_bridge.errors import (
    BadRequest,
    ConfigurationChanged,
    Conflict,
    InvalidStatement,
    NotFound,
)
from lrs_bridge.params import parse_count
from lrs_bridge.services.attachments import carried_attachments, check_parts_used, check_signatures
from lrs_bridge.services.competencies import CompetencyEngine, EngineSource, TlaAssertions
from lrs_bridge.services.completion import Completer
from lrs_bridge.services.forward_targets import ForwardTargets, forward_to
from lrs_bridge.store.base import (
    AttachmentContentStore,
    Clock,
    EvidenceDraft,
    NewStatement,
    ReceivedAttachment,
    StatementPage,
    StatementQuery,
    StatementStore,
    StoredAttachment,
    StoredStatement,
)
from lrs_bridge.xapi.compare import statements_match
from lrs_bridge.xapi.extract import agent_key, index_statement
from lrs_bridge.xapi.formats import to_canonical_format, to_ids_format
from lrs_bridge.xapi.normalise import normalise_statement
from lrs_bridge.xapi.timefmt import parse_timestamp_us
from lrs_bridge.xapi.validate import validate_agent

#: Query parameters of GET /statements (Communication §2.1.3).
QUERY_PARAMETERS = frozenset(
    {
        "statementId",
        "voidedStatementId",
        "agent",
        "verb",
        "activity",
        "registration",
        "related_activities",
        "related_agents",
        "since",
        "until",
        "limit",
        "format",
        "attachments",
        "ascending",
        "more",
    }
)
_SINGLE_PARAMETERS = frozenset({"statementId", "voidedStatementId", "attachments", "format"})
FORMATS = ("exact", "ids", "canonical")
_DEFAULT_VERSION = {"1.0.3": "1.0.0", "2.0.0": "2.0.0"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReadOptions:
    """How statements are returned: ``format`` and ``attachments`` (Communication §2.1.3)."""

    format: str = "exact"
    attachments: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class StoreResult:
    """Ids of the statements in request order, and how many were new (not re-sends)."""

    ids: list[str]
    new_count: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class QueryResult:
    """A page of statements as JSON texts, ready to splice into a response."""

    statements: list[str]
    more: str
    consistent_through_us: int
    last_modified_us: int | None
    options: ReadOptions
    #: With ``attachments=true``: the stored content of the page's statements.
    attachments: tuple[StoredAttachment, ...] = ()


def _bool_param(args: Mapping[str, str], name: str) -> bool:
    value = args.get(name)
    if value is None:
        return False
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise BadRequest(f"parameter {name!r} must be true or false", field=name)


def _uuid_param(args: Mapping[str, str], name: str) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    try:
        return str(uuid.UUID(value)) if len(value) == 36 else _bad_uuid(name)
    except ValueError:
        return _bad_uuid(name)


def _bad_uuid(name: str) -> str:
    raise BadRequest(f"parameter {name!r} must be a UUID", field=name)


def _time_param(args: Mapping[str, str], name: str) -> int | None:
    value = args.get(name)
    if value is None:
        return None
    parsed = parse_timestamp_us(value) if "T" in value else None
    if parsed is None:
        raise BadRequest(f"parameter {name!r} must be an ISO 8601 timestamp", field=name)
    return parsed


def _iri_param(args: Mapping[str, str], name: str) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    if ":" not in value:
        raise BadRequest(f"parameter {name!r} must be an IRI", field=name)
    return value


def read_options(args: Mapping[str, str]) -> ReadOptions:
    """The ``format`` and ``attachments`` parameters."""
    fmt = args.get("format", "exact")
    if fmt not in FORMATS:
        raise BadRequest(f"parameter 'format' must be one of {', '.join(FORMATS)}", field="format")
    return ReadOptions(format=fmt, attachments=_bool_param(args, "attachments"))


def _encode_cursor(args: Mapping[str, str], after_seq: int) -> str:
    payload = orjson.dumps({"args": dict(args), "after": after_seq})
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def _decode_cursor(token: str) -> tuple[dict[str, str], int]:
    try:
        payload = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        args, after = payload["args"], payload["after"]
        if not isinstance(args, dict) or not isinstance(after, int) or "more" in args:
            raise ValueError(token)
    except (ValueError, KeyError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise BadRequest("parameter 'more' is not a cursor this LRS issued", field="more") from None
    return {str(k): str(v) for k, v in args.items()}, after


class StatementService:
    """Statement use cases over a :class:`StatementStore`."""

    def __init__(
        self,
        store: StatementStore,
        *,
        clock: Clock,
        authority_homepage: str,
        max_page_size: int,
        statements_path: str = "/xapi/statements",
        competencies: EngineSource | None = None,
        emit_competency_statements: bool = False,
        attachments: AttachmentContentStore | None = None,
        upstreams: ForwardTargets | None = None,
    ) -> None:
        self.store = store
        self.upstreams = upstreams
        self.attachments = attachments
        self.competencies = competencies
        self.emit_competency_statements = emit_competency_statements
        #: The LRS itself, as the authority of statements it writes.
        self.system_authority = system_agent(authority_homepage)
        self.clock = clock
        self.authority_homepage = authority_homepage
        self.max_page_size = max_page_size
        self.statements_path = statements_path

    # -- writing ------------------------------------------------------------------------

    def store_statements(
        self,
        statements: Sequence[dict[str, Any]],
        *,
        principal: Principal,
        version: str,
        statement_id: str | None = None,
        attachments: Mapping[str, ReceivedAttachment] | None = None,
    ) -> StoreResult:
        """Store validated statements all-or-nothing; returns their ids in request order.

        ``statement_id`` is the PUT parameter. Re-sending a stored statement unchanged is
        accepted and changes nothing; a different statement under a used id is a ``Conflict``.
        ``attachments`` are the content parts of a multipart/mixed request by SHA-2
        (Communication §1.5.2): each must belong to an attachment of the batch, and is stored
        before the statements are.
        """
        received = attachments or {}
        principal.require(Principal.can_write_statements, "write statements")
        authority = authority_agent(principal, self.authority_homepage)
        engine = self.competencies.current() if self.competencies else None
        targets = self.upstreams.forward_targets() if self.upstreams else []
        prepared: list[NewStatement] = []
        seen: dict[str, int] = {}
        for position, statement in enumerate(statements):
            path = f"$[{position}]" if statement_id is None else "$"
            if statement_id is not None:
                given = statement.get("id")
                if given is not None and str(given).lower() != statement_id:
                    raise InvalidStatement(
                        f"{path}.id", "the statement id must match the statementId parameter"
                    )
                statement["id"] = given or statement_id
            if "id" not in statement:  # not setdefault: a uuid4 each time costs 3 µs
                statement["id"] = str(uuid.uuid4())
            sid = str(statement["id"]).lower()
            if sid in seen:
                raise InvalidStatement(
                    f"{path}.id", f"the batch repeats the id of $[{seen[sid]}] ({sid})"
                )
            seen[sid] = position
            carried = carried_attachments(statement, path, received)
            check_signatures(statement, path, received)
            normalise_statement(statement)
            statement["authority"] = authority
            statement.setdefault("version", _DEFAULT_VERSION[version])
            statement.pop("stored", None)
            timestamp = statement.get("timestamp")
            index = index_statement(statement)
            prepared.append(
                NewStatement(
                    id=sid,
                    statement=statement,
                    index=index,
                    timestamp_us=parse_timestamp_us(timestamp) if timestamp else None,
                    authority_id=principal.credential_id,
                    version=str(statement["version"]),
                    evidence=_evidence(engine, statement, principal),
                    attachments=carried,
                    forward_to=forward_to(
                        targets, statement, index, principal.credential_id, principal.key
                    ),
                )
            )
        self._check_voiding_targets(prepared)
        self._put_attachments(prepared, received)
        # Optimistic: ids are nearly always new, so try the insert first and compare with
        # stored statements only when the unique id constraint says some already exist
        # (a producer's retry, or a concurrent request that stored them first).
        new = prepared
        for attempt in (1, 2, 3):
            try:
                self.store.add_statements(
                    new,
                    self.clock,
                    engine.reduce if engine else None,
                    TlaAssertions(engine, self.system_authority, self.clock, targets)
                    if engine and self.emit_competency_statements
                    else None,
                    Completer(engine) if engine else None,
                    config_version=engine.version if engine else "any",
                )
                break
            except ConfigurationChanged:
                # Another process saved a new version after this one's last poll: evaluate
                # the batch again under the version that is active now.
                if attempt == 3 or self.competencies is None:
                    raise
                engine = self.competencies.refresh()
                prepared = [
                    dataclasses.replace(item, evidence=_evidence(engine, item.statement, principal))
                    for item in prepared
                ]
                still_new = {item.id for item in new}
                new = [item for item in prepared if item.id in still_new]
            except Conflict:
                if attempt == 3:
                    raise
                new = self._drop_resent(prepared)
        return StoreResult(ids=[item.id for item in prepared], new_count=len(new))

    def _put_attachments(
        self, prepared: list[NewStatement], received: Mapping[str, ReceivedAttachment]
    ) -> None:
        """Every part must belong to a statement (Communication §1.5.2: a part is matched to
        an attachment by its hash, and no other way); then the content is stored, before the
        statements, so that no acknowledged statement lacks it."""
        if not received:
            return
        check_parts_used(received, {sha2 for item in prepared for sha2 in item.attachments})
        if self.attachments is None:
            raise BadRequest("this LRS does not store attachment content", field="Content-Type")
        self.attachments.put(received.values())

    def attachments_for(self, seqs: Sequence[int]) -> list[StoredAttachment]:
        """The stored attachment content of the statements ``seqs`` (``attachments=true``)."""
        return self.attachments.for_statements(seqs) if self.attachments else []

    def _drop_resent(self, prepared: list[NewStatement]) -> list[NewStatement]:
        existing = self.store.find_statements([item.id for item in prepared])
        new = []
        for item in prepared:
            stored = existing.get(item.id)
            if stored is None:
                new.append(item)
            elif not statements_match(orjson.loads(stored.json), item.statement):
                raise Conflict(
                    f"statement {item.id} is already stored with different content",
                    statement_id=item.id,
                )
        return new

    def _check_voiding_targets(self, prepared: list[NewStatement]) -> None:
        """A voiding statement may not target another voiding statement (Data §2.3.2)."""
        targets = {item.index.voids_id for item in prepared if item.index.voids_id}
        if not targets:
            return
        voiding_in_batch = {item.id for item in prepared if item.index.voids_id}
        stored = self.store.find_statements(targets)
        for item in prepared:
            target = item.index.voids_id
            if target is None:
                continue
            target_row = stored.get(target)
            if target in voiding_in_batch or (
                target_row is not None and target_row.voids_id is not None
            ):
                raise InvalidStatement(
                    "$.object.id", f"statement {target} is a voiding statement and cannot be voided"
                )

    # -- reading ------------------------------------------------------------------------

    def get_statement(
        self, statement_id: str, *, voided: bool, principal: Principal
    ) -> StoredStatement:
        """GET by ``statementId`` (``voided=False``) or ``voidedStatementId`` (``voided=True``)."""
        principal.require(Principal.can_read_statements, "read statements")
        found = self.store.get_statement(statement_id.lower())
        if (
            found is None
            or found.voided != voided
            or (
                principal.reads_only_own_statements()
                and found.authority_id != principal.credential_id
            )
        ):
            kind = "voided statement" if voided else "statement"
            raise NotFound(f"no {kind} with id {statement_id}", statement_id=statement_id)
        return found

    def parse_query(
        self, args: Mapping[str, str], *, version: str, principal: Principal
    ) -> tuple[StatementQuery, dict[str, str]]:
        """Turn query parameters (or a ``more`` cursor) into a store query.

        Returns the query and the parameters to carry in the next ``more`` link.
        """
        unknown = sorted(set(args) - QUERY_PARAMETERS)
        if unknown:
            raise BadRequest(f"unknown query parameter {unknown[0]!r}", field=unknown[0])
        after_seq = None
        if "more" in args:
            if len(args) > 1:
                raise BadRequest("'more' cannot be combined with other parameters", field="more")
            args, after_seq = _decode_cursor(args["more"])
        agent = None
        if "agent" in args:
            try:
                agent_json = orjson.loads(args["agent"])
            except orjson.JSONDecodeError:
                raise BadRequest("parameter 'agent' must be JSON", field="agent") from None
            validate_agent(agent_json, version=version, path="agent")
            agent = agent_key(agent_json)
        limit = parse_count(args.get("limit"), "limit", default=0)
        query = StatementQuery(
            agent_key=agent,
            related_agents=_bool_param(args, "related_agents"),
            verb_id=_iri_param(args, "verb"),
            activity_id=_iri_param(args, "activity"),
            related_activities=_bool_param(args, "related_activities"),
            registration=_uuid_param(args, "registration"),
            since_us=_time_param(args, "since"),
            until_us=_time_param(args, "until"),
            authority_id=principal.credential_id if principal.reads_only_own_statements() else None,
            ascending=_bool_param(args, "ascending"),
            limit=min(limit, self.max_page_size) if limit else self.max_page_size,
            after_seq=after_seq,
        )
        return query, dict(args)

    def consistent_through_us(self) -> int:
        """``X-Experience-API-Consistent-Through`` for an answer that is not a query page
        (a single statement): from the same clock as ``stored``, never the host's own."""
        return self.store.consistent_through(self.clock)

    def query_statements(
        self,
        args: Mapping[str, str],
        *,
        version: str,
        principal: Principal,
        languages: Sequence[str] = (),
    ) -> QueryResult:
        """GET /statements without an id: one page plus the ``more`` link."""
        principal.require(Principal.can_read_statements, "read statements")
        if set(args) & {"statementId", "voidedStatementId"}:
            raise BadRequest(
                "statementId/voidedStatementId cannot be used here", field="statementId"
            )
        query, carried = self.parse_query(args, version=version, principal=principal)
        options = read_options(carried)
        page: StatementPage = self.store.query_statements(query, self.clock)
        more = ""
        if page.has_more and page.statements:
            more = f"{self.statements_path}?more={_encode_cursor(carried, page.statements[-1].seq)}"
        last_modified = max((s.stored_us for s in page.statements), default=None)
        return QueryResult(
            statements=[render(s.json, options, languages) for s in page.statements],
            more=more,
            consistent_through_us=page.consistent_through_us,
            last_modified_us=last_modified,
            options=options,
            attachments=tuple(self.attachments_for([s.seq for s in page.statements]))
            if options.attachments
            else (),
        )


def _evidence(
    engine: CompetencyEngine | None, statement: dict[str, Any], principal: Principal
) -> tuple[EvidenceDraft, ...]:
    """The evidence drafts of one statement; the store admits them by the credential's
    policy, and a credential whose statements are never evidence needs no evaluation."""
    if engine is None or principal.evidence == "none":
        return ()
    return tuple(engine.evidence_for(statement))


def check_single_parameters(args: Mapping[str, str]) -> None:
    """With ``statementId``/``voidedStatementId`` only ``attachments`` and ``format`` may appear."""
    if "statementId" in args and "voidedStatementId" in args:
        raise BadRequest(
            "use either statementId or voidedStatementId, not both", field="voidedStatementId"
        )
    extra = sorted(set(args) - _SINGLE_PARAMETERS)
    if extra:
        raise BadRequest(
            f"parameter {extra[0]!r} cannot be combined with statementId/voidedStatementId",
            field=extra[0],
        )


def render(json_text: str, options: ReadOptions, languages: Sequence[str]) -> str:
    """A stored statement in the requested ``format`` (exact is the stored text itself)."""
    if options.format == "exact":
        return json_text
    statement = orjson.loads(json_text)
    if options.format == "ids":
        return orjson.dumps(to_ids_format(statement)).decode()
    return orjson.dumps(to_canonical_format(statement, list(languages))).decode()
