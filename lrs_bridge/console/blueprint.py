"""Every console area's Blueprint comes from :func:`console_blueprint`, so each one has the
same CSRF check on POST, the same HTML error pages and the same security headers."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.exceptions import HTTPException

from lrs_bridge.console.session import derived_key
from lrs_bridge.errors import LrsBridgeError, StoreError, StoreUnavailable, TooManyRequests

log = logging.getLogger("lrs_bridge.console")
TEMPLATES = "templates"
_UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _check_csrf() -> None:
    """Every state-changing request carries the session's CSRF token (form or header)."""
    current_app.config["WTF_CSRF_SECRET_KEY"] = derived_key(current_app, "csrf")
    if request.method not in _UNSAFE:
        return
    token = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")
    try:
        validate_csrf(token)
    except Exception as exc:  # noqa: BLE001 - wtforms' ValidationError: any failure is a refusal
        raise CSRFError(str(exc)) from exc


def _security_headers(response: Response) -> Response:
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def error_page(status: int, message: str, retry_after: int | None = None) -> Response:
    """An HTML error page in the viewer's language."""
    response = Response(
        render_template("console/error.html", status=status, message=message),
        status=status,
        mimetype="text/html",
    )
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _http_error(error: HTTPException) -> Response:
    from lrs_bridge.console.i18n import t

    status = error.code or 500
    if isinstance(error, CSRFError):
        return error_page(400, t("error.csrf"))
    if status in (403, 404):
        return error_page(status, t(f"error.{status}"))
    return error_page(status, t("error.400", detail=error.description or error.name))


def _domain_error(error: LrsBridgeError) -> Response:
    from lrs_bridge.console.i18n import t

    if isinstance(error, TooManyRequests):
        seconds = int(error.details.get("retry_after") or 60)
        return error_page(429, t("error.429", seconds=seconds), retry_after=seconds)
    if isinstance(error, StoreUnavailable):
        return error_page(503, t("error.503"), retry_after=5)
    if isinstance(error, StoreError):
        log.error("console store error: %s", error.message)
        return error_page(500, t("error.title"))
    status = {
        "bad_request": 400,
        "forbidden": 403,
        "unauthorized": 403,
        "not_found": 404,
        "conflict": 409,
        "precondition_failed": 412,
        "payload_too_large": 413,
    }.get(error.code, 400)
    if status in (403, 404):
        return error_page(status, t(f"error.{status}"))
    return error_page(status, t("error.400", detail=error.message))


def console_blueprint(name: str, import_name: str, **options: Any) -> Blueprint:
    """A Blueprint under ``/console`` with the console's CSRF check and error pages."""
    blueprint = Blueprint(
        name, import_name, url_prefix="/console", template_folder=TEMPLATES, **options
    )
    blueprint.before_request(_check_csrf)
    blueprint.after_request(_security_headers)
    blueprint.register_error_handler(HTTPException, _http_error)
    blueprint.register_error_handler(LrsBridgeError, _domain_error)
    return blueprint
