"""The competency read API under ``/api/v1`` (JSON, HTTP Basic).

Reading competency data needs ``admin``, ``all/read`` or ``all``: it is personal data about
learners across every tool, broader than any statement scope.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
from flask import Blueprint, Response, jsonify, request

from lrs_bridge.api.access import authenticated, require_admin
from lrs_bridge.api.openapi import openapi_document
from lrs_bridge.api.schemas import ConfigChangeSchema, LearnerSchema, LearnerUpdateSchema
from lrs_bridge.api.xapi import runtime
from lrs_bridge.auth import Principal
from lrs_bridge.competency.framework import (
    framework_from_case,
    framework_to_case,
    framework_to_dict,
)
from lrs_bridge.errors import BadRequest, Forbidden, NotFound
from lrs_bridge.params import parse_page
from lrs_bridge.services import config_items
from lrs_bridge.services.admin import ConfigService, explain
from lrs_bridge.services.competencies import CompetencyEngine
from lrs_bridge.services.directory import public_learner
from lrs_bridge.services.learner_view import learner_view
from lrs_bridge.services.people import PeopleService
from lrs_bridge.services.team_matrix import TeamMatrixService
from lrs_bridge.store.matrix import SqlMatrixStore
from lrs_bridge.xapi.extract import agent_key
from lrs_bridge.xapi.timefmt import format_timestamp_us, now_us
from lrs_bridge.xapi.validate import validate_agent, validate_statement

blueprint = Blueprint("api_v1", __name__, url_prefix="/api/v1")


_BROAD_READ = frozenset({"admin", "all/read", "all"})


def _reader(own_learner: int | None = None) -> Principal:
    """Broad read rights, or (for ``own_learner``) that learner's own credential."""
    principal = authenticated()
    if principal.scopes & _BROAD_READ:
        return principal
    if own_learner is not None and principal.learner_id == own_learner:
        return principal
    raise Forbidden("competency data needs the admin, all/read or all scope, or your own learner")


def _engine() -> CompetencyEngine:
    source = runtime().competencies
    if source is None:
        raise NotFound("the competency engine is off on this server")
    return source.current()


def _flag(name: str) -> bool:
    """A boolean query parameter: ``true`` or ``false`` (absent: false)."""
    value = request.args.get(name, "false").lower()
    if value not in ("true", "false"):
        raise BadRequest(f"parameter {name!r} must be true or false", field=name)
    return value == "true"


def _time(value_us: int | None) -> str | None:
    return None if value_us is None else format_timestamp_us(value_us)


@blueprint.get("/competencies")
def competencies() -> Response:
    """The active framework's competencies with their freshness policy."""
    _reader()
    engine = _engine()
    document = framework_to_dict(engine.framework)
    return jsonify(
        {
            "framework": {"id": document["id"], "name": document["name"]},
            "competencies": document["competencies"],
        }
    )


@blueprint.get("/learners")
def find_learners() -> Response:
    """``?agent=<xAPI Agent JSON>``: the learner with that identifier; otherwise a page of
    the directory (``team``, ``limit``, ``offset``)."""
    _reader()
    text = request.args.get("agent")
    if text is None:
        return _list_learners()
    try:
        agent = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise BadRequest("parameter 'agent' must be JSON", field="agent") from None
    validate_agent(agent, version="1.0.3", path="agent")
    return jsonify(public_learner(runtime().learners.by_agent_key(agent_key(agent))))


@blueprint.get("/learners/<int:learner_id>/competencies")
def learner_competencies(learner_id: int) -> Response:
    """Each competency with evidence: level, status now, last evidence, stale_at, trail."""
    _reader(own_learner=learner_id)
    view = learner_view(runtime())
    learner = view.learner(learner_id)
    rows: list[dict[str, Any]] = [
        {
            "competency": row.competency_id,
            "name": row.name,
            "level": round(row.level, 4),
            "status": row.status,
            "last_evidence": _time(row.last_evidence_us),
            "stale_at": _time(row.stale_at_us),
            "evidence_count": row.evidence_count,
            "evidence": [
                {k: v for k, v in item.items() if k != "at_us"} | {"at": _time(item["at_us"])}
                for item in row.evidence
            ],
        }
        for row in view.competencies(learner_id)
    ]
    return jsonify({"learner": public_learner(learner), "competencies": rows})


# -- admin -------------------------------------------------------------------------------------


def _config_service() -> ConfigService:
    source = runtime().competencies
    if source is None:
        raise NotFound("the competency engine is off on this server")
    return runtime().config_service(source)


def _json_body() -> Any:
    try:
        return orjson.loads(request.get_data())
    except orjson.JSONDecodeError:
        raise BadRequest("the body must be JSON", field="$") from None


@blueprint.get("/config")
def get_config() -> Response:
    """The active framework and map documents and their version (None: the shipped files)."""
    require_admin()
    return jsonify(_config_service().documents())


@blueprint.get("/config/framework.case.json")
def get_framework_case() -> Response:
    """The active framework as a 1EdTech CASE package."""
    _reader()
    return jsonify(framework_to_case(_engine().framework))


@blueprint.put("/config")
def put_config() -> Response:
    """Replace the framework and/or map; ``?dry_run=true`` only reports the effect."""
    principal = require_admin()
    change = ConfigChangeSchema().load(_json_body())
    framework_doc = change["framework"]
    if change["framework_case"] is not None:
        framework_doc = framework_to_dict(framework_from_case(change["framework_case"]))
    service = _config_service()
    framework_doc, map_doc, engine = service.candidate(framework_doc, change["map"])
    if request.args.get("dry_run", "false").lower() == "true":
        return jsonify({"valid": True, "dry_run": dataclasses.asdict(service.dry_run(engine))})
    version = service.apply(framework_doc, map_doc, note=change["note"], created_by=principal.key)
    response = jsonify({"version": version, "replay": "pending"})
    response.status_code = 201
    return response


@blueprint.post("/explain")
def post_explain() -> Response:
    """Which rules fire for a statement (the body, or the stored one named by
    ``?statement_id=``), the evidence it would give and the near misses."""
    require_admin()
    statement_id = request.args.get("statement_id")
    if statement_id is not None:
        return jsonify(_config_service().explain_stored(_engine(), statement_id))
    statement = _json_body()
    validate_statement(statement, version="1.0.3")
    return jsonify(explain(_engine(), statement))


@blueprint.post("/learners")
def post_learner() -> Response:
    """Add a person to the directory (merging learners already seen under their IFIs)."""
    require_admin()
    body = LearnerSchema().load(_json_body())
    csv_line = ",".join(
        _csv_field(value)
        for value in (
            body["name"],
            body["email"] or "",
            ";".join(body["accounts"]),
            body["team"] or "",
            body["manager_email"] or "",
            body["language"] or "",
        )
    )
    return _import("name,email,accounts,team,manager_email,language\n" + csv_line + "\n")


@blueprint.post("/learners/import")
def import_learners() -> Response:
    """Import a directory CSV (``text/csv``): name, email, accounts, team, manager_email,
    language."""
    require_admin()
    return _import(request.get_data(as_text=True))


def _csv_field(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _import(text: str) -> Response:
    result = runtime().learners.import_csv(text, _engine().reduce)
    return jsonify(dataclasses.asdict(result))


def _list_learners() -> Response:
    limit, offset = parse_page(request.args)
    team = request.args.get("team")
    learners = runtime().learners.page(team, limit, offset)
    return jsonify({"learners": [public_learner(learner) for learner in learners]})


@blueprint.get("/teams/<team>/competencies")
def team_competencies(team: str) -> Response:
    """A team's roll-up: per framework competency, members by status and the mean level.

    Every member counts, never-trained ones as ``none`` (level 0). Broad readers see the
    whole team; the credential of a learner who manages members of the team (recursively)
    sees their reports and themselves.
    """
    principal = authenticated()
    service = _team_matrix()
    broad = bool(principal.scopes & _BROAD_READ)
    scope = service.scope_of(admin=broad, learner_id=principal.learner_id)
    if not broad and not service.may_view_team(team, scope):
        raise Forbidden(
            "a team's roll-up needs the admin, all/read or all scope, or the credential of a "
            "learner who manages members of the team"
        )
    matrix = service.matrix(team=team, viewer_scope=scope, now_us=now_us())
    return jsonify(
        {
            "team": team,
            "members": len(matrix.rows),
            "competencies": [
                {
                    "competency": column.id,
                    "learners": len(matrix.rows),
                    "trained": column.trained,
                    "mean_level": column.mean_level,
                    "status": column.totals.as_dict(),
                    "stale_learners": [
                        row.learner_id for row in matrix.rows if row.cells[k].status == "stale"
                    ],
                }
                for k, column in enumerate(matrix.columns)
            ],
        }
    )


def _team_matrix() -> TeamMatrixService:
    rt = runtime()
    if rt.competencies is None:
        raise NotFound("the competency engine is off on this server")
    return TeamMatrixService(SqlMatrixStore(rt.engine), PeopleService(rt.store), rt.competencies)


@blueprint.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document of this API; any valid credential may read it."""
    authenticated()
    return jsonify(openapi_document())


# -- granular configuration edits: each saves a new version (``?dry_run=true`` previews) ----


@blueprint.get("/config/<name>")
def get_collection(name: str) -> Response:
    """Rules, policies, methods, framework competencies or refreshers of the active version."""
    require_admin()
    return jsonify(config_items.items(_config_service().documents(), config_items.collection(name)))


@blueprint.route("/config/<name>/<path:item_id>", methods=["GET", "PUT", "DELETE"])
def edit_collection_item(name: str, item_id: str) -> Response:
    """Read, create/replace or delete one item; writes save a new version."""
    principal = require_admin()
    where = config_items.collection(name)
    service = _config_service()
    docs = service.documents()
    if request.method == "GET":
        current = config_items.item(docs, where, item_id)
        if current is None:
            raise NotFound(f"no {name} item {item_id!r}")
        return jsonify(current)
    body = None if request.method == "DELETE" else _json_body()
    changed = config_items.edited(docs, where, item_id, body)
    framework_doc, map_doc, engine = service.candidate(changed["framework"], changed["map"])
    if request.args.get("dry_run", "false").lower() == "true":
        return jsonify({"valid": True, "dry_run": dataclasses.asdict(service.dry_run(engine))})
    version = service.apply(
        framework_doc,
        map_doc,
        note=f"{request.method} {name}/{item_id}",
        created_by=principal.key,
    )
    response = jsonify({"version": version, "replay": "pending"})
    response.status_code = 201 if request.method == "PUT" else 200
    return response


@blueprint.route("/learners/<int:learner_id>", methods=["GET", "PATCH", "DELETE"])
def learner(learner_id: int) -> Response:
    """One learner; PATCH changes profile fields (name, email, team, manager_id, language);
    DELETE erases the person: statements, documents, evidence, assignments, notifications
    and identifiers, leaving an audit record without personal data (``?dry_run=true``
    only counts)."""
    if request.method == "DELETE":
        caller = require_admin()
        dry_run = _flag("dry_run")
        return jsonify(
            runtime().privacy.erase(learner_id, f"credential:{caller.key}", dry_run=dry_run)
        )
    if request.method == "GET":
        _reader(own_learner=learner_id)
        return jsonify(public_learner(runtime().learners.get(learner_id)))
    require_admin()
    changes = LearnerUpdateSchema().load(_json_body())
    return jsonify(public_learner(runtime().learners.update(learner_id, changes)))


@blueprint.get("/erasures")
def list_erasures() -> Response:
    """The erasure audit trail: id, when, who asked, rows removed per kind."""
    require_admin()
    return jsonify(
        {
            "erasures": [
                {**e, "at": format_timestamp_us(e.pop("at_us"))}
                for e in runtime().privacy.erasures()
            ]
        }
    )


@blueprint.get("/exports/statements.jsonl")
def export_statements() -> Response:
    """Every statement as JSON lines with each Agent and Group replaced by a stable
    pseudonym, for analytics (streamed)."""
    require_admin()
    return Response(
        runtime().privacy.export_lines(pseudonymised=True),
        mimetype="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="statements.jsonl"'},
    )
