"""Statements for analytics without identities: every Agent and Group is replaced by a
stable pseudonym (an HMAC of its identifier under the instance's key).

The same person gets the same pseudonym in every export from one database, so analysts can
follow a learner over time without knowing who it is; without the key the pseudonyms cannot
be reversed or matched against a list of e-mail addresses. Names are dropped. Free text and
extensions are kept as they are: a tool that writes personal data into them must be
configured not to.

Erasure uses :func:`replace_person` instead: only the erased person's agents are replaced,
everywhere they appear, by one agent of the erasure (see ``store/privacy.py``).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
from collections.abc import Callable, Collection
from typing import Any

from lrs_bridge.xapi.extract import agent_key

PSEUDONYM_HOMEPAGE = "urn:lrs-bridge:pseudonym"
#: ``account.homePage`` of the agent that stands in for an erased person.
ERASED_HOMEPAGE = "urn:lrs-bridge:erased"


def pseudonym(key: bytes, identifier: str) -> str:
    """The stable pseudonym of one identifier key (see ``agent_key``)."""
    return hmac.new(key, identifier.encode(), hashlib.sha256).hexdigest()[:32]


def _agent(agent: Any, key: bytes) -> Any:
    if not isinstance(agent, dict):
        return agent
    kind = agent.get("objectType", "Agent")
    replaced: dict[str, Any] = {"objectType": kind}
    identifier = agent_key(agent)
    if identifier is not None:
        replaced["account"] = {"homePage": PSEUDONYM_HOMEPAGE, "name": pseudonym(key, identifier)}
    if kind == "Group" and isinstance(agent.get("member"), list):
        replaced["member"] = [_agent(member, key) for member in agent["member"]]
    return replaced


def _statement(statement: dict[str, Any], swap: Callable[[Any], Any]) -> None:
    """Apply ``swap`` to every Agent and Group of a statement or SubStatement, in place:
    actor, authority, Agent/Group object, instructor, team, contextAgents, contextGroups."""
    for name in ("actor", "authority"):
        if name in statement:
            statement[name] = swap(statement[name])
    obj = statement.get("object")
    if isinstance(obj, dict):
        if obj.get("objectType") in ("Agent", "Group"):
            statement["object"] = swap(obj)
        elif obj.get("objectType") == "SubStatement":
            _statement(obj, swap)
    context = statement.get("context")
    if isinstance(context, dict):
        for name in ("instructor", "team"):
            if name in context:
                context[name] = swap(context[name])
        for name, inner in (("contextAgents", "agent"), ("contextGroups", "group")):
            for entry in context.get(name) or ():
                if isinstance(entry, dict) and inner in entry:
                    entry[inner] = swap(entry[inner])


def pseudonymise(statement: dict[str, Any], key: bytes) -> dict[str, Any]:
    """A copy of ``statement`` with every Agent and Group pseudonymised."""
    copied = copy.deepcopy(statement)
    _statement(copied, lambda agent: _agent(agent, key))
    return copied


def erased_agent(name: str) -> dict[str, Any]:
    """The agent standing in for an erased person (``name`` is random, per erasure)."""
    return {"objectType": "Agent", "account": {"homePage": ERASED_HOMEPAGE, "name": name}}


def replace_person(
    statement: dict[str, Any], keys: Collection[str], replacement: dict[str, Any]
) -> dict[str, Any]:
    """A copy of ``statement`` in which every agent with one of ``keys`` (also as a group
    member) is ``replacement``; everyone else stays as they were."""

    def swap(agent: Any) -> Any:
        if not isinstance(agent, dict):
            return agent
        if agent_key(agent) in keys:
            kind = agent.get("objectType", "Agent")
            return {**replacement, "objectType": kind} | (
                {"member": [swap(m) for m in agent["member"]]} if "member" in agent else {}
            )
        if isinstance(agent.get("member"), list):
            return {**agent, "member": [swap(member) for member in agent["member"]]}
        return agent

    copied = copy.deepcopy(statement)
    _statement(copied, swap)
    return copied
