"""The competency read API under ``/api/v1`` (JSON, HTTP Basic).

Reading competency data needs ``admin``, ``all/read`` or ``all``: it is personal data about
learners across every tool, broader than any statement scope.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Blueprint, Response, jsonify, request

from lrs_bridge.api.xapi import runtime
from lrs_bridge.api.xapi_request import read_xapi_request
from lrs_bridge.auth import Principal
from lrs_bridge.errors import BadRequest, Forbidden, NotFound
from lrs_bridge.services.competencies import CompetencyEngine
from lrs_bridge.xapi.extract import agent_key
from lrs_bridge.xapi.timefmt import format_timestamp_us, now_us
from lrs_bridge.xapi.validate import validate_agent

blueprint = Blueprint("api_v1", __name__, url_prefix="/api/v1")


def _reader() -> Principal:
    key, secret = read_xapi_request(request).basic_credentials()
    principal = runtime().authenticator.authenticate(key, secret)
    if not principal.scopes & {"admin", "all/read", "all"}:
        raise Forbidden("competency data needs the admin, all/read or all scope")
    return principal


def _engine() -> CompetencyEngine:
    source = runtime().competencies
    if source is None:
        raise NotFound("the competency engine is off on this server")
    return source.current()


def _time(value_us: int | None) -> str | None:
    return None if value_us is None else format_timestamp_us(value_us)


@blueprint.get("/competencies")
def competencies() -> Response:
    """The active framework's competencies with their freshness policy."""
    _reader()
    engine = _engine()
    return jsonify(
        {
            "framework": {"id": engine.framework.id, "name": engine.framework.name},
            "competencies": [
                {
                    "id": c.id,
                    "name": c.name,
                    "description": c.description,
                    "parent": c.parent,
                    "policy": c.policy,
                }
                for c in engine.framework.competencies
            ],
        }
    )


@blueprint.get("/learners")
def find_learner() -> Response:
    """``?agent=<xAPI Agent JSON>``: the learner any of whose IFIs the agent has."""
    _reader()
    text = request.args.get("agent")
    if text is None:
        raise BadRequest("the agent parameter is required", field="agent")
    try:
        agent = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise BadRequest("parameter 'agent' must be JSON", field="agent") from None
    validate_agent(agent, version="1.0.3", path="agent")
    key = agent_key(agent)
    found = runtime().store.learner_by_agent_key(key) if key else None
    if found is None:
        raise NotFound("no learner has this agent's identifier")
    return jsonify(found)


@blueprint.get("/learners/<int:learner_id>/competencies")
def learner_competencies(learner_id: int) -> Response:
    """Each competency with evidence: level, status now, last evidence, stale_at, trail."""
    _reader()
    engine = _engine()
    store = runtime().store
    learner = store.learner_by_id(learner_id)
    if learner is None:
        raise NotFound(f"no learner {learner_id}")
    now = now_us()
    rows: list[dict[str, Any]] = []
    for state in store.learner_competencies(learner_id):
        competency = engine.framework.get(state["competency_id"])
        rows.append(
            {
                "competency": state["competency_id"],
                "name": competency.name if competency else None,
                "level": round(state["level"], 4),
                "status": engine.status(state["competency_id"], state["stale_at_us"], now),
                "last_evidence": _time(state["last_evidence_us"]),
                "stale_at": _time(state["stale_at_us"]),
                "evidence_count": state["evidence_count"],
                "evidence": [
                    {k: v for k, v in item.items() if k != "at_us"} | {"at": _time(item["at_us"])}
                    for item in state["evidence"]
                ],
            }
        )
    return jsonify({"learner": learner, "competencies": rows})
