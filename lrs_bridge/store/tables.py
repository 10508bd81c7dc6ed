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
    LargeBinary,
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
    #: Whose evidence its statements are: ``trusted`` (anyone they name), ``self`` (only the
    #: credential's own learner) or ``none`` (auth.EVIDENCE_POLICIES).
    Column("evidence", String(16), nullable=False, server_default="trusted"),
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
    #: ``competency/dedup.py``: the statement's content fingerprint (None: written before
    #: migration 0016), and the seq of the statement this row repeats (None: it counts).
    Column("fingerprint", String(32)),
    Column("duplicate_of", SequenceInteger),
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

# -- refresher assignments and notifications ---------------------------------------------------

#: A refresher a learner is asked to do because a competency went (or is going) stale.
#: Open while ``closed_us`` is NULL; at most one open assignment per learner × competency.
refresher_assignments = Table(
    "refresher_assignments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("learner_id", Integer, ForeignKey("learners.id"), nullable=False),
    Column("competency_id", Text, nullable=False),
    Column("activity_id", Text, nullable=False),
    Column("method", String(64), nullable=False),
    #: assigned | notified | overdue | escalated | completed | cancelled
    Column("status", String(16), nullable=False),
    #: JSON: why (which evidence is old, since when) and why this activity.
    Column("reason", Text, nullable=False),
    #: The competency's stale_at when assigned: a cancelled assignment suppresses a new one
    #: until fresh evidence moves stale_at.
    Column("basis_stale_at_us", BigInteger),
    Column("created_us", BigInteger, nullable=False),
    Column("due_us", BigInteger, nullable=False),
    #: When the follow-up job must look at it next (reminder, escalation); NULL when closed.
    Column("next_check_us", BigInteger),
    Column("acknowledged_us", BigInteger),
    Column("snoozed_us", BigInteger, nullable=False, server_default=text("0")),
    Column("reminders", Integer, nullable=False, server_default=text("0")),
    Column("closed_us", BigInteger),
    #: ``statement:<id>``, ``admin:<credential>`` … what closed it.
    Column("closed_by", Text),
    Column("scan_run", String(64)),
    Index(
        "ux_refresher_assignments_open",
        "learner_id",
        "competency_id",
        unique=True,
        sqlite_where=text("closed_us IS NULL"),
        postgresql_where=text("closed_us IS NULL"),
    ),
    Index("ix_refresher_assignments_pair", "learner_id", "competency_id", "basis_stale_at_us"),
    Index("ix_refresher_assignments_created", "learner_id", "created_us"),
    Index(
        "ix_refresher_assignments_next_check",
        "next_check_us",
        sqlite_where=text("closed_us IS NULL"),
        postgresql_where=text("closed_us IS NULL"),
    ),
)

#: Every status transition of an assignment, with its cause.
assignment_events = Table(
    "assignment_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("assignment_id", Integer, ForeignKey("refresher_assignments.id"), nullable=False),
    Column("at_us", BigInteger, nullable=False),
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("cause", Text, nullable=False),
    Column("detail", Text),
    Index("ix_assignment_events_assignment", "assignment_id", "id"),
)

#: The outbox: a notification is written in the transaction that decided it and delivered
#: later by the dispatcher (at least once, with a stable idempotency key).
notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("channel", String(16), nullable=False),  # email | webhook | xapi
    Column("target", Text, nullable=False),  # an e-mail address, a URL, "store"
    Column("kind", String(16), nullable=False),  # assigned | reminder | escalation
    Column("learner_id", Integer, ForeignKey("learners.id")),
    #: JSON of :class:`lrs_bridge.notify.model.Digest`.
    Column("payload", Text, nullable=False),
    #: waiting (for a channel) | routed (copied to its channels) | pending | sent | dead
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_us", BigInteger, nullable=False),
    #: A dispatcher's claim: others skip the row until then (a crashed one's claim expires).
    Column("lease_until_us", BigInteger),
    #: The claim's random token: only the dispatcher holding it may settle or extend it.
    Column("lease_token", String(32)),
    Column("created_us", BigInteger, nullable=False),
    Column("sent_us", BigInteger),
    Column("last_error", Text),
    Index(
        "ix_notifications_due",
        "next_attempt_us",
        sqlite_where=text("status = 'pending'"),
        postgresql_where=text("status = 'pending'"),
    ),
    Index("ix_notifications_learner", "learner_id"),
    Index(
        "ix_notifications_waiting",
        "id",
        sqlite_where=text("status = 'waiting'"),
        postgresql_where=text("status = 'waiting'"),
    ),
)

#: Which assignments a notification is about (a digest covers several).
notification_assignments = Table(
    "notification_assignments",
    metadata,
    Column("notification_id", Integer, ForeignKey("notifications.id"), primary_key=True),
    Column("assignment_id", Integer, ForeignKey("refresher_assignments.id"), primary_key=True),
    Index("ix_notification_assignments_assignment", "assignment_id"),
)

#: The delivery log: one row per attempt, with the outcome.
delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("notification_id", Integer, ForeignKey("notifications.id"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at_us", BigInteger, nullable=False),
    Column("outcome", String(16), nullable=False),  # sent | retry | dead
    Column("duration_ms", Float),
    Column("detail", Text),
    Index("ix_delivery_attempts_notification", "notification_id", "id"),
)

# -- documents (State, Activity Profile, Agent Profile) ----------------------------------------

#: State, Activity Profile and Agent Profile documents (Communication §2.3, §2.6, §2.7), kept
#: byte-exact with their Content-Type. ``kind`` is ``state``, ``activity_profile`` or
#: ``agent_profile``; a key part a kind does not use is '' rather than NULL, because
#: PostgreSQL treats NULLs in a unique key as distinct (two "no registration" rows would fit).
documents = Table(
    "documents",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("activity_id", Text, primary_key=True),
    #: ``agent_key`` of the Agent (``xapi.extract.agent_key``), '' for activity profiles.
    Column("agent_key", Text, primary_key=True),
    #: A lower-case UUID, '' when none.
    Column("registration", String(36), primary_key=True),
    Column("document_id", Text, primary_key=True),
    Column("content_type", String(255), nullable=False),
    Column("content", LargeBinary, nullable=False),
    #: SHA-1 hex of ``content`` (Communication §3.1: the ETag, quoted in headers).
    Column("etag", String(40), nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    # The id lists with ``since``: one range scan of a context, newest last.
    Index("ix_documents_since", "kind", "activity_id", "agent_key", "registration", "updated_us"),
)

#: The canonical Activity definition (Communication §2.5), merged from stored statements up to
#: ``through_seq``; a read merges only statements stored since (statements are immutable).
activity_definitions = Table(
    "activity_definitions",
    metadata,
    Column("activity_id", Text, primary_key=True),
    #: JSON object: the merged ``definition`` ('{}' while no statement defined the activity).
    Column("definition", Text, nullable=False),
    Column("through_seq", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
)

# -- attachments ---------------------------------------------------------------------------------

#: Attachment content (Data §2.4.11), content-addressed by the SHA-2 hex the statements name,
#: so a file attached to many statements is kept once. ``location`` says where its bytes are:
#: ``database`` (in ``attachment_chunks``) or ``file`` (the file store, by the same hash). A
#: row is written, and committed, before any statement that links to it.
attachments = Table(
    "attachments",
    metadata,
    Column("sha2", String(128), primary_key=True),
    #: The part's Content-Type, served back with the content.
    Column("content_type", String(255), nullable=False),
    Column("length", BigInteger, nullable=False),
    Column("location", String(16), nullable=False),
    Column("created_us", BigInteger, nullable=False),
)

#: The content of ``database`` attachments in ordered chunks of at most 1 MiB, so that neither
#: writing nor reading an attachment ever holds it whole in memory.
attachment_chunks = Table(
    "attachment_chunks",
    metadata,
    Column(
        "sha2",
        String(128),
        ForeignKey("attachments.sha2", name="fk_attachment_chunks_sha2", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("n", Integer, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)

#: Which statements carry which stored content; a statement's rows go with it on erasure.
statement_attachments = Table(
    "statement_attachments",
    metadata,
    Column(
        "statement_seq",
        BigInteger,
        ForeignKey("statements.seq", name="fk_statement_attachments_seq", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column(
        "sha2",
        String(128),
        ForeignKey("attachments.sha2", name="fk_statement_attachments_sha2"),
        primary_key=True,
    ),
    Index("ix_statement_attachments_sha2", "sha2"),
)

# -- privacy ---------------------------------------------------------------------------------------

#: The audit trail of erasures: who asked, when, how many rows of each kind went. It holds
#: no identifier, name or learner id (a random id names the erasure).
erasures = Table(
    "erasures",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("at_us", BigInteger, nullable=False),
    Column("requested_by", String(200), nullable=False),
    Column("counts", Text, nullable=False),
)

#: Secrets the instance generates for itself (the pseudonym key of analytics exports).
instance_secrets = Table(
    "instance_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

#: Failed authentications in the current fixed window, per bucket: ``key:<digest>`` or
#: ``addr:<client address>``. Shared by every process, so throttling holds across workers.
auth_failures = Table(
    "auth_failures",
    metadata,
    Column("bucket", String(80), primary_key=True),
    Column("window_start_us", BigInteger, nullable=False),
    Column("failures", Integer, nullable=False),
    Index("ix_auth_failures_window", "window_start_us"),
)

# -- console: activity inbox (store/activity_usage.py) --------------------------------------------

#: Per activity (a statement's object Activity): how it is used, kept current by the
#: scheduler's ``activity-usage`` job from a seq cursor, so the inbox never aggregates raw
#: statements per request. ``evidence_statements`` = 0 means no rule and no direct alignment
#: turned any of its statements into evidence: the activity is unmapped.
activity_usage = Table(
    "activity_usage",
    metadata,
    Column("activity_id", Text, primary_key=True),
    Column("statements", BigInteger, nullable=False),
    #: Distinct agents whose evidence its statements would be (``activity_usage_learners``).
    Column("learners", Integer, nullable=False),
    Column("evidence_statements", BigInteger, nullable=False),
    Column("last_us", BigInteger, nullable=False),
    #: The newest statement seen for it (one example to show).
    Column("example_id", String(36), nullable=False),
    #: The newest ``definition.name`` language map seen (JSON), and ``definition.type``.
    Column("name", Text),
    Column("type", Text),
    #: JSON lists, sorted: the verbs and the ``context.platform`` values seen (capped).
    Column("verbs", Text, nullable=False),
    Column("platforms", Text, nullable=False),
    # The inbox: unmapped first, busiest first, one index range.
    Index("ix_activity_usage_busiest", "evidence_statements", "statements", "activity_id"),
)

#: Who used an activity (agent keys), so learner counts stay distinct across job runs.
activity_usage_learners = Table(
    "activity_usage_learners",
    metadata,
    Column("activity_id", Text, primary_key=True),
    Column("agent_key", Text, primary_key=True),
)

#: Agents seen in statements (whose evidence they would be), with a count and the last time;
#: the inbox lists those that no directory identifier (``learner_ifis``) names.
agent_usage = Table(
    "agent_usage",
    metadata,
    Column("agent_key", Text, primary_key=True),
    #: The agent as last seen (JSON: name and identifier), for display.
    Column("agent", Text, nullable=False),
    Column("statements", BigInteger, nullable=False),
    Column("last_us", BigInteger, nullable=False),
    Index("ix_agent_usage_busiest", "statements", "agent_key"),
)

#: The job's single cursor row (id 1): statements up to ``through_seq`` are counted; flags
#: follow the ledger of configuration ``flags_version`` (0: the files); ``erasures`` is how
#: many erasures the counts have seen (a new one triggers a rebuild).
activity_usage_cursor = Table(
    "activity_usage_cursor",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("through_seq", BigInteger, nullable=False),
    Column("flags_version", Integer, nullable=False),
    Column("erasures", Integer, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
)

# -- console settings ------------------------------------------------------------------------------

#: Settings an admin edits in the console (branding), one JSON document per key. Kept in the
#: database, not the config file, so every web worker and the dispatcher see the same values.
console_settings = Table(
    "console_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Column("updated_by", String(320), nullable=False),
)

# -- console sign-in -------------------------------------------------------------------------------

#: People who sign in to the console without being (only) directory learners: admins today;
#: ``role`` leaves room for more. ``password_hash`` is ``scrypt$n$r$p$salt$hash``
#: (``auth.hash_secret``), or NULL for a user who signs in by e-mail link only.
console_users = Table(
    "console_users",
    metadata,
    Column("id", Integer, primary_key=True),
    #: Lower-cased, so look-ups and uniqueness ignore case.
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(300)),
    Column("role", String(32), nullable=False),
    Column("password_hash", String(300)),
    Column("disabled", Boolean, nullable=False, server_default=text("false")),
    Column("created_us", BigInteger, nullable=False),
)

#: One-time sign-in links. Only the SHA-256 of the token is stored, so a read of this table
#: signs nobody in. A token names whom it signs in (a console user or a directory learner, by
#: id, no address) and where to go next; ``used_us`` is set once, by a conditional UPDATE.
signin_tokens = Table(
    "signin_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("console_users.id", name="fk_signin_tokens_user_id", ondelete="CASCADE"),
    ),
    #: Erasing or merging away the learner deletes their tokens (a reused id signs no one in).
    Column(
        "learner_id",
        Integer,
        ForeignKey("learners.id", name="fk_signin_tokens_learner_id", ondelete="CASCADE"),
    ),
    Column("next_path", String(500)),
    Column("created_us", BigInteger, nullable=False),
    Column("expires_us", BigInteger, nullable=False),
    Column("used_us", BigInteger),
    Index("ix_signin_tokens_expires", "expires_us"),
)

# -- upstream LRSs (the bridge) --------------------------------------------------------------------

#: Another LRS this one forwards to, pulls from, or both. ``source`` is ``config`` (the
#: configuration file, re-synchronised at start) or ``api`` (admin API and CLI). The secret is
#: kept encrypted (``upstream/secrets.py``) because it must be sent, not merely checked; it is
#: never returned by the API. Filters are JSON lists; an empty list matches everything.
upstreams = Table(
    "upstreams",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("endpoint", String(2000), nullable=False),
    Column("key", String(500), nullable=False),
    Column("secret", Text, nullable=False),
    #: ``1.0.3`` or ``2.0.0``: the X-Experience-API-Version it is spoken to in.
    Column("version", String(16), nullable=False),
    #: ``forward``, ``pull`` or ``both``.
    Column("direction", String(16), nullable=False),
    Column("verbs", Text, nullable=False, server_default="[]"),
    Column("activity_prefixes", Text, nullable=False, server_default="[]"),
    #: ``context.platform`` values.
    Column("platforms", Text, nullable=False, server_default="[]"),
    #: Keys of the credentials whose statements are forwarded.
    Column("credentials", Text, nullable=False, server_default="[]"),
    Column("source", String(16), nullable=False, server_default="api"),
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    #: The credential pulled statements are stored under (its authority, its evidence policy).
    Column("pull_credential_id", Integer, ForeignKey("credentials.id")),
    Column("created_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
)

#: The forward outbox: one row per statement × upstream, written in the statement's ingest
#: transaction. Delivered in ``seq`` order per upstream; a batch is leased to one forwarder
#: (``lease_token``/``lease_until_us``) and re-sent after a crash once the lease has passed,
#: which the upstream sees as a re-send of the same ids. Erasing a statement deletes its rows.
upstream_outbox = Table(
    "upstream_outbox",
    metadata,
    Column("id", SequenceInteger, primary_key=True, autoincrement=True),
    Column(
        "upstream_id",
        Integer,
        ForeignKey("upstreams.id", name="fk_upstream_outbox_upstream", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "seq",
        SequenceInteger,
        ForeignKey("statements.seq", name="fk_upstream_outbox_seq", ondelete="CASCADE"),
        nullable=False,
    ),
    #: ``pending``, ``delivered`` or ``dead``.
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("queued_us", BigInteger, nullable=False),
    Column("next_attempt_us", BigInteger, nullable=False),
    Column("first_failure_us", BigInteger),
    Column("lease_token", String(64)),
    Column("lease_until_us", BigInteger),
    Column("last_error", Text),
    Column("delivered_us", BigInteger),
    Index("ux_upstream_outbox_statement", "upstream_id", "seq", unique=True),
    Index("ix_upstream_outbox_status", "upstream_id", "status", "seq"),
    Index("ix_upstream_outbox_seq", "seq"),
)

#: Per upstream: the pull cursor and lease, and the forwarder's lease and last outcomes, so
#: several schedulers pull (and forward to) each upstream once, and a restart resumes exactly.
upstream_state = Table(
    "upstream_state",
    metadata,
    Column(
        "upstream_id",
        Integer,
        ForeignKey("upstreams.id", name="fk_upstream_state_upstream", ondelete="CASCADE"),
        primary_key=True,
    ),
    #: The ``since`` of the next listing (upstream ``stored`` time, µs), overlap applied.
    Column("pull_since_us", BigInteger),
    #: The upstream's ``more`` link being followed, if a listing is part-way through.
    Column("pull_more", Text),
    #: Statements seen at the upstream's latest ``stored`` times (JSON list of ids), so the
    #: overlap window does not count them again.
    Column("pull_seen", Text),
    Column("pull_lease_token", String(64)),
    Column("pull_lease_until_us", BigInteger),
    Column("pull_last_success_us", BigInteger),
    Column("pull_last_error", Text),
    Column("pull_last_error_us", BigInteger),
    Column("pulled_count", BigInteger, nullable=False, server_default="0"),
    Column("forward_lease_token", String(64)),
    Column("forward_lease_until_us", BigInteger),
    Column("forward_last_success_us", BigInteger),
    Column("forward_last_error", Text),
    Column("forward_last_error_us", BigInteger),
    Column("forwarded_count", BigInteger, nullable=False, server_default="0"),
)
