"""The xAPI blueprint: ``/xapi/statements`` and ``/xapi/about`` (xAPI Communication §2)."""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import orjson
from flask import Blueprint, Response, current_app, g, request

from lrs_bridge.api.multipart import receive_statements
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
from lrs_bridge.store.base import ReceivedAttachment, StoredAttachment
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
    principal = runtime().authenticator.authenticate(key, secret, request.remote_addr)
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
    # A multipart/mixed body (attachments) is streamed by the view, never read whole.
    xreq = read_xapi_request(request, read_body=request.mimetype != "multipart/mixed")
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


@dataclasses.dataclass(frozen=True, kw_only=True)
class _StatementBody:
    statements: list[dict[str, Any]]
    is_array: bool
    attachments: dict[str, ReceivedAttachment]


@contextlib.contextmanager
def _statement_body(xreq: XapiRequest, version: str) -> Iterator[_StatementBody]:
    """The statements of a PUT/POST, with the attachment parts of a multipart/mixed body
    (spooled to files that exist until the ``with`` block ends)."""
    settings = runtime().settings
    if xreq.content_type == "application/json":
        items, is_array = decode_statements(
            xreq.body, version=version, max_statements=settings.max_batch_statements
        )
        yield _StatementBody(statements=items, is_array=is_array, attachments={})
        return
    if xreq.content_type != "multipart/mixed":
        raise BadRequest(
            "statements must be sent as application/json or multipart/mixed",
            field="Content-Type",
        )
    if xreq.alternate:
        raise BadRequest(
            "attachment content cannot be sent with the alternate request syntax",
            field="Content-Type",
        )
    # Not the app-wide limit (max_body_bytes): Werkzeug guards the stream with this one, and
    # receive_statements checks it too, with a message naming the setting.
    request.max_content_length = settings.max_attachment_bytes
    with receive_statements(
        lambda: request.stream,
        content_type=xreq.headers.get("Content-Type", ""),
        content_length=request.content_length,
        max_bytes=settings.max_attachment_bytes,
        max_statements_bytes=settings.max_body_bytes,
        spool_directory=runtime().attachments.spool_directory(),
    ) as body:
        items, is_array = decode_statements(
            body.statements, version=version, max_statements=settings.max_batch_statements
        )
        yield _StatementBody(statements=items, is_array=is_array, attachments=body.attachments)


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
    with _statement_body(xreq, version) as body:
        if body.is_array:
            raise BadRequest("PUT takes a single statement, not an array", field="$")
        result = runtime().statements.store_statements(
            body.statements,
            principal=principal,
            version=version,
            statement_id=normalised,
            attachments=body.attachments,
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
    with _statement_body(xreq, version) as body:
        result = runtime().statements.store_statements(
            body.statements, principal=principal, version=version, attachments=body.attachments
        )
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
        attached = service.attachments_for([found.seq]) if options.attachments else []
        response = _maybe_multipart(body, options, attached)
        response.headers["Last-Modified"] = http_date(found.stored_us)
        response.headers["X-Experience-API-Consistent-Through"] = format_timestamp_us(
            service.consistent_through_us()
        )
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
    response = _maybe_multipart(body, result.options, result.attachments)
    response.headers["X-Experience-API-Consistent-Through"] = format_timestamp_us(
        result.consistent_through_us
    )
    if result.last_modified_us is not None:
        response.headers["Last-Modified"] = http_date(result.last_modified_us)
    return response


def _maybe_multipart(
    body: str, options: ReadOptions, attachments: Sequence[StoredAttachment]
) -> Response:
    """``attachments=true`` answers multipart/mixed (Communication §1.5.2, §2.1.3): the
    statements, then one part per stored attachment content, streamed from the store.

    Attachments known only by ``fileUrl`` have no part.
    """
    if not options.attachments:
        return json_response(body)
    boundary = uuid.uuid4().hex
    head = f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode() + body.encode()
    headers = [
        (
            f"\r\n--{boundary}\r\nContent-Type: {item.content_type}\r\n"
            "Content-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {item.sha2}\r\nContent-Length: {item.length}\r\n\r\n"
        ).encode("latin-1")
        for item in attachments
    ]
    tail = f"\r\n--{boundary}--\r\n".encode()
    store = runtime().attachments

    def parts() -> Iterator[bytes]:
        yield head
        for header, item in zip(headers, attachments, strict=True):
            yield header
            yield from store.open(item)
        yield tail

    response = Response(parts(), mimetype=f"multipart/mixed; boundary={boundary}")
    response.content_length = (
        len(head)
        + sum(len(header) + item.length for header, item in zip(headers, attachments, strict=True))
        + len(tail)
    )
    return response
