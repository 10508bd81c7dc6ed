"""The one place console views get their services from, built from the app's runtime.

Views never reach ``runtime().store``: each area adds a property here returning the
service it uses, so what a page may do is visible in one file.
"""

from __future__ import annotations

import dataclasses

from flask import current_app, g

from lrs_bridge.errors import NotFound
from lrs_bridge.runtime import Runtime
from lrs_bridge.services.admin import ConfigService
from lrs_bridge.services.assignment_reads import AssignmentReader
from lrs_bridge.services.branding import BrandingService
from lrs_bridge.services.competencies import CompetencyEngine
from lrs_bridge.services.inbox import ActivityMapper, InboxService, UsageTracker
from lrs_bridge.services.learner_view import LearnerView, learner_view
from lrs_bridge.services.map_editor import MapEditor
from lrs_bridge.services.notifications import NotificationService
from lrs_bridge.services.people import PeopleService
from lrs_bridge.services.refreshers import RefresherService
from lrs_bridge.services.signin import SignInService
from lrs_bridge.services.statement_browser import StatementBrowser
from lrs_bridge.services.team_matrix import TeamMatrixService
from lrs_bridge.services.upstream_status import UpstreamStatusService
from lrs_bridge.services.upstreams import UpstreamRegistry
from lrs_bridge.store.activity_preview import ActivityPreviewStore
from lrs_bridge.store.activity_usage import ActivityUsageStore
from lrs_bridge.store.matrix import SqlMatrixStore
from lrs_bridge.store.statement_evidence import StatementEvidenceStore


@dataclasses.dataclass(frozen=True, kw_only=True)
class Branding:
    """How the console and the e-mails present the organisation."""

    organisation: str = "lrs-bridge"
    logo_url: str | None = None
    #: The header and button colour (``#rrggbb``), dark enough for white text.
    colour: str = "#1f4e79"


class ConsoleServices:
    """Services for the console's views, over one runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @property
    def upstreams(self) -> UpstreamRegistry:
        """The upstream LRSs (the Upstreams page)."""
        return self.runtime.upstreams

    @property
    def upstream_status(self) -> UpstreamStatusService:
        """Their status and dead letters, and the retry of those."""
        return self.runtime.upstream_status

    @property
    def people(self) -> PeopleService:
        """Directory questions: who reports to whom, teams."""
        return PeopleService(self.runtime.store)

    @property
    def inbox(self) -> InboxService:
        """The activity inbox: unmapped activities and agents the directory lacks."""
        return InboxService(ActivityUsageStore(self.runtime.engine))

    @property
    def usage_tracker(self) -> UsageTracker:
        """The activity usage summary the inbox reads (the scheduler keeps it current)."""
        runtime = self.runtime
        return UsageTracker(ActivityUsageStore(runtime.engine), runtime.store, runtime.clock)

    @property
    def activity_mapper(self) -> ActivityMapper:
        """ "Map this": a new rule, its dry run and its save (404 with the engine off)."""
        source = self.runtime.competencies
        if source is None:
            raise NotFound("the competency engine is off on this server")
        config = ConfigService(self.runtime.store, source, self.runtime.clock)
        return ActivityMapper(config, self.usage_tracker, ActivityPreviewStore(self.runtime.engine))

    @property
    def statement_browser(self) -> StatementBrowser:
        """Recent statements with the evidence each produced."""
        runtime = self.runtime
        return StatementBrowser(
            runtime.store, StatementEvidenceStore(runtime.engine), runtime.clock
        )

    @property
    def learner_view(self) -> LearnerView:
        """A learner's competencies, evidence trails, assignments and history."""
        return learner_view(self.runtime)

    @property
    def map_editor(self) -> MapEditor:
        """The competency map editor: items, uploads, previews, history, the rule tester."""
        source = self.runtime.competencies
        if source is None:
            raise NotFound("the competency engine is off on this server")
        store = self.runtime.store
        return MapEditor(store, source, ConfigService(store, source, self.runtime.clock))

    def team_matrix(self) -> TeamMatrixService:
        """The team matrix (``/console/teams``) over the precomputed competency state."""
        source = self.runtime.competencies
        if source is None:
            raise NotFound("the competency engine is off on this server")
        return TeamMatrixService(SqlMatrixStore(self.runtime.engine), self.people, source)

    @property
    def signin(self) -> SignInService:
        """Console sign-in: passwords, e-mail links, who a person is."""
        return self.runtime.signin

    def branding(self) -> Branding:
        """The organisation's name, logo and colour (defaults until an admin sets them);
        read once per request (the layout asks on every page)."""
        if "console_branding" in g:
            cached: Branding = g.console_branding
            return cached
        saved = self.runtime.branding.current()
        branding = Branding(
            organisation=saved.org_name or Branding.organisation,
            logo_url=saved.logo_url,
            colour=saved.primary_colour,
        )
        g.console_branding = branding
        return branding

    # -- operations (assignments, notifications, branding settings) ---------------------

    @property
    def branding_settings(self) -> BrandingService:
        """Reads, validates and saves the branding setting."""
        return self.runtime.branding

    @property
    def assignments(self) -> AssignmentReader:
        """Assignment reads (also with the competency engine off)."""
        return self.runtime.assignments

    @property
    def refreshers(self) -> RefresherService:
        """Cancel and re-send; NotFound when the competency engine is off."""
        service = self.runtime.refreshers
        if service is None:
            raise NotFound("the competency engine is off on this server")
        return service

    def can_change_assignments(self) -> bool:
        """Whether cancel and re-send work (they need the competency engine)."""
        return self.runtime.refreshers is not None

    @property
    def notifications(self) -> NotificationService:
        """The outbox, its dead letters and retry, and the configured channels."""
        return self.runtime.notifications

    def competency_engine(self) -> CompetencyEngine | None:
        """The active framework and map (names of competencies and activities), or None
        when the competency engine is off."""
        source = self.runtime.competencies
        return source.current() if source is not None else None

    def now_us(self) -> int:
        """The service's clock, in microseconds."""
        return int(self.runtime.clock())


def console_services() -> ConsoleServices:
    """The services of the running app."""
    runtime: Runtime = current_app.extensions["lrs_bridge"]
    return ConsoleServices(runtime)
