"""Assembles the Flask app: settings, runtime, blueprints, error handlers, request hooks."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, g, request

import lrs_bridge.api.documents  # noqa: F401 - registers routes
from lrs_bridge.api import assignments, ops, v1, xapi
from lrs_bridge.api.errors import register_error_handlers
from lrs_bridge.config import load_settings
from lrs_bridge.observability import Metrics, configure_logging
from lrs_bridge.runtime import build_runtime

access_log = logging.getLogger("lrs_bridge.access")


def build_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Create a configured app; nothing connects to the database until a request needs it."""
    settings = load_settings(overrides)
    configure_logging(settings.log_level)
    app = Flask("lrs_bridge")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["lrs_bridge"] = build_runtime(settings)
    metrics = Metrics(settings.metrics_dir)
    app.extensions["lrs_bridge.metrics"] = metrics
    app.register_blueprint(xapi.blueprint)
    app.register_blueprint(ops.blueprint)
    app.register_blueprint(v1.blueprint)
    app.register_blueprint(assignments.blueprint)
    register_error_handlers(app)

    @app.before_request
    def _start() -> None:
        g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.requests.labels(endpoint, request.method, str(response.status_code)).inc()
        metrics.latency.labels(endpoint).observe(elapsed)
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if settings.access_log:
            principal = g.get("principal")
            access_log.info(
                "request",
                extra={
                    "request_id": g.get("request_id"),
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round(elapsed * 1000, 2),
                    "credential": principal.key if principal else None,
                },
            )
        return response

    return app
