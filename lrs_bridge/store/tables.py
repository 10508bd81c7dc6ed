"""The relational schema. Alembic migrations (``store/migrations``) create exactly this.

Design notes:

* ``statements.seq`` is the monotonic sequence behind the ``more`` cursor and ordering;
  on SQLite it aliases the rowid, on PostgreSQL it is a BIGINT identity.
* Times are integer microseconds since the epoch (``*_us``): exact, sortable and identical
  on both databases; the statement JSON keeps the textual form.
* ``statement_keys`` holds every filter value a statement matches (verb, registration, every
  agent and activity it mentions, ``narrow`` marking actor/object), including those inherited
  from the statements it targets through a StatementRef (Communication §2.1.3, "Filter
  Conditions for StatementRefs", recursive). Each query filter is one index range scan.
* The full statement is stored as JSON text exactly as it will be returned (``format=exact``),
  so reads splice stored text into the response without re-encoding.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()

#: A BIGINT that SQLite treats as ``INTEGER`` so that a primary key aliases the rowid.
SequenceInteger = BigInteger().with_variant(Integer(), "sqlite")

credentials = Table(
    "credentials",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("key", String(200), nullable=False, unique=True),
    #: ``scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>``: the secret itself is never stored.
    Column("secret_hash", String(300), nullable=False),
    #: Space-separated xAPI scopes plus ``admin``.
    Column("scopes", Text, nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=text("false")),
    #: A learner's own credential: it may read that learner's competencies and nothing more.
    Column("learner_id", Integer, ForeignKey("learners.id", name="fk_credentials_learner_id")),
)

statements = Table(
    "statements",
    metadata,
    Column("seq", SequenceInteger, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("stored_us", BigInteger, nullable=False),
    Column("timestamp_us", BigInteger, nullable=False),
    Column("verb_id", Text, nullable=False),
    Column("actor_key", Text),
    Column("object_type", String(16), nullable=False),
    Column("object_key", Text),
    Column("registration", String(36)),
    Column("voids_id", String(36)),
    Column("voided", Boolean, nullable=False, server_default=text("false")),
    Column("authority_id", Integer, ForeignKey("credentials.id")),
    Column("version", String(16), nullable=False),
    Column("statement", Text, nullable=False),
    Index("ix_statements_stored", "stored_us"),
    Index(
        "ix_statements_statement_refs",
        "object_key",
        sqlite_where=text("object_type = 'StatementRef'"),
        postgresql_where=text("object_type = 'StatementRef'"),
    ),
    Index("ix_statements_authority_seq", "authority_id", "seq"),
)

statement_keys = Table(
    "statement_keys",
    metadata,
    #: ``kind|value`` (see ``StatementIndex.match_keys``), own or inherited through a StatementRef.
    Column("key", Text, primary_key=True),
    Column("seq", SequenceInteger, ForeignKey("statements.seq"), primary_key=True),
    Column("narrow", Boolean, nullable=False),
    # Reading a statement's keys (StatementRef inheritance, deletion) goes by seq.
    Index("ix_statement_keys_seq", "seq"),
    # A clustered (key, seq) b-tree on SQLite: no separate rowid table to write.
    sqlite_with_rowid=False,
)

# -- competency engine ------------------------------------------------------------------

learners = Table(
    "learners",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300)),
    Column("email", String(320)),
    Column("team", String(200)),
    Column("manager_id", Integer, ForeignKey("learners.id")),
    Column("language", String(35)),
    Column("created_us", BigInteger, nullable=False),
)

#: Every IFI (``agent_key``) that identifies a learner: competency state follows the person.
learner_ifis = Table(
    "learner_ifis",
    metadata,
    Column("agent_key", Text, primary_key=True),
    Column("learner_id", Integer, ForeignKey("learners.id"), nullable=False, index=True),
)

#: One row per statement × competency: the evidence ledger (replay rebuilds it exactly).
evidence = Table(
    "evidence",
    metadata,
    Column("seq", SequenceInteger, ForeignKey("statements.seq"), primary_key=True),
    Column("learner_id", Integer, ForeignKey("learners.id"), primary_key=True),
    Column("competency_id", Text, primary_key=True),
    Column("rule_id", Text, nullable=False),
    Column("method", String(64), nullable=False),
    Column("weight", Float, nullable=False),
    Column("quality", Float, nullable=False),
    Column("at_us", BigInteger, nullable=False),
    Index("ix_evidence_learner_competency", "learner_id", "competency_id"),
)

#: The precomputed state per learner × competency; ``stale_at_us`` is the due index.
competency_state = Table(
    "competency_state",
    metadata,
    Column("learner_id", Integer, ForeignKey("learners.id"), primary_key=True),
    Column("competency_id", Text, primary_key=True),
    Column("level", Float, nullable=False),
    Column("last_evidence_us", BigInteger),
    Column("stale_at_us", BigInteger),
    Column("evidence_count", Integer, nullable=False),
    Column("stability_days", Float),
    Column("updated_us", BigInteger, nullable=False),
    Index("ix_competency_state_stale_at", "stale_at_us"),
)

#: Versions of the competency framework and map that admins changed through the API; the
#: newest is active. Without any row the shipped files (or the configured ones) apply.
competency_configs = Table(
    "competency_configs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("framework", Text, nullable=False),
    Column("map", Text, nullable=False),
    Column("note", Text),
    Column("created_by", String(200)),
    Column("created_us", BigInteger, nullable=False),
    #: When the scheduler rebuilt evidence and states under this version (None: pending).
    Column("replayed_us", BigInteger),
)
