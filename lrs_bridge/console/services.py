"""The one place console views get their services from, built from the app's runtime.

Views never reach ``runtime().store``: each area adds a property here returning the
service it uses, so what a page may do is visible in one file.
"""

from __future__ import annotations

import dataclasses

from flask import current_app

from lrs_bridge.errors import NotFound
from lrs_bridge.runtime import Runtime
from lrs_bridge.services.admin import ConfigService
from lrs_bridge.services.inbox import ActivityMapper, InboxService, UsageTracker
from lrs_bridge.services.people import PeopleService
from lrs_bridge.services.statement_browser import StatementBrowser
from lrs_bridge.store.activity_preview import ActivityPreviewStore
from lrs_bridge.store.activity_usage import ActivityUsageStore
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

    def branding(self) -> Branding:
        """The organisation's name, logo and colour (defaults until an admin sets them)."""
        return Branding()

    def now_us(self) -> int:
        """The service's clock, in microseconds."""
        return int(self.runtime.clock())


def console_services() -> ConsoleServices:
    """The services of the running app."""
    runtime: Runtime = current_app.extensions["lrs_bridge"]
    return ConsoleServices(runtime)
