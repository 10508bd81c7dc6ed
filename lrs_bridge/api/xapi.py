"""The xAPI blueprint: ``/xapi/statements`` and ``/xapi/about`` (xAPI Communication §2)."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from flask import Blueprint, Response, current_app, g, request

from lrs_bridge.api.xapi_request import VERSION_HEADER, XapiRequest, read_xapi_request
from lrs_bridge.auth import Principal
from lrs_bridge.errors import BadRequest
from lrs_bridge.runtime import Runtime
from lrs_bridge.services.statements import (
    QueryResult,
    ReadOptions,
    check_single_parameters,
    read_options,
    render,
)
from lrs_bridge.xapi.timefmt import format_timestamp_us, http_date, now_us
from lrs_bridge.xapi.validate import SUPPORTED_VERSIONS, decode_statements

blueprint = Blueprint("xapi", __name__, url_prefix="/xapi")

#: Versions listed by /about: every 1.0.x the LRS accepts, and 2.0.0.
ABOUT_VERSIONS = ("1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0")

_CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, PUT, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": (
        "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match"
    ),
    "Access-Control-Expose-Headers": (
        "X-Experience-API-Version, X-Experience-API-Consistent-Through, Last-Modified, ETag"
    ),
    "Access-Control-Max-Age": "86400",
}


def runtime() -> Runtime:
    """The process's :class:`Runtime` (set up by the app factory)."""
    value: Runtime = current_app.extensions["lrs_bridge"]
    return value


def authenticate(xreq: XapiRequest) -> Principal:
    key, secret = xreq.basic_credentials()
    principal = runtime().authenticator.authenticate(key, secret)
    g.principal = principal
    return principal


def json_response(body: bytes | str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="application/json")


@blueprint.after_request
def _xapi_headers(response: Response) -> Response:
    """Every xAPI response names its version and allows browser content (CORS)."""
    response.headers[VERSION_HEADER] = g.get("xapi_version") or requested_version()
    response.headers.update(_CORS_HEADERS)
    if request.endpoint == "xapi.statements" and request.method in ("GET", "HEAD"):
        # Clients poll this header even on rejected queries; "now" is honest for an error.
        response.headers.setdefault(
            "X-Experience-API-Consistent-Through", format_timestamp_us(now_us())
        )
    return response


def requested_version() -> str:
    """The version to answer in when the request's own could not be accepted.

    A 1.0.x client gets 1.0.3, a 2.x client 2.0.0, anything else the configured default.
    """
    header = request.headers.get(VERSION_HEADER, "")
    if header.startswith("1.0"):
        return SUPPORTED_VERSIONS[0]
    if header.startswith("2."):
        return SUPPORTED_VERSIONS[1]
    return runtime().settings.default_version


@blueprint.route("/about", methods=["GET", "HEAD", "OPTIONS"])
def about() -> Response:
    """Communication §2.8: versions supported; public, no version header needed.

    A client speaking 1.0.x is shown only the 1.0.x versions: deployed 1.0 clients (e.g.
    TinCanPython's ``RemoteLRS.about``) reject a version they do not know, although the
    LRS serves 2.0.0 to any request that asks for it.
    """
    if request.method == "OPTIONS":
        return Response(status=204)
    versions: tuple[str, ...] = ABOUT_VERSIONS
    if request.headers.get(VERSION_HEADER, "").startswith("1.0"):
        versions = tuple(v for v in versions if v.startswith("1.0"))
    return json_response(orjson.dumps({"version": list(versions), "extensions": {}}))


@blueprint.route("/statements", methods=["GET", "HEAD", "PUT", "POST", "OPTIONS"])
def statements() -> Response:
    """The Statement resource; dispatches on the (possibly alternate-syntax) method."""
    if request.method == "OPTIONS":
        return Response(status=204)
    xreq = read_xapi_request(request)
    principal = authenticate(xreq)
    version = xreq.version()
    g.xapi_version = version
    if xreq.method == "PUT":
        return _put(xreq, principal, version)
    if xreq.method == "POST":
        return _post(xreq, principal, version)
    if xreq.method in ("GET", "HEAD"):
        return _get(xreq, principal, version)
    raise BadRequest(f"method {xreq.method} is not allowed on statements", field="method")


def _statements_from_body(xreq: XapiRequest, version: str) -> tuple[list[dict[str, Any]], bool]:
    if xreq.content_type == "multipart/mixed":
        raise BadRequest(
            "multipart/mixed statement requests (attachment content) are not supported yet",
            field="Content-Type",
        )
    if xreq.content_type != "application/json":
        raise BadRequest("statements must be sent as application/json", field="Content-Type")
    return decode_statements(xreq.body, version=version)


def _put(xreq: XapiRequest, principal: Principal, version: str) -> Response:
    statement_id = xreq.args.get("statementId")
    if statement_id is None:
        raise BadRequest("PUT needs the statementId parameter", field="statementId")
    extra = sorted(set(xreq.args) - {"statementId"})
    if extra:
        raise BadRequest(f"unknown parameter {extra[0]!r} for PUT", field=extra[0])
    try:
        normalised = str(uuid.UUID(statement_id))
    except ValueError:
        raise BadRequest("statementId must be a UUID", field="statementId") from None
    items, is_array = _statements_from_body(xreq, version)
    if is_array:
        raise BadRequest("PUT takes a single statement, not an array", field="$")
    result = runtime().statements.store_statements(
        items, principal=principal, version=version, statement_id=normalised
    )
    _count_stored(result.new_count)
    return Response(status=204)


def _count_stored(count: int) -> None:
    if count:
        current_app.extensions["lrs_bridge.metrics"].statements_stored.inc(count)


def _post(xreq: XapiRequest, principal: Principal, version: str) -> Response:
    if xreq.args and not xreq.alternate:
        raise BadRequest("POST statements takes no parameters", field=sorted(xreq.args)[0])
    if xreq.alternate and xreq.args:
        # The alternate syntax for GET /statements with form parameters.
        return _get(xreq, principal, version)
    items, _ = _statements_from_body(xreq, version)
    result = runtime().statements.store_statements(items, principal=principal, version=version)
    _count_stored(result.new_count)
    return json_response(orjson.dumps(result.ids))


def _languages() -> list[str]:
    return [lang for lang, _ in request.accept_languages]


def _get(xreq: XapiRequest, principal: Principal, version: str) -> Response:
    service = runtime().statements
    args = xreq.args
    single = args.get("statementId") or args.get("voidedStatementId")
    if "statementId" in args or "voidedStatementId" in args:
        check_single_parameters(args)
        options = read_options(args)
        found = service.get_statement(
            single or "", voided="voidedStatementId" in args, principal=principal
        )
        body = render(found.json, options, _languages())
        response = _maybe_multipart(body, options)
        response.headers["Last-Modified"] = http_date(found.stored_us)
        return response
    result: QueryResult = service.query_statements(
        args, version=version, principal=principal, languages=_languages()
    )
    body = (
        '{"statements":['
        + ",".join(result.statements)
        + '],"more":'
        + orjson.dumps(result.more).decode()
        + "}"
    )
    response = _maybe_multipart(body, result.options)
    response.headers["X-Experience-API-Consistent-Through"] = format_timestamp_us(
        result.consistent_through_us
    )
    if result.last_modified_us is not None:
        response.headers["Last-Modified"] = http_date(result.last_modified_us)
    return response


def _maybe_multipart(body: str, options: ReadOptions) -> Response:
    """``attachments=true`` answers multipart/mixed (Communication §2.1.3).

    No attachment content is stored yet, so the multipart body holds only the JSON part.
    """
    if not options.attachments:
        return json_response(body)
    boundary = uuid.uuid4().hex
    payload = f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{body}\r\n--{boundary}--\r\n"
    return Response(payload, mimetype=f"multipart/mixed; boundary={boundary}")
