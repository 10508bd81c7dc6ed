"""The team matrix: learners × framework competencies, each cell a freshness status and level.

It is what managers know from HR and compliance tools, read from the precomputed competency
state (never from raw statements), with the engine's own status policy, so the console, the
CSV export and the ``/api/v1`` roll-up agree with what the refresher scan acts on. Every
member is a row, including people who were never trained (all their cells ``none``).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Collection, Iterable
from typing import NamedTuple, Protocol

from lrs_bridge.competency.engine import Status
from lrs_bridge.competency.framework import Competency, Framework
from lrs_bridge.errors import BadRequest
from lrs_bridge.notify.i18n import pick_name
from lrs_bridge.services.competencies import CompetencyEngine
from lrs_bridge.store.matrix import MemberRecord, StateRecord

#: Every status a cell can have, in the order the totals show them.
STATUSES: tuple[Status, ...] = ("fresh", "due_soon", "stale", "none")


class MatrixStore(Protocol):
    """The reads the matrix needs (``store/matrix.py``)."""

    def members(self, team: str | None, learner_ids: Collection[int] | None) -> list[MemberRecord]:
        """Learners of a team (None: any), limited to ``learner_ids`` when given."""
        ...

    def members_and_states(
        self, team: str | None, learner_ids: Collection[int] | None
    ) -> tuple[list[MemberRecord], list[StateRecord]]:
        """Those learners and their stored states, from one snapshot."""
        ...


class People(Protocol):
    """Who reports to whom, and the teams (``PeopleService``)."""

    def reports_of(self, manager_id: int) -> set[int]:
        """The manager's reports, recursively."""
        ...

    def teams(self) -> list[tuple[str, int]]:
        """Every team with its member count."""
        ...


class Engines(Protocol):
    """The active competency engine (``EngineSource``)."""

    def current(self) -> CompetencyEngine:
        """The engine of the newest configuration version."""
        ...


@dataclasses.dataclass(frozen=True, kw_only=True)
class ViewerScope:
    """Whose rows a viewer may see: everyone (``learner_id`` None, admins) or a manager's
    reports, recursively, and themselves."""

    learner_id: int | None
    reports: frozenset[int] = frozenset()

    @property
    def everyone(self) -> bool:
        """Whether every learner is visible."""
        return self.learner_id is None

    def visible(self) -> frozenset[int] | None:
        """The visible learner ids (None: all)."""
        if self.learner_id is None:
            return None
        return self.reports | {self.learner_id}


EVERYONE = ViewerScope(learner_id=None)


@dataclasses.dataclass(frozen=True, kw_only=True)
class StatusCounts:
    """How many cells have each status."""

    fresh: int = 0
    due_soon: int = 0
    stale: int = 0
    none: int = 0

    @classmethod
    def of(cls, statuses: Iterable[Status]) -> StatusCounts:
        """Counts of a sequence of statuses (``list.count``: cheaper than a Counter for the
        few statuses of a matrix row or column)."""
        found = list(statuses)
        return cls(
            fresh=found.count("fresh"),
            due_soon=found.count("due_soon"),
            stale=found.count("stale"),
            none=found.count("none"),
        )

    def as_dict(self) -> dict[str, int]:
        """``{"fresh": n, "due_soon": n, "stale": n, "none": n}``."""
        return {status: getattr(self, status) for status in STATUSES}

    @property
    def total(self) -> int:
        """All cells counted."""
        return self.fresh + self.due_soon + self.stale + self.none


@dataclasses.dataclass(frozen=True, kw_only=True)
class Column:
    """A framework competency as a matrix column, named in the viewer's language."""

    id: str
    name: str
    parent: str | None
    totals: StatusCounts
    #: Mean level over every row (never trained counts as 0).
    mean_level: float
    #: Rows with a stored state.
    trained: int


class Cell(NamedTuple):
    """One learner × competency: status at the matrix's moment, and the stored level (a
    tuple: 8,500 of them per 500 × 17 page)."""

    competency_id: str
    status: Status
    #: None when nothing was ever recorded.
    level: float | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Row:
    """One member with a cell per column."""

    learner_id: int
    name: str
    email: str | None
    team: str | None
    manager_id: int | None
    cells: tuple[Cell, ...]
    totals: StatusCounts


@dataclasses.dataclass(frozen=True, kw_only=True)
class Option:
    """A choice of a filter: its value and label."""

    value: str
    label: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class Matrix:
    """The whole matrix with its totals and the choices its filters offer."""

    team: str | None
    manager_id: int | None
    group: str | None
    at_us: int
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    totals: StatusCounts
    managers: tuple[Option, ...]
    groups: tuple[Option, ...]


@dataclasses.dataclass(frozen=True, kw_only=True)
class TeamSummary:
    """A team and how many of its members the viewer sees."""

    team: str
    members: int


#: How far ahead :class:`StatusBounds` looks for the start of ``fresh`` (a due-soon lead
#: time longer than this falls back to asking the engine per cell).
BOUND_HORIZON_US = 20 * 366 * 86_400 * 1_000_000


class StatusBounds:
    """One column's statuses at one moment from two comparisons per cell.

    The engine's status of a stored ``stale_at`` is monotone in it: ``stale`` up to now,
    ``due_soon`` up to some bound, ``fresh`` beyond (a due-soon lead time subtracted from
    a later date never gives an earlier one). The bound is found once per column by a
    binary search over the engine's own :meth:`CompetencyEngine.status`, so a 500-row
    column costs about 50 engine calls instead of 500, with the same answers.
    """

    def __init__(self, engine: CompetencyEngine, competency_id: str, now_us: int) -> None:
        self.engine = engine
        self.competency_id = competency_id
        self.now_us = now_us
        self.fresh_after: int | None = self._fresh_after()

    def _fresh_after(self) -> int | None:
        """The last ``stale_at`` that is not yet fresh (None: beyond the horizon)."""

        def fresh(stale_at: int) -> bool:
            return self.engine.status(self.competency_id, stale_at, self.now_us) == "fresh"

        low, high = self.now_us, self.now_us + BOUND_HORIZON_US  # low: stale, never fresh
        if not fresh(high):
            return None
        while high - low > 1:
            middle = (low + high) // 2
            if fresh(middle):
                high = middle
            else:
                low = middle
        return low

    def status(self, stale_at_us: int | None) -> Status:
        """The engine's status of a stored ``stale_at``."""
        if stale_at_us is None:
            return "none"
        if stale_at_us <= self.now_us:
            return "stale"
        if self.fresh_after is None:
            return self.engine.status(self.competency_id, stale_at_us, self.now_us)
        return "due_soon" if stale_at_us <= self.fresh_after else "fresh"


def _person(member: MemberRecord) -> str:
    return member.name or member.email or f"#{member.id}"


def _descendants(framework: Framework, root: str) -> list[Competency]:
    found: list[Competency] = []
    pending = [root]
    while pending:
        for child in framework.children(pending.pop()):
            found.append(child)
            pending.append(child.id)
    return found


class TeamMatrixService:
    """Builds matrices and decides which teams a viewer may open."""

    def __init__(self, store: MatrixStore, people: People, engines: Engines) -> None:
        self.store = store
        self.people = people
        self.engines = engines

    def scope_of(self, *, admin: bool, learner_id: int | None) -> ViewerScope:
        """Everyone for admins; otherwise the learner's reports (recursively) and self."""
        if admin:
            return EVERYONE
        if learner_id is None:
            return ViewerScope(learner_id=-1)  # sees nobody
        return ViewerScope(
            learner_id=learner_id, reports=frozenset(self.people.reports_of(learner_id))
        )

    def teams(self, scope: ViewerScope) -> list[TeamSummary]:
        """Teams the viewer may open, with the members they see: all teams for admins, for
        a manager every team that contains one of their reports."""
        if scope.everyone:
            return [TeamSummary(team=t, members=n) for t, n in self.people.teams()]
        members = self.store.members(None, scope.visible())
        teams = {m.team for m in members if m.id in scope.reports and m.team is not None}
        counted = Counter(m.team for m in members if m.team in teams)
        return [TeamSummary(team=t, members=counted[t]) for t in sorted(teams)]

    def may_view_team(self, team: str, scope: ViewerScope) -> bool:
        """Admins: any team; managers: a team containing one of their reports."""
        if scope.everyone:
            return True
        return any(m.id in scope.reports for m in self.store.members(team, scope.reports))

    def groups(self, language: str) -> tuple[Option, ...]:
        """The competency groups: each top-level competency with everything under it."""
        framework = self.engines.current().framework
        return tuple(
            Option(value=c.id, label=pick_name(c.name, language)) for c in framework.children(None)
        )

    def matrix(
        self,
        *,
        team: str | None = None,
        manager_id: int | None = None,
        group: str | None = None,
        viewer_scope: ViewerScope = EVERYONE,
        now_us: int,
        language: str = "en",
    ) -> Matrix:
        """One row per visible member of ``team`` (None: any team), narrowed to the
        reports of ``manager_id`` and to the competencies of ``group``, at ``now_us``."""
        engine = self.engines.current()
        competencies = self._columns(engine.framework, group)
        members, states = self.store.members_and_states(team, viewer_scope.visible())
        managers = self._managers(members, viewer_scope.visible())
        if manager_id is not None:
            reports = self.people.reports_of(manager_id)
            members = [m for m in members if m.id in reports]
        stored: dict[int, dict[str, StateRecord]] = {}
        for state in states:
            stored.setdefault(state.learner_id, {})[state.competency_id] = state
        bounds = [StatusBounds(engine, c.id, now_us) for c in competencies]
        rows = tuple(self._row(m, competencies, stored.get(m.id, {}), bounds) for m in members)
        columns = tuple(self._column(k, c, rows, language) for k, c in enumerate(competencies))
        return Matrix(
            team=team,
            manager_id=manager_id,
            group=group,
            at_us=now_us,
            columns=columns,
            rows=rows,
            totals=StatusCounts.of(cell.status for row in rows for cell in row.cells),
            managers=managers,
            groups=self.groups(language),
        )

    def _columns(self, framework: Framework, group: str | None) -> list[Competency]:
        if group is None:
            return list(framework.competencies)
        root = framework.get(group)
        if root is None or root.parent is not None:
            raise BadRequest(
                f"group {group!r} is not a top-level competency of the framework", field="group"
            )
        return [root, *_descendants(framework, group)]

    def _managers(
        self, members: list[MemberRecord], visible: frozenset[int] | None
    ) -> tuple[Option, ...]:
        """The managers of these members whom the viewer may see, by name (the manager
        filter's choices)."""
        ids = {m.manager_id for m in members if m.manager_id is not None}
        if visible is not None:
            ids &= visible
        known = [m for m in members if m.id in ids]  # most managers are team members
        missing = ids - {m.id for m in known}
        people = sorted(
            known + (self.store.members(None, missing) if missing else []),
            key=lambda m: (_person(m).casefold(), m.id),
        )
        return tuple(Option(value=str(p.id), label=_person(p)) for p in people)

    @staticmethod
    def _row(
        member: MemberRecord,
        competencies: list[Competency],
        stored: dict[str, StateRecord],
        bounds: list[StatusBounds],
    ) -> Row:
        """One member's cells; ``stored``: their states by competency."""
        cells = []
        for competency, bound in zip(competencies, bounds, strict=True):
            state = stored.get(competency.id)
            if state is None:
                cells.append(Cell(competency.id, "none", None))
                continue
            cells.append(Cell(competency.id, bound.status(state.stale_at_us), state.level))
        return Row(
            learner_id=member.id,
            name=_person(member),
            email=member.email,
            team=member.team,
            manager_id=member.manager_id,
            cells=tuple(cells),
            totals=StatusCounts.of([cell.status for cell in cells]),
        )

    @staticmethod
    def _column(
        index: int,
        competency: Competency,
        rows: tuple[Row, ...],
        language: str,
    ) -> Column:
        cells = [row.cells[index] for row in rows]
        levels = [cell.level or 0.0 for cell in cells]
        return Column(
            id=competency.id,
            name=pick_name(competency.name, language),
            parent=competency.parent,
            totals=StatusCounts.of([cell.status for cell in cells]),
            mean_level=round(sum(levels) / len(levels), 4) if levels else 0.0,
            trained=sum(1 for cell in cells if cell.level is not None),  # None: no state
        )
