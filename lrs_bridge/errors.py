"""The one exception tree of lrs-bridge.

Domain code raises these; the HTTP layer translates them once (``api/errors.py``),
the CLI prints them. Nothing here imports Flask or a database driver.

    LrsBridgeError
     ├── BadRequest (ValueError)           400: a request the caller must change
     │    └── InvalidStatement             400: a statement breaks an xAPI rule, at a JSON path
     ├── Unauthorized (PermissionError)    401: no or bad credentials
     ├── Forbidden (PermissionError)       403: credentials lack a scope
     ├── NotFound (LookupError)            404
     ├── Conflict                          409: e.g. a statement id reused with other content
     ├── PreconditionFailed                412
     ├── PayloadTooLarge                   413: a request body over the configured limit
     ├── TooManyRequests                   429: throttled, ``retry_after`` seconds
     ├── StoreUnavailable (ConnectionError) 503: the database cannot be reached right now
     │    └── ConfigurationChanged          503: evaluated under an old competency version
     └── StoreError                        500: the database refused for a reason a retry
                                                will not fix (logged; no driver text shown)
"""

from __future__ import annotations

from typing import Any


class LrsBridgeError(Exception):
    """Base of every error lrs-bridge raises on purpose."""

    code = "error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description: ``{"error": code, "message": ..., **details}``."""
        return {"error": self.code, "message": self.message, **self.details}


class BadRequest(LrsBridgeError, ValueError):
    """The request is malformed; ``field`` names the parameter or header when known."""

    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        if field is not None:
            details["field"] = field
        super().__init__(message, **details)


class InvalidStatement(BadRequest):
    """A statement breaks an xAPI rule.

    ``path`` is a JSON path into the request body (``$[3].actor.mbox``) and ``rule``
    a short statement of the requirement that failed, so producers can fix their data.
    """

    code = "invalid_statement"

    def __init__(self, path: str, rule: str) -> None:
        super().__init__(f"{path}: {rule}", path=path, rule=rule)
        self.path = path
        self.rule = rule


class Unauthorized(LrsBridgeError, PermissionError):
    """No credentials, or credentials that do not match."""

    code = "unauthorized"


class Forbidden(LrsBridgeError, PermissionError):
    """Valid credentials without the scope the operation needs."""

    code = "forbidden"


class NotFound(LrsBridgeError, LookupError):
    """The addressed resource does not exist."""

    code = "not_found"


class Conflict(LrsBridgeError):
    """The request conflicts with stored data (e.g. a statement id already used)."""

    code = "conflict"


class PreconditionFailed(LrsBridgeError):
    """A conditional request's precondition does not hold."""

    code = "precondition_failed"


class PayloadTooLarge(LrsBridgeError):
    """A request body is larger than the configured limit (``limit`` bytes)."""

    code = "payload_too_large"


class TooManyRequests(LrsBridgeError):
    """Too many failed attempts: the caller must wait ``retry_after`` seconds."""

    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, **details: Any) -> None:
        super().__init__(message, retry_after=retry_after, **details)
        self.retry_after = retry_after


class StoreUnavailable(LrsBridgeError, ConnectionError):
    """The database cannot be reached; the caller may retry later."""

    code = "store_unavailable"


class ConfigurationChanged(StoreUnavailable):
    """The active competency configuration changed while a write evaluated under an older
    one (``active`` names the new version); the caller re-evaluates under it and retries."""

    code = "configuration_changed"


class StoreError(LrsBridgeError):
    """The database rejected an operation for a reason that a retry would meet again.

    Not an outage, so not a 503: producers retry a 503 for ever. The driver's text is logged,
    never put in the message (it names tables, columns and values).
    """

    code = "store_error"
