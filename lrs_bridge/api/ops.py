"""Operational endpoints: liveness, readiness (both public) and metrics (admin scope)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from lrs_bridge.api.access import require_admin
from lrs_bridge.api.xapi import runtime
from lrs_bridge.observability import Metrics, state_exposition, upstream_exposition

blueprint = Blueprint("ops", __name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    """The process is up and serving; says nothing about the database."""
    return jsonify({"status": "ok"})


@blueprint.get("/readyz")
def readyz() -> Response:
    """Ready when the database answers; 503 (via ``StoreUnavailable``) otherwise."""
    runtime().health.check()
    return jsonify({"status": "ready"})


@blueprint.get("/metrics")
def metrics() -> Response:
    """Prometheus exposition; needs a credential with the ``admin`` scope."""
    require_admin()
    instruments: Metrics = current_app.extensions["lrs_bridge.metrics"]
    body, content_type = instruments.exposition()
    services = runtime()
    body += state_exposition(services.notifications.counts(), services.assignments.counts())
    body += upstream_exposition(
        [services.upstream_status.status(u).metrics() for u in services.upstreams.all()]
    )
    return Response(body, content_type=content_type)
