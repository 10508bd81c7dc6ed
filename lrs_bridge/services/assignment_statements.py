"""New refresher assignments as xAPI statements in the store, so every consumer of the LRS
(an LMS dashboard, a learning analytics tool) sees them without knowing lrs-bridge.

One statement per assignment: the learner is the actor (the TLA profile's convention, as for
``asserted``), the verb TLA ``assigned``, the object the refresher activity; lrs-bridge is the
instructor, and the due date, competency and assignment id are context extensions. The id is
derived from the notification's idempotency key, so a delivery repeated after a crash finds
the statement already stored and stores nothing twice. These statements never give evidence
(``CompetencyEngine`` ignores lrs-bridge's own verbs).
"""

from __future__ import annotations

import uuid
from typing import Any

from lrs_bridge.auth import system_agent
from lrs_bridge.errors import Conflict
from lrs_bridge.notify.model import Digest
from lrs_bridge.services.competencies import TLA_ASSIGNED
from lrs_bridge.services.forward_targets import ForwardTargets, forward_to
from lrs_bridge.store.base import Clock, NewStatement
from lrs_bridge.store.sqlalchemy import SqlStore
from lrs_bridge.xapi.extract import index_statement
from lrs_bridge.xapi.person import agent_from_key
from lrs_bridge.xapi.timefmt import format_timestamp_us

EXT_DUE = "https://lrs-bridge.dev/xapi/extensions/due"
EXT_COMPETENCY = "https://lrs-bridge.dev/xapi/extensions/competency"
EXT_ASSIGNMENT = "https://lrs-bridge.dev/xapi/extensions/assignment"
#: Namespace of the statement ids (UUID 5 of idempotency key and assignment id).
_NAMESPACE = uuid.UUID("6f1c2b9e-8d4a-5b7e-9c3f-2a1d0e4b5c6d")
_VERSION = "1.0.0"


def assignment_statements(
    digest: Digest, learner_key: str, system: dict[str, Any]
) -> list[dict[str, Any]]:
    """The statements announcing the digest's assignments (pure)."""
    made = []
    for item in digest.items:
        statement_id = uuid.uuid5(_NAMESPACE, f"{digest.idempotency_key}:{item.assignment_id}")
        activity: dict[str, Any] = {
            "objectType": "Activity",
            "id": item.activity_id,
            "definition": {"name": dict(item.activity_name) or {"en": item.activity_id}},
        }
        if item.launch_link:
            activity["definition"]["moreInfo"] = item.launch_link
        made.append(
            {
                "id": str(statement_id),
                "actor": agent_from_key(learner_key),
                "verb": {"id": TLA_ASSIGNED, "display": {"en": "was assigned"}},
                "object": activity,
                "context": {
                    "instructor": system,
                    "platform": "lrs-bridge",
                    "extensions": {
                        EXT_DUE: format_timestamp_us(item.due_us),
                        EXT_COMPETENCY: item.competency_id,
                        EXT_ASSIGNMENT: item.assignment_id,
                    },
                },
                "timestamp": format_timestamp_us(digest.created_us),
                "authority": system,
                "version": _VERSION,
            }
        )
    return made


class AssignmentStatementSink:
    """Stores the statements of one ``xapi`` outbox notification, once."""

    def __init__(
        self,
        store: SqlStore,
        clock: Clock,
        authority_homepage: str,
        upstreams: ForwardTargets | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.system = system_agent(authority_homepage)
        #: Where the statements are forwarded, as received ones (by the upstreams' filters).
        self.upstreams = upstreams

    def __call__(self, digest: Digest) -> str:
        """Store them; statements already there (an earlier, interrupted delivery) count."""
        learner = self.store.learner_by_id(digest.learner_id)
        if learner is None or not learner["ifis"]:
            raise ValueError(f"learner {digest.learner_id} is no longer in the directory")
        statements = assignment_statements(digest, min(learner["ifis"]), self.system)
        targets = self.upstreams.forward_targets() if self.upstreams else []
        new = []
        for s in statements:
            index = index_statement(s)
            new.append(
                NewStatement(
                    id=s["id"],
                    statement=s,
                    index=index,
                    timestamp_us=digest.created_us,
                    authority_id=None,
                    version=_VERSION,
                    forward_to=forward_to(targets, s, index, None, None),
                )
            )
        try:
            self.store.add_statements(new, self.clock)
        except Conflict:
            present = self.store.find_statements([s.id for s in new])
            missing = [s for s in new if s.id not in present]
            if missing:
                self.store.add_statements(missing, self.clock)
        return f"{len(new)} statement(s) stored: {', '.join(s.id for s in new)}"
