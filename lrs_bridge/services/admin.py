"""Admin use cases of the competency engine: change the map, preview its effect, explain.

A change saves a new version (active at once for new statements); the scheduler then
replays the statement store under it. A dry run computes, in memory, which learners'
statuses would differ, without writing anything.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import orjson

from lrs_bridge.competency.dedup import Mark, originals
from lrs_bridge.competency.mapping import DIRECT_RULE_ID
from lrs_bridge.competency.near_miss import NEAR_MISS_LIMIT, Miss, near_misses
from lrs_bridge.competency.rules import StatementView
from lrs_bridge.errors import BadRequest, ConfigurationChanged, NotFound
from lrs_bridge.services.competencies import (
    CompetencyEngine,
    EngineSource,
    learners_of,
)
from lrs_bridge.services.config_items import validate_candidate
from lrs_bridge.store.base import Clock, LedgerPoint, StoredStatement
from lrs_bridge.store.sqlalchemy import SqlStore
from lrs_bridge.store.trail import SqlTrailStore
from lrs_bridge.xapi.person import ifi_label


@dataclasses.dataclass(frozen=True, kw_only=True)
class DryRun:
    """What a configuration change would do to competency statuses, as of ``now``."""

    statements_evaluated: int
    learners_changing_status: int
    pairs_changing_status: int
    pairs_before: int
    pairs_after: int
    #: Statements that would give evidence (admitted by their credential's policy), and the
    #: learners it would be for.
    evidence_statements: int = 0
    evidence_learners: int = 0
    #: The same, counting only the evidence of the rule ``dry_run`` was asked about (a new
    #: rule: what it would turn into evidence).
    rule_statements: int = 0
    rule_learners: int = 0


def explain(
    engine: CompetencyEngine,
    statement: dict[str, Any],
    *,
    statement_id: str | None = None,
    repeats: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Which rules fire for a statement and what evidence results, for whom; or why it is
    ignored (``ignored`` names the verb and the setting); and the near misses: rules that
    did not fire although some of their conditions held, each with its reasons (a rule
    that only the ignored verb stops has the reason ``ignored verb``).

    ``repeats`` (a stored statement's, ``{competency: original id}``): where its evidence
    is a repeat that counts once (``competency/dedup.py``), each evidence entry names the
    statement it repeats in ``duplicate_of``, and so does the answer (the first one)."""
    repeats = repeats or {}
    ignored = engine.ignored(statement)
    view = StatementView(statement)
    matching = engine.map.index.firing(view)
    fired = [] if ignored else [rule.id for rule in matching]
    near: list[dict[str, Any]] = []
    if ignored:
        near = [
            {
                "rule": rule.id,
                "reasons": [
                    Miss(
                        condition="verbs",
                        code="ignored_verb",
                        expected=ignored["setting"],
                        actual=ignored["verb"],
                    ).to_dict()
                ],
            }
            for rule in matching
        ]
    near += [
        {"rule": n.rule.id, "reasons": [m.to_dict() for m in n.misses]}
        for n in near_misses(engine.map.rules, view, limit=max(0, NEAR_MISS_LIMIT - len(near)))
    ]
    drafts = engine.evidence_for(statement)
    return {
        "statement_id": statement_id,
        "duplicate_of": next(iter(sorted(set(repeats.values()))), None),
        "ignored": ignored,
        "rules_fired": fired,
        "near_misses": near,
        "learners": sorted({ifi_label(key) for key, _ in learners_of(statement)}),
        "evidence": [
            {
                "competency": d.competency_id,
                "rule": d.rule_id,
                "direct_alignment": d.rule_id == DIRECT_RULE_ID,
                "method": d.method,
                "weight": d.weight,
                "quality": d.quality,
                "duplicate_of": repeats.get(d.competency_id),
            }
            for d in drafts
            if d.agent_key == drafts[0].agent_key
        ],
    }


def stored_statement(store: StatementLookup, statement_id: str) -> dict[str, Any]:
    """A stored statement by id, for ``explain``; a malformed id is a 400 naming
    ``statement_id``, an unknown one a 404."""
    try:
        normalised = str(uuid.UUID(statement_id))
    except ValueError:
        raise BadRequest(
            f"statement_id {statement_id!r} is not a UUID", field="statement_id"
        ) from None
    found = store.get_statement(normalised)
    if found is None:
        raise NotFound(f"no stored statement {normalised}")
    statement: dict[str, Any] = orjson.loads(found.json)
    return statement


class StatementLookup(Protocol):
    """What :func:`stored_statement` needs from the store."""

    def get_statement(self, statement_id: str) -> StoredStatement | None:
        """One statement by id."""
        ...


class RepeatLookup(Protocol):
    """What :func:`explain_stored` needs to say which statement a stored one repeats."""

    def repeats_of(self, statement_id: str) -> dict[str, str]:
        """``{competency: id of the statement it repeats}`` (``SqlTrailStore``)."""
        ...


def explain_stored(
    engine: CompetencyEngine, store: StatementLookup, trails: RepeatLookup, statement_id: str
) -> dict[str, Any]:
    """:func:`explain` for a stored statement (400 for a malformed id, 404 unknown), with
    the statement each of its evidence rows repeats, if any."""
    statement = stored_statement(store, statement_id)
    return explain(
        engine,
        statement,
        statement_id=statement["id"],
        repeats=trails.repeats_of(statement["id"]),
    )


class ConfigService:
    """Changing the competency configuration through the admin API."""

    def __init__(self, store: SqlStore, source: EngineSource, clock: Clock) -> None:
        self.store = store
        self.source = source
        self.clock = clock
        self.trails = SqlTrailStore(store.engine)

    def documents(self) -> dict[str, Any]:
        """The active framework and map documents and their version."""
        framework_doc, map_doc, version = self.source.documents()
        return {"version": version, "framework": framework_doc, "map": map_doc}

    def explain_stored(self, engine: CompetencyEngine, statement_id: str) -> dict[str, Any]:
        """``explain`` for a stored statement by id (400 for a malformed id, 404 unknown)."""
        return explain_stored(engine, self.store, self.trails, statement_id)

    def candidate(
        self, framework_doc: Any | None, map_doc: Any | None
    ) -> tuple[Any, Any, CompetencyEngine]:
        """The proposed documents (missing parts: the active ones) and their engine."""
        active_framework, active_map, _ = self.source.documents()
        framework_doc = active_framework if framework_doc is None else framework_doc
        map_doc = active_map if map_doc is None else map_doc
        return framework_doc, map_doc, validate_candidate(framework_doc, map_doc)

    def apply(self, framework_doc: Any, map_doc: Any, *, note: str | None, created_by: str) -> int:
        """Save the (already validated) documents as the new active version."""
        version = self.store.save_config(
            framework_doc, map_doc, note=note, created_by=created_by, clock=self.clock
        )
        self.source.refresh()
        return version

    def dry_run(self, engine: CompetencyEngine, *, rule_id: str | None = None) -> DryRun:
        """Evaluate every stored statement under ``engine`` (admitted by its credential's
        evidence policy, repeats counted once, as a replay would) and compare statuses at
        now; with ``rule_id``, also count what that rule alone turns into evidence."""
        now = self.clock()
        current = self.source.current()
        before = {
            (learner, competency): current.status(competency, stale_at, now)
            for learner, competency, _, _, stale_at, _, _ in self.store.all_states()
        }
        learner_of = self.store.learner_ids_by_agent_key()
        points: dict[tuple[int | str, str], list[LedgerPoint]] = defaultdict(list)
        marks: dict[tuple[int | str, str], list[Mark]] = defaultdict(list)
        evaluated = 0
        evidence_seqs: set[int] = set()
        evidence_learners: set[int | str] = set()
        rule_seqs: set[int] = set()
        rule_learners: set[int | str] = set()
        for drafts, count in self.store.preview_evidence(engine.evidence_for, engine.silent_verbs):
            evaluated += count
            for seq, at_us, draft in drafts:
                learner: int | str = learner_of.get(draft.agent_key, draft.agent_key)
                evidence_seqs.add(seq)
                evidence_learners.add(learner)
                if rule_id is not None and draft.rule_id == rule_id:
                    rule_seqs.add(seq)
                    rule_learners.add(learner)
                at = draft.at_us if draft.at_us is not None else at_us
                pair = (learner, draft.competency_id)
                points[pair].append(
                    LedgerPoint(seq=seq, at_us=at, weight=draft.weight, quality=draft.quality)
                )
                marks[pair].append(Mark(seq, at, draft.fingerprint))
        after = {}
        for (learner, competency), pair_points in points.items():
            repeats = originals(marks[(learner, competency)], self.store.duplicate_window_us)
            counted = [p for p in pair_points if p.seq not in repeats]
            state = engine.reduce(competency, counted)
            after[(learner, competency)] = engine.status(competency, state.stale_at_us, now)
        changed = {
            pair
            for pair in set(before) | set(after)
            if before.get(pair, "none") != after.get(pair, "none")
        }
        return DryRun(
            statements_evaluated=evaluated,
            learners_changing_status=len({learner for learner, _ in changed}),
            pairs_changing_status=len(changed),
            pairs_before=len(before),
            pairs_after=len(after),
            evidence_statements=len(evidence_seqs),
            evidence_learners=len(evidence_learners),
            rule_statements=len(rule_seqs),
            rule_learners=len(rule_learners),
        )


#: How often a replay starts over under a newer version saved while it ran.
REPLAY_ATTEMPTS = 5


def replay_active(
    store: SqlStore,
    source: EngineSource,
    clock: Clock,
    *,
    since_us: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[int | None, int]:
    """Rebuild the ledger under the active version, in chunks beside live ingest; returns
    the version and how many statements were evaluated.

    A version saved meanwhile stops the replay (``ConfigurationChanged``), and it starts
    over under the newer one; a full replay (no ``since_us``) then marks it applied.
    """
    for attempt in range(1, REPLAY_ATTEMPTS + 1):
        engine = source.refresh()
        try:
            done = store.replay_ledger(
                engine.evidence_for,
                engine.reduce,
                clock,
                since_us=since_us,
                progress=progress,
                silent_verbs=engine.silent_verbs,
                config_version=engine.version,
            )
        except ConfigurationChanged:
            if attempt == REPLAY_ATTEMPTS:
                raise
            continue
        if engine.version is not None and since_us is None:
            store.mark_replayed(engine.version, clock)
        return engine.version, done
    raise AssertionError("unreachable")  # pragma: no cover


def apply_pending_replay(store: SqlStore, source: EngineSource, clock: Clock) -> int | None:
    """Scheduler job: replay under the newest version if it has not been yet."""
    config = store.active_config()
    if config is None or config["replayed_us"] is not None:
        return None
    version, _ = replay_active(store, source, clock)
    return version
