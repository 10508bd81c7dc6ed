"""The console: server-rendered pages for admins, managers and learners at ``/console/``.

A second face beside ``api/``, over the same services: views parse the request, ask a
service (through :func:`lrs_bridge.console.services.console_services`) and render a
template. Sign-in maps people onto viewers; what a viewer may see is decided in
:mod:`lrs_bridge.console.access`, the same way the API decides it.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lrs_bridge.console.i18n import install_jinja_globals
from lrs_bridge.console.pages import BLUEPRINTS
from lrs_bridge.console.session import ConsoleSessionInterface


def register_console(app: Flask, *, idle_minutes: int, trust_proxy: bool) -> None:
    """Mount every console blueprint, the session cookie and the template helpers."""
    app.session_interface = ConsoleSessionInterface(idle_minutes=idle_minutes)
    app.config.update(
        SESSION_COOKIE_NAME="lrs_bridge_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_PATH="/console",
        # The token lives in the session; no separate expiry beyond the session's own.
        WTF_CSRF_TIME_LIMIT=None,
    )
    if trust_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    install_jinja_globals(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
