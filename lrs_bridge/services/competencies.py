"""The competency engine as the ingest path and the read API use it.

It joins the pure parts: the framework and map (``competency/framework.py``,
``competency/mapping.py``) turn a statement into evidence, and the policy maths
(``competency/engine.py``) turn a learner's evidence into a level and a freshness date.
The store calls :meth:`CompetencyEngine.reduce` inside the ingest transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lrs_bridge.competency.engine import (
    CompetencyState,
    EvidencePoint,
    Status,
    compute_state,
    status,
)
from lrs_bridge.competency.framework import Framework, load_framework
from lrs_bridge.competency.mapping import CompetencyMap, evaluate, load_map
from lrs_bridge.competency.mapping import Policy as PolicyConfig
from lrs_bridge.competency.policy import AdaptivePolicy, FixedWindowPolicy, Policy
from lrs_bridge.errors import BadRequest
from lrs_bridge.store.base import EvidenceDraft, LedgerPoint, StateRow
from lrs_bridge.xapi.extract import agent_key
from lrs_bridge.xapi.timefmt import parse_timestamp_us

#: The repository's config folder (the default framework and map ship there).
CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


def _policy(config: PolicyConfig) -> Policy:
    if config.kind == "fixed":
        return FixedWindowPolicy(
            id=config.id, validity=config.validity or "P3M", due_soon=config.due_soon
        )
    return AdaptivePolicy(
        id=config.id, target_retention=config.target_retention or 0.9, due_soon=config.due_soon
    )


def learners_of(statement: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Whose evidence a statement is: its object Agent/Group when it has one (a mentor
    *mentored* Kari, a coach *coached* a team), otherwise its actor; a group stands for its
    identified members too."""
    obj = statement.get("object")
    if isinstance(obj, dict) and obj.get("objectType") in ("Agent", "Group"):
        return _identified(obj)
    return _identified(statement.get("actor"))


def _identified(actor: Any) -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(actor, dict):
        return []
    found = []
    key = agent_key(actor)
    if key is not None and actor.get("objectType", "Agent") == "Agent":
        found.append((key, actor))
    for member in actor.get("member") or ():
        member_key = agent_key(member)
        if member_key is not None:
            found.append((member_key, member))
    return found


class CompetencyEngine:
    """A framework and a competency map, with each competency's freshness policy."""

    def __init__(self, framework: Framework, cmap: CompetencyMap) -> None:
        cmap.check_against(framework)
        self.framework = framework
        self.map = cmap
        self.policies: dict[str, Policy] = {
            competency.id: _policy(cmap.policies[competency.policy])
            for competency in framework.competencies
        }

    def evidence_for(self, statement: dict[str, Any]) -> list[EvidenceDraft]:
        """Evidence drafts for every learner the statement's actor stands for."""
        found = evaluate(statement, self.map, self.framework)
        if not found:
            return []
        timestamp = statement.get("timestamp")
        at_us = parse_timestamp_us(timestamp) if isinstance(timestamp, str) else None
        return [
            EvidenceDraft(
                agent_key=key,
                agent=agent,
                competency_id=item.competency_id,
                rule_id=item.rule_id,
                method=item.method,
                weight=item.weight,
                quality=item.quality,
                at_us=at_us,
            )
            for key, agent in learners_of(statement)
            for item in found
        ]

    def reduce(self, competency_id: str, points: Sequence[LedgerPoint]) -> StateRow:
        """The state of one learner × competency from all of its evidence."""
        state = compute_state(
            (
                EvidencePoint(at_us=p.at_us, seq=p.seq, weight=p.weight, quality=p.quality)
                for p in points
            ),
            self._policy(competency_id),
        )
        return StateRow(
            level=state.level,
            last_evidence_us=state.last_evidence_us,
            stale_at_us=state.stale_at_us,
            evidence_count=state.evidence_count,
            stability_days=state.stability_days,
        )

    def status(self, competency_id: str, stale_at_us: int | None, now_us: int) -> Status:
        """``none``/``fresh``/``due_soon``/``stale`` of a stored state at ``now_us``."""
        state = CompetencyState(
            level=0.0, last_evidence_us=None, stale_at_us=stale_at_us, evidence_count=0
        )
        return status(state, self._policy(competency_id), now_us)

    def _policy(self, competency_id: str) -> Policy:
        policy = self.policies.get(competency_id)
        if policy is None:
            raise BadRequest(f"competency {competency_id} is not in the framework")
        return policy


def load_engine(framework_file: str, map_file: str) -> CompetencyEngine:
    """Load and cross-check the framework and map files (empty names: the shipped defaults)."""
    framework = load_framework(framework_file or CONFIG_DIR / "framework.json")
    cmap = load_map(map_file or CONFIG_DIR / "competency-map.yaml")
    return CompetencyEngine(framework, cmap)
