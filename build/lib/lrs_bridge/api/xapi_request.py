"""An xAPI request as the views see it, whatever syntax it arrived in.

xAPI 1.0.3 (Communication §1.3) lets browsers that cannot set headers or use PUT send
``POST ...?method=PUT`` with a form body carrying the headers, the parameters and the
``content``. :func:`read_xapi_request` folds both syntaxes into one :class:`XapiRequest`,
so views and version/auth checks never care which was used.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from urllib.parse import parse_qsl

from flask import Request
from werkzeug.datastructures import Headers

from lrs_bridge.errors import BadRequest, Unauthorized
from lrs_bridge.xapi.validate import version_family

VERSION_HEADER = "X-Experience-API-Version"
_FORM_HEADERS = {
    "authorization",
    "x-experience-api-version",
    "content-type",
    "content-length",
    "if-match",
    "if-none-match",
}
_ALTERNATE_METHODS = {"GET", "HEAD", "PUT", "POST", "DELETE"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class XapiRequest:
    """Method, parameters, headers and body after undoing the alternate syntax."""

    method: str
    args: dict[str, str]
    headers: Headers
    body: bytes
    alternate: bool = False

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased."""
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    def version(self) -> str:
        """The xAPI version family requested (``1.0.3`` or ``2.0.0``); 400 when missing/unknown."""
        value = self.headers.get(VERSION_HEADER)
        if not value:
            raise BadRequest(f"the {VERSION_HEADER} header is required", field=VERSION_HEADER)
        return version_family(value)

    def basic_credentials(self) -> tuple[str, str]:
        """Key and secret from HTTP Basic ``Authorization``; 401 when absent or malformed."""
        header = self.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic" or not encoded:
            raise Unauthorized("HTTP Basic credentials are required")
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized("malformed Basic credentials") from None
        key, sep, secret = decoded.partition(":")
        if not sep:
            raise Unauthorized("malformed Basic credentials")
        return key, secret


def _single_valued(pairs: list[tuple[str, str]], where: str) -> dict[str, str]:
    args: dict[str, str] = {}
    for name, value in pairs:
        if name in args:
            raise BadRequest(f"{where} {name!r} is given more than once", field=name)
        args[name] = value
    return args


def read_xapi_request(request: Request, *, read_body: bool = True) -> XapiRequest:
    """Build the :class:`XapiRequest` for the current Flask request.

    With ``read_body=False`` a plain request's body is left unread (``body`` is empty), for
    a view that streams ``request.stream`` itself, such as a multipart/mixed statement POST.
    """
    query = _single_valued(
        parse_qsl(request.query_string.decode("utf-8", "replace"), keep_blank_values=True),
        "parameter",
    )
    if "method" not in query:
        return XapiRequest(
            method=request.method,
            args=query,
            headers=request.headers,  # read-only view of the environ: nothing copied
            body=request.get_data(cache=True) if read_body else b"",
        )
    if request.method != "POST":
        raise BadRequest("the alternate request syntax requires POST", field="method")
    if len(query) > 1:
        extra = sorted(set(query) - {"method"})[0]
        raise BadRequest(
            "with the alternate request syntax only 'method' may be in the query string",
            field=extra,
        )
    method = query["method"].upper()
    if method not in _ALTERNATE_METHODS:
        raise BadRequest(f"unsupported method {query['method']!r}", field="method")
    if request.mimetype != "application/x-www-form-urlencoded":
        raise BadRequest(
            "the alternate request syntax needs an application/x-www-form-urlencoded body",
            field="Content-Type",
        )
    form = _single_valued(
        parse_qsl(request.get_data(as_text=True), keep_blank_values=True), "form field"
    )
    # Real headers (a client may authenticate normally), overridden by form "headers"; the
    # form's own Content-Type/Length describe the envelope, not the content.
    headers = Headers(request.headers)
    headers.remove("Content-Type")
    headers.remove("Content-Length")
    args: dict[str, str] = {}
    body = b""
    for name, value in form.items():
        if name.lower() in _FORM_HEADERS:
            headers[name] = value
        elif name == "content":
            body = value.encode("utf-8")
        else:
            args[name] = value
    if headers.get(VERSION_HEADER, "").startswith("2."):
        raise BadRequest("xAPI 2.0.0 removed the alternate request syntax", field="method")
    if body and "Content-Type" not in headers:
        headers["Content-Type"] = "application/json"
    return XapiRequest(method=method, args=args, headers=headers, body=body, alternate=True)
