"""Typed settings, loaded once: defaults → TOML file → ``LRS_BRIDGE_*`` environment → overrides.

The TOML file is optional; its path comes from ``LRS_BRIDGE_CONFIG`` (or the ``config_file``
argument), else it is ``lrs-bridge.toml`` in the data directory if that exists (see
``paths.py``; relative paths in it are relative to the file). Keys are the field names below,
in a TOML table ``[lrs_bridge]`` or at the top level. Environment variables are the
upper-cased field names with the ``LRS_BRIDGE_`` prefix, e.g. ``LRS_BRIDGE_DATABASE_URL``.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from lrs_bridge.errors import BadRequest
from lrs_bridge.paths import (
    default_data_dir,
    default_database_url,
    find_config_file,
    resolve_paths,
)
from lrs_bridge.upstream.schema import UpstreamFileSchema

ENV_PREFIX = "LRS_BRIDGE_"
#: Settings that come only from the file (or the loader itself), never from the environment.
_FILE_ONLY = frozenset({"upstreams", "config_file"})
DEFAULT_AUTHORITY_HOMEPAGE = "urn:lrs-bridge:credentials"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything an lrs-bridge process can be told; immutable once loaded."""

    #: Where the process keeps its files (absolute; see ``paths.py`` for the default).
    data_dir: str = ""
    #: Empty means the SQLite file ``lrs-bridge.sqlite3`` in ``data_dir``.
    database_url: str = ""
    #: SQLite ``synchronous`` pragma: NORMAL survives process crashes in WAL mode;
    #: FULL also survives power loss at the cost of an fsync per commit.
    sqlite_synchronous: str = "NORMAL"
    host: str = "127.0.0.1"
    port: int = 8080
    #: Web worker processes; one per core measured best for ingest here (2-core machine).
    workers: int = dataclasses.field(default_factory=lambda: max(2, os.cpu_count() or 2))
    #: Threads per worker. CPU-bound Python shares one interpreter lock per process, so more
    #: threads mostly add contention (and lengthen the statement write gate's hold time).
    threads: int = 1
    scheduler: bool = True
    log_level: str = "INFO"
    access_log: bool = True
    #: Largest request body accepted, in bytes.
    max_body_bytes: int = 16 * 1024 * 1024
    #: Most statements in one POST; more get 413. 500 statements, each for another learner
    #: and aligned to all 17 default competencies, store in about a second on either database.
    max_batch_statements: int = 500
    #: Largest ``multipart/mixed`` statement request (statements plus attachment content),
    #: in bytes. The statements part itself is still limited by ``max_body_bytes``.
    max_attachment_bytes: int = 512 * 1024 * 1024
    #: Where attachment content is kept: ``database`` (chunked rows) or ``file``
    #: (``attachment_dir``, one file per SHA-2, written atomically).
    attachment_store: str = "database"
    #: The file store's directory (``attachment_store = "file"``); empty means
    #: ``attachments`` in ``data_dir``.
    attachment_dir: str = ""
    #: Largest page a statement query returns (and the page size when ``limit=0``).
    max_page_size: int = 500
    #: Seconds a verified credential is remembered in-process, so that a slow password hash
    #: is not computed on every request. It is re-read every half second meanwhile, so a
    #: disabled credential stops working in every process within a second.
    auth_cache_seconds: int = 60
    #: Failed attempts one key may make per ``auth_failure_window_seconds`` before 429.
    auth_max_failures_per_key: int = 10
    #: Failed attempts one client address may make per window before 429.
    auth_max_failures_per_address: int = 50
    #: The fixed window in which failed attempts are counted (from its first failure).
    auth_failure_window_seconds: int = 60
    #: ``account.homePage`` of the authority Agent the LRS writes for each credential.
    authority_homepage: str = DEFAULT_AUTHORITY_HOMEPAGE
    #: Directory for Prometheus multi-process files; empty means single-process metrics.
    metrics_dir: str = ""
    #: The xAPI version named in answers to requests that send no usable version header.
    #: The ADL suites disagree (each expects its own version), so an operator who must pass
    #: the 1.0.3 suite sets 1.0.3.
    default_version: str = "2.0.0"
    #: Evaluate statements against the competency map on ingest.
    competency_engine: bool = True
    #: Store an xAPI TLA ``asserted`` statement whenever a competency state changes.
    emit_competency_statements: bool = False
    #: Competency framework JSON; empty means the packaged default
    #: (``lrs_bridge/defaults/framework.json``; ``config/`` holds a copy to edit).
    framework_file: str = ""
    #: Competency map (YAML or JSON); empty means the packaged
    #: default (``lrs_bridge/defaults/competency-map.yaml``).
    competency_map_file: str = ""
    #: Where refresher e-mails go out: ``smtp://host:port``, ``smtp://user:pass@host:587?starttls=true``
    #: or ``smtps://…``; empty means no e-mail channel.
    smtp_url: str = ""
    #: The From address of notification e-mails.
    smtp_from: str = "lrs-bridge <noreply@lrs-bridge.invalid>"
    #: Comma-separated URLs that receive every notification as a signed JSON POST.
    webhook_urls: str = ""
    #: HMAC-SHA256 key for the ``X-LRS-Bridge-Signature`` header of webhook POSTs.
    webhook_secret: str = ""
    #: Allow webhook URLs without a secret (unsigned POSTs); refused otherwise.
    webhook_allow_unsigned: bool = False
    #: Also store an xAPI statement (TLA ``assigned``) for each new refresher assignment.
    emit_assignment_statements: bool = False
    #: How often the scheduler scans for due refreshers and follows up open assignments.
    refresher_scan_seconds: int = 300
    #: How often the scheduler delivers what the notification outbox holds.
    dispatch_seconds: int = 15
    #: Delivery attempts before a notification is dead-lettered.
    notification_max_attempts: int = 8
    #: First retry delay; each further retry doubles it (capped at one hour).
    notification_backoff_seconds: int = 30
    #: How long a dispatcher's claim on the notification it is sending lasts; it is
    #: extended every third of this while the send goes on, and after a crash the
    #: notification is sent again once this has passed.
    notification_lease_seconds: int = 120
    #: Test only: shifts this process's clock by this many milliseconds, to stand for a host
    #: whose clock is skewed. Never set it in production.
    clock_offset_ms: int = 0
    #: The address people reach the service at (``https://lrs.example.com``), for the links in
    #: sign-in and refresher e-mails; empty means ``http://{host}:{port}``.
    public_url: str = ""
    #: Minutes without a request after which a console session ends.
    console_idle_minutes: int = 30
    #: Trust ``X-Forwarded-Proto``/``-For``/``-Host`` from one reverse proxy in front (HTTPS there
    #: makes the session cookie ``Secure``). Leave off when clients reach the service directly.
    trust_proxy: bool = False
    #: How often the scheduler delivers the forward outbox to upstream LRSs.
    upstream_forward_seconds: int = 5
    #: How often the scheduler pulls from each pulling upstream.
    upstream_pull_seconds: int = 60
    #: Statements per forwarded POST, and the page size asked for when pulling.
    upstream_batch_size: int = 500
    #: Timeout of every request to an upstream (tincan's RemoteLRS has none of its own).
    upstream_timeout_seconds: int = 30
    #: First retry delay after a failed delivery; doubled per attempt up to the maximum.
    upstream_backoff_seconds: int = 5
    upstream_max_backoff_seconds: int = 300
    #: A statement an upstream keeps failing to take for this long becomes a dead letter
    #: (an outage shorter than this loses nothing and needs nobody).
    upstream_dead_after_hours: int = 24
    #: How long a forwarder's or puller's claim on an upstream lasts (renewed while it works).
    upstream_lease_seconds: int = 60
    #: How far behind the upstream's Consistent-Through a pull listing starts again, for
    #: statements that commit upstream with an earlier ``stored`` than ones already seen.
    upstream_pull_overlap_seconds: int = 5
    #: Repeats of a statement (same actor, verb, object and result) within this many seconds
    #: of its timestamp count once as competency evidence; 0 turns the policy off.
    duplicate_window_seconds: int = 600
    #: Encrypts upstream secrets at rest (any long random string). Kept outside the database,
    #: a stolen database alone does not reveal them; empty means an instance key kept in the
    #: database, which only keeps them out of casual reads (see docs/bridge.md).
    upstream_secret_key: str = ""
    #: The ``[[upstreams]]`` tables of the configuration file, validated, each secret read
    #: (from ``secret`` or the variable ``secret_env`` names); synchronised into the registry
    #: when ``serve``, ``scheduler`` or ``db upgrade`` starts.
    upstreams: tuple[dict[str, Any], ...] = ()
    #: The configuration file read, if any (named when a change must be made there).
    config_file: str = ""

    def __post_init__(self) -> None:
        # The defaults that live in the data directory, absolute whatever the working directory.
        data_dir = self.data_dir or str(default_data_dir(os.environ))
        object.__setattr__(self, "data_dir", data_dir)
        if not self.database_url:
            object.__setattr__(self, "database_url", default_database_url(data_dir))
        if not self.attachment_dir:
            object.__setattr__(self, "attachment_dir", str(Path(data_dir) / "attachments"))

    @property
    def webhook_targets(self) -> list[str]:
        """The configured webhook URLs."""
        return [url.strip() for url in self.webhook_urls.split(",") if url.strip()]

    @property
    def base_url(self) -> str:
        """Where links in e-mails point: ``public_url``, else this process's own address."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def is_sqlite(self) -> bool:
        """Whether the embedded SQLite database is in use."""
        return self.database_url.startswith("sqlite")


class SettingsSchema(Schema):
    """Validation of every layer's raw values: types, ranges and choices, by field name."""

    data_dir = fields.String()
    database_url = fields.String(validate=validate.Regexp(r"^(sqlite|postgresql)"))
    sqlite_synchronous = fields.String(validate=validate.OneOf(["OFF", "NORMAL", "FULL", "EXTRA"]))
    host = fields.String(validate=validate.Length(min=1))
    port = fields.Integer(validate=validate.Range(min=1, max=65535))
    workers = fields.Integer(validate=validate.Range(min=1, max=256))
    threads = fields.Integer(validate=validate.Range(min=1, max=64))
    scheduler = fields.Boolean()
    log_level = fields.String(
        validate=validate.OneOf(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
    )
    access_log = fields.Boolean()
    max_body_bytes = fields.Integer(validate=validate.Range(min=1024))
    max_batch_statements = fields.Integer(validate=validate.Range(min=1, max=100_000))
    max_attachment_bytes = fields.Integer(validate=validate.Range(min=1024))
    attachment_store = fields.String(validate=validate.OneOf(["database", "file"]))
    attachment_dir = fields.String()
    max_page_size = fields.Integer(validate=validate.Range(min=1, max=10_000))
    auth_cache_seconds = fields.Integer(validate=validate.Range(min=0))
    auth_max_failures_per_key = fields.Integer(validate=validate.Range(min=1))
    auth_max_failures_per_address = fields.Integer(validate=validate.Range(min=1))
    auth_failure_window_seconds = fields.Integer(validate=validate.Range(min=1))
    authority_homepage = fields.String(validate=validate.Regexp(r"^[A-Za-z][A-Za-z0-9+.-]*:"))
    metrics_dir = fields.String()
    default_version = fields.String(validate=validate.OneOf(["1.0.3", "2.0.0"]))
    competency_engine = fields.Boolean()
    emit_competency_statements = fields.Boolean()
    framework_file = fields.String()
    competency_map_file = fields.String()
    smtp_url = fields.String(validate=validate.Regexp(r"^(smtps?://.+)?$"))
    smtp_from = fields.String(validate=validate.Length(min=3))
    webhook_urls = fields.String(
        validate=validate.Regexp(r"^(https?://[^,\s]+(,\s*https?://[^,\s]+)*)?$")
    )
    webhook_secret = fields.String()
    webhook_allow_unsigned = fields.Boolean()
    emit_assignment_statements = fields.Boolean()
    refresher_scan_seconds = fields.Integer(validate=validate.Range(min=1))
    dispatch_seconds = fields.Integer(validate=validate.Range(min=1))
    notification_max_attempts = fields.Integer(validate=validate.Range(min=1, max=100))
    notification_backoff_seconds = fields.Integer(validate=validate.Range(min=1))
    notification_lease_seconds = fields.Integer(validate=validate.Range(min=1))
    clock_offset_ms = fields.Integer(validate=validate.Range(min=-86_400_000, max=86_400_000))
    public_url = fields.String(validate=validate.Regexp(r"^(https?://[^\s/]+(/[^\s]*)?)?$"))
    console_idle_minutes = fields.Integer(validate=validate.Range(min=1, max=7 * 24 * 60))
    trust_proxy = fields.Boolean()
    upstream_forward_seconds = fields.Integer(validate=validate.Range(min=1))
    upstream_pull_seconds = fields.Integer(validate=validate.Range(min=1))
    upstream_batch_size = fields.Integer(validate=validate.Range(min=1, max=10_000))
    upstream_timeout_seconds = fields.Integer(validate=validate.Range(min=1, max=3600))
    upstream_backoff_seconds = fields.Integer(validate=validate.Range(min=1))
    upstream_max_backoff_seconds = fields.Integer(validate=validate.Range(min=1))
    upstream_dead_after_hours = fields.Integer(validate=validate.Range(min=1))
    upstream_lease_seconds = fields.Integer(validate=validate.Range(min=5))
    upstream_pull_overlap_seconds = fields.Integer(validate=validate.Range(min=0, max=86_400))
    duplicate_window_seconds = fields.Integer(validate=validate.Range(min=0, max=7 * 86_400))
    upstream_secret_key = fields.String()

    class Meta:
        unknown = RAISE

    @validates_schema
    def _signed_webhooks(self, data: Mapping[str, Any], **_: Any) -> None:
        """Webhook receivers cannot tell our POSTs from anyone's without a signature."""
        if (
            data.get("webhook_urls")
            and not data.get("webhook_secret")
            and not data.get("webhook_allow_unsigned")
        ):
            raise ValidationError(
                f"webhook URLs are configured ({ENV_PREFIX}WEBHOOK_URLS) but no secret to sign "
                f"them with; set {ENV_PREFIX}WEBHOOK_SECRET, or {ENV_PREFIX}WEBHOOK_ALLOW_UNSIGNED"
                "=true to send unsigned POSTs that receivers cannot authenticate",
                field_name="webhook_secret",
            )


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_file: str | os.PathLike[str] | None = None,
) -> Settings:
    """Build :class:`Settings` from the layered sources; unknown keys are an error, not ignored."""
    env = os.environ if environ is None else environ
    names = {f.name for f in dataclasses.fields(Settings)} - _FILE_ONLY
    cwd = Path.cwd()
    # Values from the command line and the environment: relative paths are the caller's.
    given = resolve_paths(
        {
            **{n: env[ENV_PREFIX + n.upper()] for n in names if ENV_PREFIX + n.upper() in env},
            **(overrides or {}),
        },
        cwd,
    )
    data_dir = Path(given.get("data_dir") or default_data_dir(env))
    raw: dict[str, Any] = {"data_dir": str(data_dir)}
    source = "config file"
    upstream_tables: list[Any] = []

    path = find_config_file(
        str(config_file) if config_file else env.get(f"{ENV_PREFIX}CONFIG"), data_dir, cwd
    )
    if path is not None:
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise BadRequest(f"cannot read config file {path}: {exc}", field="config") from None
        upstream_tables = document.pop("upstreams", [])
        table = document.get("lrs_bridge", document)
        if not isinstance(table, dict):
            raise BadRequest(f"{path}: [lrs_bridge] must be a table", field="config")
        raw.update(resolve_paths(table, path.parent))
        source = f"{path}"
    raw.update(given)
    for key in ("sqlite_synchronous", "log_level"):
        if isinstance(raw.get(key), str):
            raw[key] = raw[key].upper()
    try:
        values = SettingsSchema().load(raw)
    except ValidationError as error:
        field, text = _first_message(error)
        raise BadRequest(
            f"invalid setting {field!r} ({source} key or {ENV_PREFIX}{field.upper()}): {text}",
            field=field,
        ) from None
    upstream_entries = _upstream_tables(upstream_tables, env, source)
    return Settings(
        **values, upstreams=upstream_entries, config_file=str(path) if path is not None else ""
    )


def _first_message(error: ValidationError) -> tuple[str, str]:
    """The first failing field and its messages as one line."""
    field, messages = next(iter(error.messages_dict.items()))
    return field, " ".join(map(str, messages)) if isinstance(messages, list) else str(messages)


def _upstream_tables(
    tables: Any, env: Mapping[str, str], source: str
) -> tuple[dict[str, Any], ...]:
    """The file's ``[[upstreams]]``, validated like the API's bodies, secrets resolved."""
    if not isinstance(tables, list):
        raise BadRequest(f"{source}: upstreams must be [[upstreams]] tables", field="upstreams")
    entries: list[dict[str, Any]] = []
    for index, table in enumerate(tables):
        where = f"upstreams[{index}]"
        try:
            entry = UpstreamFileSchema().load(table)
        except ValidationError as error:
            field, text = _first_message(error)
            raise BadRequest(
                f"{source}: {where}.{field}: {text}", field=f"{where}.{field}"
            ) from None
        variable = entry.pop("secret_env", None)
        if variable is not None:
            if not env.get(variable):
                raise BadRequest(
                    f"{source}: {where}.secret_env: the environment variable {variable} is not set",
                    field=f"{where}.secret_env",
                )
            entry["secret"] = env[variable]
        if any(e["name"] == entry["name"] for e in entries):
            raise BadRequest(
                f"{source}: {where}.name: {entry['name']!r} is used twice", field=f"{where}.name"
            )
        entries.append(entry)
    return tuple(entries)
