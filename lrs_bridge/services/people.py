"""Who may see whom: a manager sees their reports at every depth, a learner only
themselves. The console and the API ask the same questions here, so they agree."""

from __future__ import annotations

from typing import Any, Protocol


class DirectoryReads(Protocol):
    """The directory reads this service needs (SqlStore provides them)."""

    def reports_of(self, manager_id: int) -> set[int]: ...

    def team_members(self, team: str) -> list[dict[str, Any]]: ...

    def teams(self) -> list[tuple[str, int]]: ...

    def learner_by_id(self, learner_id: int) -> dict[str, Any] | None: ...

    def learner_by_email(self, email: str) -> dict[str, Any] | None: ...


class PeopleService:
    """Directory questions asked on behalf of a viewer."""

    def __init__(self, directory: DirectoryReads) -> None:
        self.directory = directory

    def learner(self, learner_id: int) -> dict[str, Any] | None:
        """One learner (id, name, email, team, manager_id, language, ifis), or None."""
        return self.directory.learner_by_id(learner_id)

    def learner_by_email(self, email: str) -> dict[str, Any] | None:
        """The directory learner with this e-mail address, or None."""
        return self.directory.learner_by_email(email)

    def reports_of(self, manager_id: int) -> set[int]:
        """Everyone below ``manager_id`` in the manager chain (not the manager)."""
        return self.directory.reports_of(manager_id)

    def is_manager(self, learner_id: int) -> bool:
        """Whether anyone reports to this learner."""
        return bool(self.directory.reports_of(learner_id))

    def team_members(self, team: str) -> list[dict[str, Any]]:
        """A team's learners (id, name, email, manager_id), by name."""
        return self.directory.team_members(team)

    def teams(self) -> list[tuple[str, int]]:
        """Every team with its member count."""
        return self.directory.teams()

    def teams_of_manager(self, manager_id: int) -> list[tuple[str, int]]:
        """The teams in which any of the manager's reports (recursively) is a member."""
        reports = self.reports_of(manager_id)
        if not reports:
            return []
        return [
            (team, size)
            for team, size in self.teams()
            if any(m["id"] in reports for m in self.team_members(team))
        ]

    def may_see(self, viewer_learner_id: int | None, learner_id: int) -> bool:
        """Whether the learner ``viewer_learner_id`` may see ``learner_id`` (admins aside)."""
        if viewer_learner_id is None:
            return False
        return learner_id == viewer_learner_id or learner_id in self.reports_of(viewer_learner_id)
