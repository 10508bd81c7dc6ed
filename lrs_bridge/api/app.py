"""Assembles the Flask app: settings, runtime, blueprints, error handlers, request hooks."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.routing import IntegerConverter, Map

import lrs_bridge.api.documents  # noqa: F401 - registers routes
from lrs_bridge.api import assignments, ops, upstreams, v1, xapi
from lrs_bridge.api.errors import register_error_handlers
from lrs_bridge.config import load_settings
from lrs_bridge.console import register_console
from lrs_bridge.observability import Metrics, configure_logging
from lrs_bridge.params import MAX_ID, check_no_nul
from lrs_bridge.runtime import build_runtime

access_log = logging.getLogger("lrs_bridge.access")


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in this app's URLs is a row id: ASCII digits up to :data:`MAX_ID`.

    Werkzeug's own matches any Unicode digit (``\\d``), which ``int`` may then reject, and
    has no upper bound, so the database would be asked for an id it cannot hold (a 500).
    Anything else is simply no such resource: 404.
    """

    regex = r"[0-9]{1,18}"

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def build_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Create a configured app; nothing connects to the database until a request needs it."""
    settings = load_settings(overrides)
    configure_logging(settings.log_level)
    app = Flask("lrs_bridge")
    app.url_map.converters["int"] = RowIdConverter  # before any blueprint adds its rules
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["lrs_bridge"] = build_runtime(settings)
    metrics = Metrics(settings.metrics_dir)
    app.extensions["lrs_bridge.metrics"] = metrics
    app.register_blueprint(xapi.blueprint)
    app.register_blueprint(ops.blueprint)
    app.register_blueprint(v1.blueprint)
    app.register_blueprint(assignments.blueprint)
    app.register_blueprint(upstreams.blueprint)
    register_console(
        app, idle_minutes=settings.console_idle_minutes, trust_proxy=settings.trust_proxy
    )
    register_error_handlers(app)

    @app.before_request
    def _start() -> None:
        g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        g.started = time.perf_counter()
        check_no_nul(request.args.items(multi=True))
        check_no_nul((request.view_args or {}).items(), "path segment")

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
