"""The upstream admin API under ``/api/v1/upstreams`` (admin scope): the registry, each
upstream's status, its dead letters and their retry. Thin: parse, call a service, serialise.
Secrets go in, never out (``secret_set`` says whether one is stored)."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Blueprint, Response, jsonify, request

from lrs_bridge.api.access import require_admin
from lrs_bridge.api.schemas import DeadLetterRetrySchema
from lrs_bridge.api.xapi import runtime
from lrs_bridge.errors import BadRequest
from lrs_bridge.params import parse_page
from lrs_bridge.services.upstreams import public_upstream

blueprint = Blueprint("api_upstreams", __name__, url_prefix="/api/v1/upstreams")


def _body(*, optional: bool = False) -> Any:
    data = request.get_data()
    if optional and not data.strip():
        return {}
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        raise BadRequest("the body must be JSON", field="$") from None


@blueprint.get("")
def list_upstreams() -> Response:
    """Every upstream, by name."""
    require_admin()
    return jsonify({"upstreams": [public_upstream(u) for u in runtime().upstreams.all()]})


@blueprint.post("")
def add_upstream() -> tuple[Response, int]:
    """Register an upstream (source ``api``)."""
    require_admin()
    added = runtime().upstreams.create(_body())
    return jsonify(public_upstream(added)), 201


@blueprint.get("/<name>")
def get_upstream(name: str) -> Response:
    require_admin()
    return jsonify(public_upstream(runtime().upstreams.get(name)))


@blueprint.patch("/<name>")
def change_upstream(name: str) -> Response:
    """Change the given fields (``enabled: false`` pauses it); 409 for a file's upstream."""
    require_admin()
    return jsonify(public_upstream(runtime().upstreams.change(name, _body())))


@blueprint.delete("/<name>")
def remove_upstream(name: str) -> tuple[str, int]:
    """Remove it with whatever its outbox still holds; 409 for a file's upstream."""
    require_admin()
    runtime().upstreams.remove(name)
    return "", 204


@blueprint.get("/<name>/status")
def upstream_status(name: str) -> Response:
    require_admin()
    services = runtime()
    return jsonify(services.upstream_status.status(services.upstreams.get(name)).to_dict())


@blueprint.get("/<name>/dead-letters")
def dead_letters(name: str) -> Response:
    """A page of dead letters, oldest first (``limit``, ``offset``)."""
    require_admin()
    limit, offset = parse_page(request.args)
    services = runtime()
    upstream = services.upstreams.get(name)
    rows = services.upstream_status.dead_letters(upstream, limit, offset)
    return jsonify({"dead_letters": rows, "limit": limit, "offset": offset})


@blueprint.post("/<name>/dead-letters/retry")
def retry_dead_letters(name: str) -> tuple[Response, int]:
    """Queue dead letters again: all, or ``{"statement_ids": [...]}``."""
    require_admin()
    body = DeadLetterRetrySchema().load(_body(optional=True))
    ids = None if body["statement_ids"] is None else [str(i) for i in body["statement_ids"]]
    services = runtime()
    count = services.upstream_status.retry(services.upstreams.get(name), ids)
    return jsonify({"retried": count}), 202
