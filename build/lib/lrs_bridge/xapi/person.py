"""Agents from identifier keys, and the Person object of the Agents resource
(Communication §2.4): pure."""

from __future__ import annotations

from typing import Any

_IFI_PROPERTIES = ("mbox", "mbox_sha1sum", "openid", "account")


def agent_from_key(agent_key: str) -> dict[str, Any]:
    """An xAPI Agent for a canonical IFI key (the inverse of ``xapi.extract.agent_key``)."""
    kind, _, value = agent_key.partition(":")
    if kind == "account":
        home_page, _, name = value.partition("\x1f")
        return {"objectType": "Agent", "account": {"homePage": home_page, "name": name}}
    return {"objectType": "Agent", kind: value}


def _ifi(key: str) -> tuple[str, Any] | None:
    """``agent_key`` → (Agent property, value)."""
    agent = agent_from_key(key)
    for prop in _IFI_PROPERTIES:
        if prop in agent:
            return prop, agent[prop]
    return None


def build_person(
    agent: dict[str, Any], key: str, learner: tuple[str | None, list[str]] | None
) -> dict[str, Any]:
    """A Person from the requested Agent plus the learner it belongs to, if any."""
    person: dict[str, list[Any]] = {"name": [], **{name: [] for name in _IFI_PROPERTIES}}
    names = [agent.get("name"), learner[0] if learner else None]
    for name in names:
        if isinstance(name, str) and name and name not in person["name"]:
            person["name"].append(name)
    for prop in _IFI_PROPERTIES:
        if prop in agent:
            person[prop].append(agent[prop])
    for other in learner[1] if learner else ():
        ifi = _ifi(other) if other != key else None
        if ifi is not None and ifi[1] not in person[ifi[0]]:
            person[ifi[0]].append(ifi[1])
    return {"objectType": "Person", **{prop: values for prop, values in person.items() if values}}
