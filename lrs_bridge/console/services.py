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
from lrs_bridge.services.learner_view import LearnerView, learner_view
from lrs_bridge.services.map_editor import MapEditor
from lrs_bridge.services.people import PeopleService
from lrs_bridge.services.signin import SignInService


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

    @property
    def signin(self) -> SignInService:
        """Console sign-in: passwords, e-mail links, who a person is."""
        return self.runtime.signin

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
