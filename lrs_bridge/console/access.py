"""What a viewer may see: admins everyone, a manager their reports at any depth, a learner
themselves. The single place console views ask, so no page decides it differently."""

from __future__ import annotations

from lrs_bridge.console.services import console_services
from lrs_bridge.console.viewer import Viewer


def may_see_learner(viewer: Viewer, learner_id: int) -> bool:
    """Whether ``viewer`` may see the learner ``learner_id``'s pages."""
    if viewer.is_admin:
        return True
    return console_services().people.may_see(viewer.learner_id, learner_id)


def visible_learner_ids(viewer: Viewer) -> set[int] | None:
    """The learners ``viewer`` may see; None means everyone (admins)."""
    if viewer.is_admin:
        return None
    if viewer.learner_id is None:
        return set()
    return {viewer.learner_id} | console_services().people.reports_of(viewer.learner_id)


def is_manager(viewer: Viewer) -> bool:
    """Whether the viewer has reports (managers see team pages)."""
    return viewer.learner_id is not None and console_services().people.is_manager(viewer.learner_id)
