"""The console's statement browser: recent statements by agent, verb, activity and time,
each with the evidence it produced.

It reuses the xAPI query of the Statement resource (the store's ``query_statements``, one
index range per filter, newest first, a seq cursor) rather than a second query, and reads the
ledger rows of the page's statements in one more query.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import Any, Protocol

import orjson

from lrs_bridge.errors import BadRequest
from lrs_bridge.store.base import Clock, StatementPage, StatementQuery, StoredStatement
from lrs_bridge.store.statement_evidence import EvidenceRow
from lrs_bridge.xapi.extract import agent_key
from lrs_bridge.xapi.timefmt import parse_timestamp_us

#: Statements per page.
PAGE_SIZE = 25
FILTERS = ("agent", "verb", "activity", "since", "until")


class StatementReads(Protocol):
    """The statement queries the browser needs (SqlStore provides them)."""

    def query_statements(self, query: StatementQuery, clock: Clock) -> StatementPage: ...

    def get_statement(self, statement_id: str) -> StoredStatement | None: ...


class EvidenceReads(Protocol):
    """Ledger rows by statement (StatementEvidenceStore provides them)."""

    def evidence_of(self, seqs: Collection[int]) -> dict[int, list[EvidenceRow]]: ...


@dataclasses.dataclass(frozen=True, kw_only=True)
class Filters:
    """The browser's filters as typed (blank: not filtered), and the query they make."""

    given: dict[str, str]
    query: StatementQuery


@dataclasses.dataclass(frozen=True, kw_only=True)
class BrowsedStatement:
    """One row: the statement, parsed, and what it gave the ledger."""

    seq: int
    id: str
    stored_us: int
    statement: dict[str, Any]
    evidence: list[EvidenceRow]


@dataclasses.dataclass(frozen=True, kw_only=True)
class BrowserPage:
    """A page of statements, newest first; ``next_before`` continues it."""

    rows: list[BrowsedStatement]
    next_before: int | None


def _agent_key(text: str) -> str:
    if text.startswith("{"):
        try:
            agent = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise BadRequest("the agent is not valid JSON", field="agent") from None
        key = agent_key(agent) if isinstance(agent, dict) else None
    elif "@" in text and " " not in text:
        key = agent_key({"mbox": text if text.startswith("mailto:") else f"mailto:{text}"})
    else:
        key = None
    if key is None:
        raise BadRequest("give an e-mail address or an Agent as JSON", field="agent")
    return key


def _iri(text: str, field: str) -> str:
    if ":" not in text or any(c.isspace() for c in text):
        raise BadRequest("give an absolute IRI", field=field)
    return text


def _time(text: str, field: str) -> int:
    # A datetime-local field sends no seconds and no zone: read as UTC.
    value = parse_timestamp_us(text if len(text) != 16 else text + ":00Z")
    if value is None:
        raise BadRequest("give a date and time, e.g. 2026-11-20T09:30", field=field)
    return value


def parse_filters(args: Mapping[str, str], *, limit: int = PAGE_SIZE) -> Filters:
    """Read the GET form (errors name the field); ``before`` is the paging cursor."""
    given = {name: (args.get(name) or "").strip() for name in FILTERS}
    before = (args.get("before") or "").strip()
    if before and not (before.isascii() and before.isdigit()):
        raise BadRequest("not a page cursor", field="before")
    query = StatementQuery(
        agent_key=_agent_key(given["agent"]) if given["agent"] else None,
        verb_id=_iri(given["verb"], "verb") if given["verb"] else None,
        activity_id=_iri(given["activity"], "activity") if given["activity"] else None,
        since_us=_time(given["since"], "since") if given["since"] else None,
        until_us=_time(given["until"], "until") if given["until"] else None,
        limit=limit,
        after_seq=int(before) if before else None,
    )
    return Filters(given=given, query=query)


class StatementBrowser:
    """Recent statements with their evidence, for admins."""

    def __init__(self, statements: StatementReads, ledger: EvidenceReads, clock: Clock) -> None:
        self.statements = statements
        self.ledger = ledger
        self.clock = clock

    def page(self, filters: Filters) -> BrowserPage:
        """One page of matching statements, newest first."""
        found = self.statements.query_statements(filters.query, self.clock)
        evidence = self.ledger.evidence_of([s.seq for s in found.statements])
        rows = [
            BrowsedStatement(
                seq=s.seq,
                id=s.id,
                stored_us=s.stored_us,
                statement=orjson.loads(s.json),
                evidence=evidence.get(s.seq, []),
            )
            for s in found.statements
        ]
        more = found.has_more and bool(rows)
        return BrowserPage(rows=rows, next_before=rows[-1].seq if more else None)

    def statement_json(self, statement_id: str) -> str | None:
        """One statement as stored (None: no such statement)."""
        found = self.statements.get_statement(statement_id)
        return None if found is None else found.json
