"""The activity inbox: activities that no rule and no direct alignment turns into evidence,
agents the directory does not know, and mapping an activity with a new rule.

**Why a scheduler job and not the ingest transaction.** Usage is precomputed (the console
never aggregates raw statements per request), by :class:`UsageTracker`, which the
scheduler's ``activity-usage`` job runs: it reads statements after a seq cursor, in chunks,
and adds their counts with one compare-and-set of the cursor per chunk.

* Ingest stays as it is: its transaction already holds the statement write gate, and every
  row written inside it delays every other producer. The inbox can lag by one job interval;
  nothing acts on it automatically.
* Seq order is commit order (the write gate), so the cursor never skips a late commit.
* "Unmapped" depends on the map. The evidence flag is the ledger's answer (a statement has
  evidence rows), so it also honours each credential's evidence policy. After a
  configuration change the job waits for the replay of that version, then recounts every
  activity's evidence in one grouped pass over the ledger. A save from the inbox does not
  wait: :meth:`UsageTracker.refresh_activity` recounts that one activity under the new
  engine at once, so it leaves the inbox immediately.
* Erasure deletes statements, which a cursor cannot see: a new erasure record makes the job
  forget all usage and count again from seq 0. Meanwhile the agent list hides every agent no
  stored statement names any more, so an erased person is never shown.

A voided statement keeps counting as usage until the next rebuild (voiding is rare; its
evidence goes at once, and the next configuration change recounts the flags).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import math
import re
from collections.abc import Callable
from typing import Any, Protocol

from lrs_bridge.errors import BadRequest, NotFound
from lrs_bridge.services.admin import ConfigService
from lrs_bridge.services.competencies import CompetencyEngine, learners_of
from lrs_bridge.store.activity_inbox import ActivityUsage
from lrs_bridge.store.activity_preview import ActivityPreviewStore
from lrs_bridge.store.activity_usage import (
    ActivityDelta,
    ActivityUsageStore,
    AgentDelta,
    SeenStatement,
)
from lrs_bridge.store.base import Clock, LedgerPoint

#: Statements per chunk (one read, one short write transaction).
USAGE_CHUNK = 5000
#: Rows per inbox page.
PAGE_SIZE = 50


class ConfigVersions(Protocol):
    """Which configuration version is active and whether its replay finished."""

    def active_config(self) -> dict[str, Any] | None:
        """The newest saved version (None: the shipped files apply)."""


def chunk_usage(
    chunk: list[SeenStatement],
) -> tuple[dict[str, ActivityDelta], dict[str, AgentDelta]]:
    """What a chunk of statements adds, per activity (statement objects that are
    Activities) and per agent (whose evidence each statement would be)."""
    activities: dict[str, ActivityDelta] = {}
    agents: dict[str, AgentDelta] = {}
    for seen in chunk:
        statement = seen.statement
        people = learners_of(statement)
        for key, agent in people:
            agent_delta = agents.setdefault(key, AgentDelta(agent=agent))
            agent_delta.agent = agent
            agent_delta.statements += 1
            agent_delta.last_us = max(agent_delta.last_us, seen.stored_us)
        obj = statement.get("object") or {}
        if obj.get("objectType", "Activity") != "Activity" or "id" not in obj:
            continue
        delta = activities.setdefault(obj["id"], ActivityDelta())
        delta.statements += 1
        delta.evidence_statements += int(seen.produced_evidence)
        delta.last_us = max(delta.last_us, seen.stored_us)
        delta.example_id = seen.id
        definition = obj.get("definition") or {}
        if isinstance(definition.get("name"), dict):
            delta.name = definition["name"]
        if isinstance(definition.get("type"), str):
            delta.type = definition["type"]
        delta.verbs.add(statement["verb"]["id"])
        platform = (statement.get("context") or {}).get("platform")
        if isinstance(platform, str):
            delta.platforms.add(platform)
        delta.agent_keys.update(key for key, _ in people)
    return activities, agents


class UsageTracker:
    """Keeps ``activity_usage`` current (see the module docstring for the design)."""

    def __init__(
        self,
        usage: ActivityUsageStore,
        configs: ConfigVersions,
        clock: Clock,
        *,
        chunk: int = USAGE_CHUNK,
    ) -> None:
        self.usage = usage
        self.configs = configs
        self.clock = clock
        self.chunk = chunk

    def run(self, max_chunks: int | None = None) -> int:
        """One job run: rebuild after an erasure, recount flags after a replayed
        configuration change, then count new statements; returns how many were counted."""
        cursor = self.usage.cursor()
        erasures = self.usage.erasure_count()
        if erasures != cursor.erasures:
            self.usage.reset(cursor, erasures, self.clock())
            cursor = self.usage.cursor()
        config = self.configs.active_config()
        version = 0 if config is None else int(config["id"])
        replayed = config is None or config["replayed_us"] is not None
        if version != cursor.flags_version and replayed:
            self.usage.recompute_flags(cursor, version, self.clock())
            cursor = self.usage.cursor()
        counted = 0
        chunks = 0
        while max_chunks is None or chunks < max_chunks:
            seen = self.usage.statements_after(cursor.through_seq, self.chunk)
            if not seen:
                break
            activities, agents = chunk_usage(seen)
            if not self.usage.apply(cursor, seen[-1].seq, activities, agents, self.clock()):
                break  # another scheduler counted this chunk; it carries on from here
            counted += len(seen)
            chunks += 1
            cursor = self.usage.cursor()
        return counted

    def refresh_activity(self, activity_id: str, evidence_for: Callable[..., list[Any]]) -> int:
        """Recount one activity's evidence under a new engine at once (after a save from
        the inbox), without waiting for the replay; returns the count."""
        through = self.usage.cursor().through_seq
        count = sum(
            1
            for statement in self.usage.statements_of_activity(activity_id, through)
            if evidence_for(statement)
        )
        self.usage.set_evidence_count(activity_id, count)
        return count


@dataclasses.dataclass(frozen=True, kw_only=True)
class Page:
    """One page of a list, with what a pagination bar needs."""

    rows: list[Any]
    total: int
    number: int
    pages: int


def page_of(rows: list[Any], total: int, number: int, size: int = PAGE_SIZE) -> Page:
    """Wrap a page of rows (``number`` starts at 1)."""
    return Page(rows=rows, total=total, number=number, pages=max(1, math.ceil(total / size)))


class InboxService:
    """The inbox pages' reads."""

    def __init__(
        self, usage: ActivityUsageStore, *, page_size: int = PAGE_SIZE, lag: int = USAGE_CHUNK
    ) -> None:
        self.usage = usage
        self.page_size = page_size
        self.lag = lag

    def unmapped(self, number: int) -> Page:
        """Unmapped activities, busiest first (page ``number``, from 1)."""
        rows, total = self.usage.unmapped(self.page_size, (number - 1) * self.page_size)
        return page_of(rows, total, number, self.page_size)

    def unknown_agents(self, number: int) -> Page:
        """Agents seen in statements whom the directory does not know."""
        pending = self.usage.erasure_count() != self.usage.cursor().erasures
        rows, total = self.usage.unknown_agents(
            self.page_size, (number - 1) * self.page_size, erasure_pending=pending
        )
        return page_of(rows, total, number, self.page_size)

    def counting(self) -> tuple[int, int] | None:
        """``(counted, stored)`` statements while the job is more than ``lag`` behind (after
        an erasure it counts again from the start), else None."""
        counted, stored = self.usage.cursor().through_seq, self.usage.last_seq()
        return (counted, stored) if stored - counted > self.lag else None

    def activity(self, activity_id: str) -> ActivityUsage | None:
        """One activity's usage (None: never seen)."""
        return self.usage.activity(activity_id)


@dataclasses.dataclass(frozen=True, kw_only=True)
class MapChoice:
    """What an admin picked in the "map this" form."""

    activity_id: str
    competency: str
    method: str
    verbs: tuple[str, ...]


@dataclasses.dataclass(frozen=True, kw_only=True)
class MapProposal:
    """A choice turned into a rule and the documents it would make."""

    choice: MapChoice
    rule: dict[str, Any]
    framework_doc: Any
    map_doc: Any
    engine: CompetencyEngine


def rule_id_for(choice: MapChoice, taken: set[str]) -> str:
    """A readable, unused rule id: ``inbox-<last part of the IRI>-<hash>``."""
    tail = re.sub(r"[^a-z0-9]+", "-", choice.activity_id.lower()).strip("-")[-40:].strip("-")
    digest = hashlib.sha1(  # noqa: S324 - a short name, not security
        f"{choice.activity_id} {choice.competency}".encode()
    ).hexdigest()[:8]
    base = f"inbox-{tail}-{digest}"
    rule_id, n = base, 1
    while rule_id in taken:
        n += 1
        rule_id = f"{base}-{n}"
    return rule_id


@dataclasses.dataclass(frozen=True, kw_only=True)
class ActivityPreview:
    """What a new rule for one activity would do: the statements it turns into evidence,
    their learners, and whose status would change."""

    statements: int
    learners: int
    learners_changing_status: int
    pairs_changing_status: int
    statements_evaluated: int


class ActivityMapper:
    """ "Map this": a new rule for one activity, previewed by a dry run, saved as a new
    configuration version (the map editor's :class:`ConfigService`)."""

    def __init__(
        self, config: ConfigService, tracker: UsageTracker, ledger: ActivityPreviewStore
    ) -> None:
        self.config = config
        self.tracker = tracker
        self.ledger = ledger

    def options(self) -> tuple[CompetencyEngine, list[str]]:
        """The active engine (its framework's competencies) and the map's method names."""
        _, map_doc, _ = self.config.source.documents()
        return self.config.source.current(), sorted(map_doc.get("methods", {}))

    def propose(self, choice: MapChoice) -> MapProposal:
        """Check the choice (errors name the form field) and build the candidate map."""
        if not choice.activity_id:
            raise BadRequest("choose an activity", field="activity")
        engine, methods = self.options()
        if engine.framework.get(choice.competency) is None:
            raise BadRequest("choose a competency of the framework", field="competency")
        if choice.method not in methods:
            raise BadRequest("choose one of the map's methods", field="method")
        if not choice.verbs:
            raise BadRequest("choose at least one verb", field="verbs")
        _, active_map, _ = self.config.source.documents()
        map_doc = copy.deepcopy(active_map)
        rules = map_doc.setdefault("rules", [])
        rule = {
            "id": rule_id_for(choice, {r.get("id", "") for r in rules}),
            "description": f"Mapped from the activity inbox: {choice.activity_id}",
            "method": choice.method,
            "match": {"verbs": list(choice.verbs), "activity": {"exact": choice.activity_id}},
            "evidence": [{"competency": choice.competency}],
        }
        rules.append(rule)
        framework_doc, map_doc, candidate = self.config.candidate(None, map_doc)
        return MapProposal(
            choice=choice,
            rule=rule,
            framework_doc=framework_doc,
            map_doc=map_doc,
            engine=candidate,
        )

    def preview(self, proposal: MapProposal) -> ActivityPreview:
        """The dry run of the new rule, focused on what it can change.

        The rule matches only this activity (``exact``), and an unmapped activity has no
        evidence yet, so its statements' evidence under the candidate is all that is new,
        and only the learner × competency pairs it touches can change status. Reading those
        statements and those pairs' ledger costs milliseconds where the whole-store dry run
        (:meth:`ConfigService.dry_run`, which a test shows agrees) takes a minute at 1M
        statements.
        """
        engine, candidate = self.config.source.current(), proposal.engine
        now = self.config.clock()
        admitted, evaluated = self.ledger.activity_evidence(
            proposal.choice.activity_id, candidate.evidence_for
        )
        learner_of = self.ledger.learner_ids({draft.agent_key for _, _, draft in admitted})
        new: dict[tuple[int | str, str], list[LedgerPoint]] = {}
        rule_seqs: set[int] = set()
        rule_learners: set[int | str] = set()
        for seq, at_us, draft in admitted:
            learner: int | str = learner_of.get(draft.agent_key, draft.agent_key)
            point = LedgerPoint(
                seq=seq,
                at_us=draft.at_us if draft.at_us is not None else at_us,
                weight=draft.weight,
                quality=draft.quality,
            )
            new.setdefault((learner, draft.competency_id), []).append(point)
            if draft.rule_id == proposal.rule["id"]:
                rule_seqs.add(seq)
                rule_learners.add(learner)
        evaluated_seqs = {seq for seq, _, _ in admitted}
        known = [(lid, c) for lid, c in new if isinstance(lid, int)]
        points, states = self.ledger.ledger_of_pairs(known)
        changed = set()
        for (learner, competency), added in new.items():
            state = states.get((learner, competency)) if isinstance(learner, int) else None
            before = engine.status(competency, state.stale_at_us, now) if state else "none"
            existing = points.get((learner, competency), []) if isinstance(learner, int) else []
            # An activity mapped before: its statements' evidence is replaced, not doubled.
            kept = [p for p in existing if p.seq not in evaluated_seqs]
            merged = sorted(kept + added, key=lambda p: p.seq)
            after_state = candidate.reduce(competency, merged)
            if candidate.status(competency, after_state.stale_at_us, now) != before:
                changed.add((learner, competency))
        return ActivityPreview(
            statements=len(rule_seqs),
            learners=len(rule_learners),
            learners_changing_status=len({learner for learner, _ in changed}),
            pairs_changing_status=len(changed),
            statements_evaluated=evaluated,
        )

    def save(self, proposal: MapProposal, *, created_by: str) -> int:
        """Save the new version, and take the activity out of the inbox at once."""
        version = self.config.apply(
            proposal.framework_doc,
            proposal.map_doc,
            note=f"activity inbox: {proposal.choice.activity_id} -> {proposal.choice.competency}",
            created_by=created_by,
        )
        self.tracker.refresh_activity(proposal.choice.activity_id, proposal.engine.evidence_for)
        return version

    def require_activity(self, inbox: InboxService, activity_id: str) -> ActivityUsage:
        """The activity's usage, or 404 when it was never seen."""
        found = inbox.activity(activity_id)
        if found is None:
            raise NotFound(f"no statement has the activity {activity_id!r}")
        return found
