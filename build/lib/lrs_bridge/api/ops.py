"""Operational endpoints: liveness, readiness (both public) and metrics (admin scope)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from lrs_bridge.api.xapi import runtime
from lrs_bridge.api.xapi_request import read_xapi_request
from lrs_bridge.errors import Forbidden
from lrs_bridge.observability import Metrics, state_exposition

blueprint = Blueprint("ops", __name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    """The process is up and serving; says nothing about the database."""
    return jsonify({"status": "ok"})


@blueprint.get("/readyz")
def readyz() -> Response:
    """Ready when the database answers; 503 (via ``StoreUnavailable``) otherwise."""
    runtime().store.ping()
    return jsonify({"status": "ready"})


@blueprint.get("/metrics")
def metrics() -> Response:
    """Prometheus exposition; needs a credential with the ``admin`` scope."""
    key, secret = read_xapi_request(request).basic_credentials()
    principal = runtime().authenticator.authenticate(key, secret)
    if not principal.has_scope("admin"):
        raise Forbidden("metrics need the admin scope")
    instruments: Metrics = current_app.extensions["lrs_bridge.metrics"]
    body, content_type = instruments.exposition()
    store = runtime().store
    body += state_exposition(store.outbox_counts(), store.assignment_counts())
    return Response(body, content_type=content_type)
