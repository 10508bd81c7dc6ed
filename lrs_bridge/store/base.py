"""The storage interface the domain core depends on, and its records.

Implementations: :mod:`lrs_bridge.store.sqlalchemy` (SQLite and PostgreSQL). Every method
raises domain errors from :mod:`lrs_bridge.errors` (``Conflict``, ``StoreUnavailable``),
never driver errors.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Connection

from lrs_bridge.xapi.extract import StatementIndex


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewStatement:
    """A validated statement ready to store; the store stamps ``stored`` when it commits."""

    id: str
    statement: dict[str, Any]
    index: StatementIndex
    #: None when the statement has no timestamp: the store sets it to ``stored``.
    timestamp_us: int | None
    authority_id: int | None
    version: str
    #: Competency evidence the statement gives, committed with it.
    evidence: tuple[EvidenceDraft, ...] = ()
    #: SHA-2 hashes of attachment content already in the attachment store that this
    #: statement carries; linked to it in the same transaction.
    attachments: tuple[str, ...] = ()
    #: Ids of the upstreams the statement is forwarded to: their outbox rows are inserted
    #: in the same transaction (a voiding statement also follows the statement it voids).
    forward_to: tuple[int, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class StoredStatement:
    """A statement as the store holds it: ``json`` is the exact text returned to clients."""

    seq: int
    id: str
    json: str
    stored_us: int
    voided: bool
    authority_id: int | None
    #: For a voiding statement, the id of the statement it voids.
    voids_id: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class StatementQuery:
    """Filters of a statement query (xAPI Communication §2.1.3), already parsed.

    ``after_seq`` continues a paged query: the next page starts strictly beyond it in the
    query's order.
    """

    agent_key: str | None = None
    related_agents: bool = False
    verb_id: str | None = None
    activity_id: str | None = None
    related_activities: bool = False
    registration: str | None = None
    since_us: int | None = None
    until_us: int | None = None
    authority_id: int | None = None
    ascending: bool = False
    limit: int = 100
    after_seq: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class StatementPage:
    """One page of a query; ``has_more`` tells whether a ``more`` link is due."""

    statements: list[StoredStatement]
    has_more: bool
    #: Every statement stored at or before this time is visible to this and later queries.
    consistent_through_us: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class CredentialRecord:
    """A stored credential; the secret exists only as a hash."""

    id: int
    name: str
    key: str
    secret_hash: str
    scopes: frozenset[str]
    disabled: bool
    learner_id: int | None = None
    #: Which of its statements count as evidence: ``trusted``, ``self`` or ``none``.
    evidence: str = "trusted"


#: Returns the current time in microseconds since the epoch.
Clock = Callable[[], int]


class StatementStore(Protocol):
    """Statements and their query indexes."""

    def find_statements(self, ids: Collection[str]) -> dict[str, StoredStatement]:
        """The stored statements among ``ids`` (lower-case UUIDs), voided or not."""
        ...

    def add_statements(
        self,
        statements: Sequence[NewStatement],
        clock: Clock,
        reduce: StateReducer | None = None,
        assertions: AssertionFactory | None = None,
        closer: Any = None,
        *,
        config_version: Any = "any",
    ) -> list[int]:
        """Store all or none, apply voiding, and return the ``stored`` times given.

        With ``reduce``, each statement's ``evidence`` is recorded, evidence of voided
        statements is retracted and the touched competency states are recomputed, in the
        same transaction; ``closer`` (an ``AssignmentCloser``) then closes the open refresher
        assignments that the new evidence completes.

        ``stored`` is taken inside the write transaction (from ``clock``, or on PostgreSQL
        from the database's clock), so stored times increase with commit order and
        ``consistent_through`` is exact. Raises ``Conflict`` when an id is taken meanwhile by
        a concurrent writer, and ``ConfigurationChanged`` when ``config_version`` (the
        competency version the evidence was computed under; ``"any"``: unchecked) is no
        longer the active one.
        """
        ...

    def get_statement(self, statement_id: str) -> StoredStatement | None:
        """One statement by id, voided or not."""
        ...

    def query_statements(self, query: StatementQuery, clock: Clock) -> StatementPage:
        """One page of non-voided statements matching ``query``, newest first by default."""
        ...

    def consistent_through(self, clock: Clock) -> int:
        """A time up to which every stored statement is visible to later reads."""
        ...

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` unless the database answers."""
        ...


class CredentialStore(Protocol):
    """API credentials."""

    def add_credential(
        self,
        *,
        name: str,
        key: str,
        secret_hash: str,
        scopes: Collection[str],
        created_us: int,
        learner_id: int | None = None,
        evidence: str = "trusted",
    ) -> CredentialRecord:
        """Store a new credential; ``Conflict`` if the key exists."""
        ...

    def credential_by_key(self, key: str) -> CredentialRecord | None:
        """The credential with this public key, if any."""
        ...

    def credential_by_id(self, credential_id: int) -> CredentialRecord | None:
        """The credential with this id, if any."""
        ...

    def list_credentials(self) -> list[CredentialRecord]:
        """Every credential, oldest first."""
        ...

    def set_credential_disabled(self, key: str, disabled: bool) -> None:
        """Disable or re-enable a credential; ``NotFound`` if the key is unknown."""
        ...


@dataclasses.dataclass(frozen=True, kw_only=True)
class EvidenceDraft:
    """Evidence a statement gives, before its learner is resolved (see ``EvidenceLedger``)."""

    agent_key: str
    agent: dict[str, Any]
    competency_id: str
    rule_id: str
    method: str
    weight: float
    quality: float
    #: The statement's timestamp; None when it had none (the store uses ``stored``).
    at_us: int | None
    #: The statement's content fingerprint (``competency/dedup.py``); None: never a repeat.
    fingerprint: str | None = None


class LedgerPoint(NamedTuple):
    """One evidence row as the state reducer sees it (a tuple: every state recomputation
    makes one per evidence row of the pair, ~0.2 µs against a frozen dataclass's ~0.8)."""

    seq: int
    at_us: int
    weight: float
    quality: float


@dataclasses.dataclass(frozen=True, kw_only=True)
class StateRow:
    """The precomputed state of one learner × competency."""

    level: float
    last_evidence_us: int | None
    stale_at_us: int | None
    evidence_count: int
    stability_days: float | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class StateChange:
    """A learner × competency state that an ingest transaction changed."""

    learner_id: int
    #: One IFI key of the learner (to name them as a statement's actor).
    agent_key: str
    competency_id: str
    before: StateRow | None
    after: StateRow | None


#: Builds statements announcing state changes (xAPI TLA ``asserted``); they are stored in the
#: same transaction as the statements that caused the changes.
AssertionFactory = Callable[[Sequence[StateChange]], Sequence[NewStatement]]

#: Pure competency maths the store calls inside the ingest transaction: the state of one
#: learner × competency from all of its evidence. A callback keeps the maths out of
#: ``store/`` while statements, evidence and states still commit together.
StateReducer = Callable[[str, Sequence[LedgerPoint]], StateRow]


# -- attachments (implementation: store/attachments.py) ----------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReceivedAttachment:
    """An attachment part of a request: spooled to ``path``, its SHA-2 already verified."""

    sha2: str
    content_type: str
    length: int
    path: Path


@dataclasses.dataclass(frozen=True, kw_only=True)
class StoredAttachment:
    """Stored attachment content: what a multipart response needs to announce it."""

    sha2: str
    content_type: str
    length: int
    location: str


class AttachmentContentStore(Protocol):
    """Attachment content by SHA-2, stored before the statements that carry it."""

    def put(self, parts: Iterable[ReceivedAttachment]) -> None:
        """Store each part not stored yet, durably, before returning."""
        ...

    def for_statements(self, seqs: Sequence[int]) -> list[StoredAttachment]:
        """The distinct content linked to the statements ``seqs``, in statement order."""
        ...

    def open(self, attachment: StoredAttachment) -> Iterator[bytes]:
        """The content of ``attachment``, a chunk at a time."""
        ...


class StorePart:
    """A part of ``SqlStore`` written as a mixin in its own module (refreshers, privacy):
    it runs in the store's transactions, which ``SqlStore`` provides."""

    is_postgres: bool
    duplicate_window_us: int

    def _read(self) -> contextlib.AbstractContextManager[Connection]:
        raise NotImplementedError

    def _write(
        self, *, serialise_statements: bool = False
    ) -> contextlib.AbstractContextManager[Connection]:
        raise NotImplementedError
