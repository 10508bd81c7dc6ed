"""The one place domain errors become HTTP responses."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from lrs_bridge.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    LrsBridgeError,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    StoreUnavailable,
    Unauthorized,
)

logger = logging.getLogger(__name__)

STATUS_BY_ERROR: tuple[tuple[type[LrsBridgeError], int], ...] = (
    (BadRequest, 400),
    (Unauthorized, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (PreconditionFailed, 412),
    (PayloadTooLarge, 413),
    (StoreUnavailable, 503),
)


def status_for(error: LrsBridgeError) -> int:
    """The HTTP status of a domain error (500 for an unmapped one)."""
    for error_type, status in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return status
    return 500


def error_response(error: LrsBridgeError) -> Response:
    """A JSON error body with the status the error maps to."""
    response = jsonify(error.to_dict())
    response.status_code = status_for(error)
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="lrs-bridge"'
    if response.status_code == 503:
        response.headers["Retry-After"] = "5"
    return response


def register_error_handlers(app: Flask) -> None:
    """Install the handlers: domain errors, HTTP errors and, last, anything unexpected."""

    @app.errorhandler(LrsBridgeError)
    def _domain(error: LrsBridgeError) -> Response:
        return error_response(error)

    @app.errorhandler(ValidationError)
    def _schema(error: ValidationError) -> Response:
        messages = (
            error.messages_dict if isinstance(error.messages, dict) else {"$": error.messages}
        )
        field, detail = next(iter(messages.items()))
        while isinstance(detail, dict):  # nested: name the full path, e.g. accounts.0
            key, detail = next(iter(detail.items()))
            field = f"{field}.{key}"
        response = jsonify(
            {
                "error": "bad_request",
                "message": f"{field}: {detail}",
                "field": field,
                "messages": messages,
            }
        )
        response.status_code = 400
        return response

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        response = jsonify(
            {
                "error": (error.name or "error").lower().replace(" ", "_"),
                "message": error.description,
            }
        )
        response.status_code = error.code or 500
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        logger.exception("unhandled error", exc_info=error)
        response = jsonify({"error": "internal_error", "message": "an unexpected error occurred"})
        response.status_code = 500
        return response
