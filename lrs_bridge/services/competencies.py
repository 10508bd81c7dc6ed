"""The competency engine as the ingest path and the read API use it.

It joins the pure parts: the framework and map (``competency/framework.py``,
``competency/mapping.py``) turn a statement into evidence, and the policy maths
(``competency/engine.py``) turn a learner's evidence into a level and a freshness date.
The store calls :meth:`CompetencyEngine.reduce` inside the ingest transaction.
"""

from __future__ import annotations

import functools
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import orjson

from lrs_bridge.competency.dedup import fingerprint
from lrs_bridge.competency.engine import (
    CompetencyState,
    Status,
    add_duration,
    compute_state,
    status,
)
from lrs_bridge.competency.framework import Framework, framework_from_dict
from lrs_bridge.competency.mapping import (
    CompetencyMap,
    evaluate,
    map_from_dict,
    read_map_document,
)
from lrs_bridge.competency.mapping import Policy as PolicyConfig
from lrs_bridge.competency.policy import AdaptivePolicy, FixedWindowPolicy, Policy
from lrs_bridge.errors import BadRequest
from lrs_bridge.services.forward_targets import forward_to
from lrs_bridge.store.base import (
    Clock,
    EvidenceDraft,
    LedgerPoint,
    NewStatement,
    StateChange,
    StateRow,
)
from lrs_bridge.upstream.model import Upstream
from lrs_bridge.xapi.extract import agent_key, index_statement
from lrs_bridge.xapi.person import agent_from_key
from lrs_bridge.xapi.timefmt import format_timestamp_us

#: The default framework and map, shipped inside the package (package data), so an installed
#: wheel works without the source tree. The repository's ``config/`` holds identical copies
#: to edit (a test keeps them equal); point ``framework_file``/``competency_map_file`` at yours.
DEFAULTS_DIR = Path(__file__).resolve().parents[1] / "defaults"


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

    def __init__(
        self, framework: Framework, cmap: CompetencyMap, *, version: int | None = None
    ) -> None:
        cmap.check_against(framework)
        self.framework = framework
        self.map = cmap
        #: The saved configuration version it was built from (None: the files).
        self.version = version
        self.policies: dict[str, Policy] = {
            competency.id: _policy(cmap.policies[competency.policy])
            for competency in framework.competencies
        }

    @functools.cached_property
    def silent_verbs(self) -> frozenset[str]:
        """Verbs that can never give evidence: lrs-bridge's own, and ``direct.ignore_verbs``
        (which applies to rules as well as to direct alignment)."""
        return frozenset(self.map.direct.ignore_verbs) | OWN_VERBS

    def ignored(self, statement: dict[str, Any]) -> dict[str, str] | None:
        """Why a statement is never evidence (its verb and the setting), or None."""
        verb = statement.get("verb")
        verb_id = verb.get("id") if isinstance(verb, dict) else None
        if verb_id in OWN_VERBS:
            return {"verb": verb_id, "setting": "lrs-bridge's own verbs (never evidence)"}
        if verb_id in self.map.direct.ignore_verbs:
            return {"verb": verb_id, "setting": "direct.ignore_verbs"}
        return None

    def evidence_for(self, statement: dict[str, Any]) -> list[EvidenceDraft]:
        """Evidence drafts for every learner the statement's actor stands for.

        ``at_us`` is left unset: the store uses the statement's own parsed timestamp.
        """
        verb = statement.get("verb")
        if isinstance(verb, dict) and verb.get("id") in self.silent_verbs:
            return []
        found = evaluate(statement, self.map, self.framework)
        if not found:
            return []
        content = fingerprint(statement)
        return [
            EvidenceDraft(
                agent_key=key,
                agent=agent,
                competency_id=item.competency_id,
                rule_id=item.rule_id,
                method=item.method,
                weight=item.weight,
                quality=item.quality,
                at_us=None,
                fingerprint=content,
            )
            for key, agent in learners_of(statement)
            for item in found
        ]

    def reduce(self, competency_id: str, points: Sequence[LedgerPoint]) -> StateRow:
        """The state of one learner × competency from all of its evidence."""
        state = compute_state(points, self._policy(competency_id))
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

    def refresher_due(self, competency_id: str, stale_at_us: int | None, now_us: int) -> bool:
        """Whether the refresher scan would assign this competency at ``now_us``: no positive
        evidence, or ``stale_at`` within the policy's lead time (``lead_time``, else
        ``due_soon``)."""
        if stale_at_us is None:
            return True
        competency = self.framework.get(competency_id)
        if competency is None:
            raise BadRequest(f"competency {competency_id} is not in the framework")
        lead = self.map.policies[competency.policy].refresher_lead
        return stale_at_us <= add_duration(now_us, lead, field="lead_time")  # as the scan does

    def _policy(self, competency_id: str) -> Policy:
        policy = self.policies.get(competency_id)
        if policy is None:
            raise BadRequest(f"competency {competency_id} is not in the framework")
        return policy


TLA_ASSERTED = "https://w3id.org/xapi/tla/verbs/asserted"
TLA_ASSIGNED = "https://w3id.org/xapi/tla/verbs/assigned"
#: The verbs of lrs-bridge's own statements (competency assertions, refresher assignments):
#: never evidence, whatever the map says, so they cannot feed back into the states that
#: caused them.
OWN_VERBS = frozenset({TLA_ASSERTED, TLA_ASSIGNED})
TLA_COMPETENCY = "https://w3id.org/xapi/tla/activity-types/competency"
TLA_CONFIDENCE = "https://w3id.org/xapi/tla/extensions/confidence"
TLA_EXPIRATION = "https://w3id.org/xapi/tla/extensions/expiration"
#: Smallest level change worth announcing.
LEVEL_STEP = 0.01


class TlaAssertions:
    """Announces changed competency states as xAPI statements in the TLA vocabulary.

    The learner is the actor (the TLA profile's rule for all its statements), the verb
    ``asserted``, the object the competency; ``confidence`` carries the level and
    ``expiration`` the ``stale_at`` date. Other consumers of the LRS thus see competency
    state without knowing lrs-bridge. Direct alignment ignores ``asserted``, so these
    statements never feed back into evidence.
    """

    def __init__(
        self,
        engine: CompetencyEngine,
        authority: dict[str, Any],
        clock: Clock,
        targets: Sequence[Upstream] = (),
    ):
        self.engine = engine
        self.authority = authority
        self.clock = clock
        #: Upstreams the announcements are forwarded to where their filters want them.
        self.targets = targets

    def __call__(self, changes: Sequence[StateChange]) -> list[NewStatement]:
        """Statements for the changes that matter (level moved, or stale_at changed)."""
        now = format_timestamp_us(self.clock())
        made = []
        for change in changes:
            if not _worth_announcing(change.before, change.after):
                continue
            competency = self.engine.framework.get(change.competency_id)
            extensions: dict[str, Any] = {
                TLA_CONFIDENCE: round(change.after.level, 4) if change.after else 0.0
            }
            if change.after is not None and change.after.stale_at_us is not None:
                extensions[TLA_EXPIRATION] = format_timestamp_us(change.after.stale_at_us)
            statement: dict[str, Any] = {
                "id": str(uuid.uuid4()),
                "actor": agent_from_key(change.agent_key),
                "verb": {"id": TLA_ASSERTED, "display": {"en": "asserted"}},
                "object": {
                    "objectType": "Activity",
                    "id": change.competency_id,
                    "definition": {
                        "type": TLA_COMPETENCY,
                        "name": dict(competency.name) if competency else {"en": "competency"},
                    },
                },
                "context": {"platform": "lrs-bridge", "extensions": extensions},
                "timestamp": now,
                "authority": self.authority,
                "version": "1.0.0",
            }
            index = index_statement(statement)
            made.append(
                NewStatement(
                    id=statement["id"],
                    statement=statement,
                    index=index,
                    timestamp_us=None,
                    authority_id=None,
                    version="1.0.0",
                    forward_to=forward_to(self.targets, statement, index, None, None),
                )
            )
        return made


def _worth_announcing(before: StateRow | None, after: StateRow | None) -> bool:
    if before is None or after is None:
        return before is not after
    return abs(after.level - before.level) >= LEVEL_STEP or after.stale_at_us != before.stale_at_us


def engine_from_documents(
    framework_doc: Any, map_doc: Any, version: int | None = None
) -> CompetencyEngine:
    """Validate both documents and cross-check them; errors name the field."""
    return CompetencyEngine(
        framework_from_dict(framework_doc), map_from_dict(map_doc), version=version
    )


def file_documents(framework_file: str, map_file: str) -> tuple[Any, Any]:
    """The framework and map documents from files (empty names: the shipped defaults)."""
    framework_path = Path(framework_file or DEFAULTS_DIR / "framework.json")
    framework_doc = orjson.loads(framework_path.read_bytes())
    return framework_doc, read_map_document(map_file or DEFAULTS_DIR / "competency-map.yaml")


def load_engine(framework_file: str, map_file: str) -> CompetencyEngine:
    """Load and cross-check the framework and map files (empty names: the shipped defaults)."""
    return engine_from_documents(*file_documents(framework_file, map_file))


class EngineSource:
    """The active engine: the newest version saved through the admin API, else the files.

    Every web worker and the scheduler hold one; each re-reads the newest version id at
    most every ``check_seconds``, which keeps the hot path cheap. Correctness does not rest
    on that poll: a version is saved under the statement write gate, and every ingest
    transaction compares the version it evaluated under with the active one inside the
    gate (``ConfigurationChanged``), re-evaluating under the new one (:meth:`refresh`).
    """

    def __init__(
        self,
        store: ConfigStore,
        framework_file: str,
        map_file: str,
        *,
        check_seconds: float = 5.0,
    ) -> None:
        self.store = store
        self.framework_file = framework_file
        self.map_file = map_file
        self.check_seconds = check_seconds
        self._files = load_engine(framework_file, map_file)
        self._engine = self._files
        self._version: int | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def current(self) -> CompetencyEngine:
        """The engine of the newest version (re-checked at most every ``check_seconds``)."""
        now = time.monotonic()
        if now - self._checked < self.check_seconds:
            return self._engine
        with self._lock:
            self._checked = now
            version = self.store.active_config_id()
            if version != self._version:
                config = self.store.active_config()
                if config is None:
                    self._engine, self._version = self._files, None
                else:
                    engine = engine_from_documents(config["framework"], config["map"], config["id"])
                    self._engine, self._version = engine, config["id"]
        return self._engine

    def refresh(self) -> CompetencyEngine:
        """Re-read the active version now (after this process changed it)."""
        self._checked = float("-inf")
        return self.current()

    def documents(self) -> tuple[Any, Any, int | None]:
        """The active framework and map documents and their version (None: files)."""
        config = self.store.active_config()
        if config is None:
            framework_doc, map_doc = file_documents(self.framework_file, self.map_file)
            return framework_doc, map_doc, None
        return config["framework"], config["map"], config["id"]


class ConfigStore(Protocol):
    """What :class:`EngineSource` needs from the store."""

    def active_config_id(self) -> int | None:
        """The newest version id."""
        ...

    def active_config(self) -> dict[str, Any] | None:
        """The newest version."""
        ...
