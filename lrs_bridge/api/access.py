"""Who is calling the ``/api/v1`` endpoints: HTTP Basic authentication and the admin scope."""

from __future__ import annotations

from flask import g, request

from lrs_bridge.api.xapi import runtime
from lrs_bridge.api.xapi_request import read_xapi_request
from lrs_bridge.auth import Principal
from lrs_bridge.errors import Forbidden


def authenticated() -> Principal:
    """The authenticated caller (``Unauthorized`` without valid credentials, 429 after too
    many failures of the key or from this client address); remembered for the request so
    that the access log names the credential."""
    key, secret = read_xapi_request(request).basic_credentials()
    principal = runtime().authenticator.authenticate(key, secret, request.remote_addr)
    g.principal = principal
    return principal


def require_admin() -> Principal:
    """The caller, who must hold the ``admin`` scope (``Principal.is_admin``): the one admin
    check of ``/api/v1`` and ``/metrics``."""
    caller = authenticated()
    if not caller.is_admin():
        raise Forbidden("this needs the admin scope")
    return caller
