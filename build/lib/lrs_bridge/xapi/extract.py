"""What the store indexes about a statement, computed from a validated statement.

The query side of the Statement API (xAPI Communication §2.1.3) filters on the actor or
object agent, the verb, the object activity, the registration and, with ``related_*``,
on every agent and activity anywhere in the statement. These are extracted once on
ingest so queries are index look-ups, never JSON scans.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
_CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")


def agent_key(agent: dict[str, Any]) -> str | None:
    """The canonical inverse-functional-identifier key of an Agent or identified Group.

    Two agents match in queries when they share an IFI (Communication §2.1.3); anonymous
    groups have none and yield ``None``.
    """
    if "mbox" in agent:
        return "mbox:" + str(agent["mbox"]).lower()
    if "mbox_sha1sum" in agent:
        return "mbox_sha1sum:" + str(agent["mbox_sha1sum"]).lower()
    if "openid" in agent:
        return "openid:" + str(agent["openid"])
    account = agent.get("account")
    if isinstance(account, dict):
        return f"account:{account.get('homePage')}\x1f{account.get('name')}"
    return None


@dataclasses.dataclass(frozen=True, kw_only=True)
class StatementIndex:
    """The indexed facts of one statement (see module docstring)."""

    actor_key: str | None
    verb_id: str
    object_type: str
    #: Activity id, agent key or referenced statement id, by ``object_type``.
    object_key: str | None
    registration: str | None
    #: For a voiding statement, the id of the statement it voids.
    voids_id: str | None
    #: Agent key → True when the agent is the actor or object ("narrow" match).
    agents: dict[str, bool]
    #: Activity id → True when it is the statement's object ("narrow" match).
    activities: dict[str, bool]

    def match_keys(self) -> dict[str, bool]:
        """Every filter value this statement matches, as ``kind|value`` → narrow.

        Kinds: ``verb``, ``registration``, ``agent``, ``activity``. A narrow key matches the
        plain ``agent``/``activity`` filters; every key matches with ``related_*``.
        """
        keys = {f"verb|{self.verb_id}": True}
        if self.registration is not None:
            keys[f"registration|{self.registration.lower()}"] = True
        for agent, narrow in self.agents.items():
            keys[f"agent|{agent}"] = narrow
        for activity, narrow in self.activities.items():
            keys[f"activity|{activity}"] = narrow
        return keys


def _agents_in(actor: Any) -> Iterator[str]:
    """Keys of an Agent/Group and, for groups, of their members."""
    if not isinstance(actor, dict):
        return
    key = agent_key(actor)
    if key is not None:
        yield key
    for member in actor.get("member") or ():
        if isinstance(member, dict):
            member_key = agent_key(member)
            if member_key is not None:
                yield member_key


def _context_activity_ids(context: dict[str, Any]) -> Iterator[str]:
    activities = context.get("contextActivities") or {}
    for kind in _CONTEXT_ACTIVITY_KINDS:
        value = activities.get(kind)
        if value is None:
            continue
        for activity in value if isinstance(value, list) else (value,):
            yield activity["id"]


def _context_agents(context: dict[str, Any]) -> Iterator[str]:
    yield from _agents_in(context.get("instructor"))
    yield from _agents_in(context.get("team"))
    for entry in context.get("contextAgents") or ():
        yield from _agents_in(entry.get("agent"))
    for entry in context.get("contextGroups") or ():
        yield from _agents_in(entry.get("group"))


def _mark(target: dict[str, bool], keys: Iterable[str], narrow: bool) -> None:
    for key in keys:
        target[key] = target.get(key, False) or narrow


def _collect(
    statement: dict[str, Any], agents: dict[str, bool], activities: dict[str, bool], top: bool
) -> None:
    """Fill the related agents/activities of a statement or of its SubStatement."""
    _mark(agents, _agents_in(statement.get("actor")), top)
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        _mark(activities, (obj["id"],), top)
    elif object_type in ("Agent", "Group"):
        _mark(agents, _agents_in(obj), top)
    elif object_type == "SubStatement":
        _collect(obj, agents, activities, False)
    context = statement.get("context")
    if isinstance(context, dict):
        _mark(agents, _context_agents(context), False)
        _mark(activities, _context_activity_ids(context), False)


def index_statement(statement: dict[str, Any]) -> StatementIndex:
    """Extract the :class:`StatementIndex` of a validated statement (authority included)."""
    agents: dict[str, bool] = {}
    activities: dict[str, bool] = {}
    _collect(statement, agents, activities, True)
    _mark(agents, _agents_in(statement.get("authority")), False)

    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    if object_type in ("Agent", "Group"):
        object_key = agent_key(obj)
    elif object_type == "Activity":
        object_key = obj["id"]
    elif object_type == "StatementRef":
        object_key = obj["id"].lower()
    else:
        object_key = None
    verb_id = statement["verb"]["id"]
    context = statement.get("context") or {}
    return StatementIndex(
        actor_key=agent_key(statement["actor"]),
        verb_id=verb_id,
        object_type=object_type,
        object_key=object_key,
        registration=context.get("registration"),
        voids_id=obj["id"].lower()
        if verb_id == VOIDED_VERB and object_type == "StatementRef"
        else None,
        agents=agents,
        activities=activities,
    )
