"""Statements for analytics without identities: every Agent and Group is replaced by a
stable pseudonym (an HMAC of its identifier under the instance's key).

The same person gets the same pseudonym in every export from one database, so analysts can
follow a learner over time without knowing who it is; without the key the pseudonyms cannot
be reversed or matched against a list of e-mail addresses. Names are dropped. Free text and
extensions are kept as they are: a tool that writes personal data into them must be
configured not to.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
from typing import Any

from lrs_bridge.xapi.extract import agent_key

PSEUDONYM_HOMEPAGE = "urn:lrs-bridge:pseudonym"


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


def _statement(statement: dict[str, Any], key: bytes) -> None:
    """Replace the agents of a statement or SubStatement in place."""
    for name in ("actor", "authority"):
        if name in statement:
            statement[name] = _agent(statement[name], key)
    obj = statement.get("object")
    if isinstance(obj, dict):
        if obj.get("objectType") in ("Agent", "Group"):
            statement["object"] = _agent(obj, key)
        elif obj.get("objectType") == "SubStatement":
            _statement(obj, key)
    context = statement.get("context")
    if isinstance(context, dict):
        for name in ("instructor", "team"):
            if name in context:
                context[name] = _agent(context[name], key)


def pseudonymise(statement: dict[str, Any], key: bytes) -> dict[str, Any]:
    """A copy of ``statement`` with every Agent and Group pseudonymised."""
    copied = copy.deepcopy(statement)
    _statement(copied, key)
    return copied
