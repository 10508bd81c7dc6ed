"""xAPI Document resources, Agents and Activities (Communication §2.3-2.7) on the xAPI blueprint.

Views parse the (possibly alternate-syntax) request, call :class:`DocumentService` and
serialise. Every GET answers with an ``ETag`` (the quoted SHA-1 of the body, Communication
§3.1) and, for documents, ``Last-Modified``; HEAD answers the same headers without a body.
"""

from __future__ import annotations

import hashlib

import orjson
from flask import Response, g, request
from werkzeug.exceptions import MethodNotAllowed

from lrs_bridge.api.xapi import authenticate, blueprint, json_response, runtime
from lrs_bridge.api.xapi_request import XapiRequest, read_xapi_request
from lrs_bridge.auth import Principal
from lrs_bridge.services.documents import (
    ACTIVITY_PROFILE_RESOURCE,
    AGENT_PROFILE_RESOURCE,
    STATE_RESOURCE,
    Conditions,
    IdList,
    Resource,
)
from lrs_bridge.xapi.timefmt import http_date

_DOCUMENT_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"]
#: POST stays allowed on read-only resources for the alternate request syntax (1.0.3 §1.3).
_READ_METHODS = ["GET", "HEAD", "POST", "OPTIONS"]


def _start() -> tuple[XapiRequest, Principal, str]:
    xreq = read_xapi_request(request)
    principal = authenticate(xreq)
    version = xreq.version()
    g.xapi_version = version
    return xreq, principal, version


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest() + '"'


def _json_get(body: bytes, last_modified_us: int | None = None) -> Response:
    response = json_response(body)
    response.headers["ETag"] = _etag(body)
    if last_modified_us is not None:
        response.headers["Last-Modified"] = http_date(last_modified_us)
    return response


def _document_view(resource: Resource) -> Response:
    if request.method == "OPTIONS":
        return Response(status=204)
    xreq, principal, version = _start()
    service = runtime().documents
    if xreq.method in ("GET", "HEAD"):
        found = service.read(resource, xreq.args, principal=principal, version=version)
        if isinstance(found, IdList):
            return _json_get(orjson.dumps(found.ids), found.last_modified_us)
        response = Response(found.content, content_type=found.content_type)
        response.headers["ETag"] = f'"{found.etag}"'
        response.headers["Last-Modified"] = http_date(found.updated_us)
        return response
    conditions = Conditions(
        if_match=xreq.headers.get("If-Match"), if_none_match=xreq.headers.get("If-None-Match")
    )
    if xreq.method in ("PUT", "POST"):
        service.write(
            resource,
            xreq.args,
            method=xreq.method,
            content=xreq.body,
            content_type=xreq.headers.get("Content-Type"),
            conditions=conditions,
            principal=principal,
            version=version,
        )
    elif xreq.method == "DELETE":
        service.delete(
            resource, xreq.args, conditions=conditions, principal=principal, version=version
        )
    else:
        raise MethodNotAllowed(valid_methods=_DOCUMENT_METHODS)
    return Response(status=204)


@blueprint.route("/activities/state", methods=_DOCUMENT_METHODS)
def activity_state() -> Response:
    """The State resource (Communication §2.3)."""
    return _document_view(STATE_RESOURCE)


@blueprint.route("/activities/profile", methods=_DOCUMENT_METHODS)
def activity_profile() -> Response:
    """The Activity Profile resource (Communication §2.7)."""
    return _document_view(ACTIVITY_PROFILE_RESOURCE)


@blueprint.route("/agents/profile", methods=_DOCUMENT_METHODS)
def agent_profile() -> Response:
    """The Agent Profile resource (Communication §2.6)."""
    return _document_view(AGENT_PROFILE_RESOURCE)


def _read_only(xreq: XapiRequest) -> None:
    if xreq.method not in ("GET", "HEAD"):
        raise MethodNotAllowed(valid_methods=_READ_METHODS)


@blueprint.route("/agents", methods=_READ_METHODS)
def agents() -> Response:
    """The Agents resource: the Person object of an Agent (Communication §2.4)."""
    if request.method == "OPTIONS":
        return Response(status=204)
    xreq, principal, version = _start()
    _read_only(xreq)
    person = runtime().documents.person(xreq.args, principal=principal, version=version)
    return _json_get(orjson.dumps(person))


@blueprint.route("/activities", methods=_READ_METHODS)
def activities() -> Response:
    """The Activities resource: the canonical Activity object (Communication §2.5)."""
    if request.method == "OPTIONS":
        return Response(status=204)
    xreq, principal, _ = _start()
    _read_only(xreq)
    activity = runtime().documents.activity(xreq.args, principal=principal)
    return _json_get(orjson.dumps(activity))
