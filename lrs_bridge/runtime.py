"""The objects one process wires together from its settings (built by the app factory or CLI)."""

from __future__ import annotations

import dataclasses

from sqlalchemy import Engine

from lrs_bridge.auth import Authenticator, ThrottlePolicy
from lrs_bridge.config import Settings
from lrs_bridge.services.admin import ConfigService
from lrs_bridge.services.assignment_reads import AssignmentReader
from lrs_bridge.services.assignment_statements import AssignmentStatementSink
from lrs_bridge.services.branding import BrandingService
from lrs_bridge.services.competencies import EngineSource
from lrs_bridge.services.documents import DocumentService
from lrs_bridge.services.health import Health
from lrs_bridge.services.learners import LearnerDirectory
from lrs_bridge.services.notifications import NotificationService
from lrs_bridge.services.outbox import Dispatcher
from lrs_bridge.services.privacy import PrivacyService
from lrs_bridge.services.pulling import Puller, PullSettings
from lrs_bridge.services.refreshers import RefresherService
from lrs_bridge.services.signin import SignInService, build_signin
from lrs_bridge.services.statements import StatementService
from lrs_bridge.services.upstream_status import UpstreamStatusService
from lrs_bridge.services.upstreams import UpstreamRegistry
from lrs_bridge.store.attachments import AttachmentStore
from lrs_bridge.store.base import Clock
from lrs_bridge.store.documents import SqlDocumentStore
from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.settings import SqlSettingsStore
from lrs_bridge.store.sqlalchemy import SqlStore
from lrs_bridge.store.upstream_pull import PullStore
from lrs_bridge.store.upstream_status import UpstreamStatusStore
from lrs_bridge.store.upstreams import UpstreamStore
from lrs_bridge.xapi.timefmt import offset_clock


@dataclasses.dataclass(frozen=True, kw_only=True)
class Runtime:
    """Settings plus the store and services built from them."""

    settings: Settings
    #: This process's clock (the wall clock, shifted only by the test-only clock offset).
    clock: Clock
    engine: Engine
    store: SqlStore
    #: Attachment content (database chunks or the file store).
    attachments: AttachmentStore
    authenticator: Authenticator
    statements: StatementService
    competencies: EngineSource | None
    #: None when the competency engine is off (nothing can go stale).
    refreshers: RefresherService | None
    dispatcher: Dispatcher
    privacy: PrivacyService
    #: State, Activity/Agent Profile documents, Agents and Activities (Communication §2.3-2.7).
    documents: DocumentService
    #: Reads of assignments (work with the competency engine off too).
    assignments: AssignmentReader
    #: The outbox as admins see it, and whether any channel is configured.
    notifications: NotificationService
    health: Health
    #: The organisation's name, logo and colour (console and e-mails).
    branding: BrandingService
    #: Console sign-in: console users, e-mail links, and the links in refresher e-mails.
    signin: SignInService
    #: The learner directory: look-ups, pages, profile changes, imports.
    learners: LearnerDirectory
    #: Upstream LRSs this one forwards to and pulls from.
    upstreams: UpstreamRegistry
    #: Queue depth, lag, dead letters and their retry, per upstream.
    upstream_status: UpstreamStatusService
    #: Reads pulling upstreams' listings into intake (the scheduler's job, the CLI).
    puller: Puller

    def config_service(self, source: EngineSource) -> ConfigService:
        """Changing the competency configuration (the engine ``source`` must be on)."""
        return ConfigService(self.store, source, self.clock)

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()


def build_runtime(settings: Settings) -> Runtime:
    """Wire a :class:`Runtime`; nothing is connected until first use."""
    now_us = offset_clock(settings.clock_offset_ms)
    engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    store = SqlStore(engine, duplicate_window_seconds=settings.duplicate_window_seconds)
    attachments = AttachmentStore(
        engine, mode=settings.attachment_store, directory=settings.attachment_dir, clock=now_us
    )
    branding = BrandingService(SqlSettingsStore(engine), now_us)
    signin = build_signin(settings, engine, store, now_us)
    competencies = (
        EngineSource(store, settings.framework_file, settings.competency_map_file)
        if settings.competency_engine
        else None
    )
    upstream_registry = UpstreamRegistry(
        UpstreamStore(engine, settings.upstream_secret_key),
        now_us,
        credentials=store,
        config_file=settings.config_file,
    )
    statement_service = StatementService(
        store,
        clock=now_us,
        authority_homepage=settings.authority_homepage,
        max_page_size=settings.max_page_size,
        competencies=competencies,
        emit_competency_statements=settings.emit_competency_statements,
        attachments=attachments,
    )
    return Runtime(
        settings=settings,
        clock=now_us,
        engine=engine,
        store=store,
        attachments=attachments,
        authenticator=Authenticator(
            store,
            cache_seconds=settings.auth_cache_seconds,
            failures=store,
            throttle=ThrottlePolicy(
                max_per_key=settings.auth_max_failures_per_key,
                max_per_address=settings.auth_max_failures_per_address,
                window_seconds=settings.auth_failure_window_seconds,
            ),
        ),
        statements=statement_service,
        competencies=competencies,
        refreshers=RefresherService(store, competencies, settings, now_us)
        if competencies is not None
        else None,
        dispatcher=Dispatcher(
            store,
            settings,
            now_us,
            store_statements=AssignmentStatementSink(store, now_us, settings.authority_homepage),
            branding=branding.current,
            console_links=signin.digest_links,
        ),
        privacy=PrivacyService(store, competencies, now_us, attachments),
        learners=LearnerDirectory(store, now_us),
        documents=DocumentService(SqlDocumentStore(engine), clock=now_us),
        assignments=AssignmentReader(store, now_us),
        notifications=NotificationService(store, settings, now_us),
        health=Health(store),
        branding=branding,
        signin=signin,
        upstreams=upstream_registry,
        upstream_status=UpstreamStatusService(UpstreamStatusStore(engine), now_us),
        puller=Puller(
            PullStore(engine),
            statement_service,
            store,
            upstream_registry,
            now_us,
            PullSettings(
                batch_size=settings.upstream_batch_size,
                lease_seconds=settings.upstream_lease_seconds,
                overlap_seconds=settings.upstream_pull_overlap_seconds,
                timeout_seconds=settings.upstream_timeout_seconds,
            ),
            spool_directory=attachments.spool_directory,
        ),
    )
