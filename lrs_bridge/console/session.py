"""The console's session cookie: signed with an instance-wide key from the database, so
every worker and every host accepts it; opened only under ``/console``, so API requests
never touch it; ``Secure`` whenever the request arrived over HTTPS."""

from __future__ import annotations

import hashlib
import hmac
import threading

from flask import Flask, Request, current_app
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer

from lrs_bridge.runtime import Runtime

SECRET_NAME = "console-session-key"  # noqa: S105 - the row name, not a secret
_lock = threading.Lock()
_EXTENSION = "lrs_bridge.console_key"


def instance_key(app: Flask) -> str:
    """The signing key of this app's database, read once per app.

    Kept on the app itself: a cache keyed by ``id(app)`` would hand a later app (same id
    after garbage collection, another database) the wrong key.
    """
    with _lock:
        found: str | None = app.extensions.get(_EXTENSION)
        if found is None:
            runtime: Runtime = app.extensions["lrs_bridge"]
            found = runtime.store.named_secret(SECRET_NAME)
            app.extensions[_EXTENSION] = found
        return found


def derived_key(app: Flask, purpose: str) -> str:
    """A key for one purpose (CSRF tokens), so one leak does not give the other."""
    return hmac.new(instance_key(app).encode(), purpose.encode(), hashlib.sha256).hexdigest()


class ConsoleSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, keyed from the database and scoped to the console."""

    def __init__(self, *, idle_minutes: int) -> None:
        self.idle_seconds = idle_minutes * 60

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        return URLSafeTimedSerializer(
            derived_key(app, "session"),
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={"key_derivation": self.key_derivation, "digest_method": hashlib.sha1},
        )

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not request.path.startswith("/console"):
            return None  # a null session: API requests neither read nor set the cookie
        serializer = self.get_signing_serializer(app)
        assert serializer is not None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            # No max_age here: the idle timeout is checked against the service's clock (viewer.py).
            data = serializer.loads(value)
        except Exception:  # noqa: BLE001 - a bad or expired cookie is simply no session
            return self.session_class()
        return self.session_class(data)

    def get_cookie_secure(self, app: Flask) -> bool:
        from flask import request

        return bool(request.is_secure) or bool(app.config.get("SESSION_COOKIE_SECURE"))

    def get_expiration_time(self, app: Flask, session: SessionMixin) -> None:
        return None  # a browser-session cookie; the idle timeout is checked on the server


def idle_seconds() -> int:
    """The configured idle timeout of the running app."""
    interface = current_app.session_interface
    return interface.idle_seconds if isinstance(interface, ConsoleSessionInterface) else 1800
