"""Signed statements (Data §2.6): the checks an LRS must make on a statement's JWS.

A signature is an attachment with usageType :data:`SIGNATURE_USAGE` and contentType
``application/octet-stream`` whose content is a JWS (RFC 7515, compact serialization) over
the statement as it was before the signature was attached. The LRS must reject a malformed
signature with 400 (Data §2.6, "LRS Requirements"):

* the JWS decodes, and its payload is a JSON serialization of a statement;
* its algorithm is RS256, RS384 or RS512;
* the payload is logically equivalent to the received statement, under the statement
  comparison rules (Data §2.3.1; :func:`lrs_bridge.xapi.compare.statements_match`, which
  ignores what the LRS assigns and the attachments, the signature among them);
* when the JWS header carries an X.509 chain (``x5c``), the signature verifies with the
  first certificate's public key. As the specification notes, this catches mistakes; it
  does not establish trust in the signer, so the chain itself is not validated.

Pure functions: no I/O; errors are :class:`~lrs_bridge.errors.InvalidStatement` at a JSON path.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import jwt
import orjson
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from lrs_bridge.errors import InvalidStatement
from lrs_bridge.xapi.compare import statements_match

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
SIGNATURE_CONTENT_TYPE = "application/octet-stream"
#: The "RSA + SHA" JWS algorithms Data §2.6 allows.
ALGORITHMS = ("RS256", "RS384", "RS512")


def is_signature(attachment: Any) -> bool:
    """Whether an attachment object declares itself a statement signature."""
    return isinstance(attachment, dict) and attachment.get("usageType") == SIGNATURE_USAGE


def check_signature_attachment(attachment: dict[str, Any], path: str) -> None:
    """A signature attachment must have contentType ``application/octet-stream``."""
    content_type = str(attachment.get("contentType", "")).split(";")[0].strip().lower()
    if content_type != SIGNATURE_CONTENT_TYPE:
        raise InvalidStatement(
            f"{path}.contentType",
            f"a signature attachment ({SIGNATURE_USAGE}) must have contentType "
            f"{SIGNATURE_CONTENT_TYPE}",
        )


def verify_signature(statement: dict[str, Any], jws: bytes, path: str) -> None:
    """Check the JWS ``jws`` against ``statement``; ``path`` names the signature attachment."""
    try:
        token = jws.decode("ascii").strip()
        header = jwt.get_unverified_header(token)
    except (UnicodeDecodeError, jwt.InvalidTokenError):
        raise InvalidStatement(
            path, "the signature is not a JWS in compact serialization"
        ) from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise InvalidStatement(
            path, f"the signature must use RS256, RS384 or RS512, not {algorithm!r}"
        )
    try:
        if "x5c" in header:
            key = _first_certificate_key(header["x5c"], path)
            decoded = jwt.api_jws.decode_complete(token, key=key, algorithms=[algorithm])
        else:
            decoded = jwt.api_jws.decode_complete(token, options={"verify_signature": False})
    except jwt.InvalidSignatureError:
        raise InvalidStatement(
            path, "the signature does not verify with the key of its x5c certificate"
        ) from None
    except jwt.InvalidTokenError as exc:
        raise InvalidStatement(path, f"the signature is not a well-formed JWS: {exc}") from None
    try:
        original = orjson.loads(decoded["payload"])
    except orjson.JSONDecodeError:
        raise InvalidStatement(path, "the signature's payload is not JSON") from None
    if not isinstance(original, dict):
        raise InvalidStatement(path, "the signature's payload is not a statement object")
    signed_id = original.get("id")
    if signed_id is not None and str(signed_id).lower() != str(statement.get("id", "")).lower():
        raise InvalidStatement(path, "the signed statement has a different id")
    if not statements_match(original, statement):
        raise InvalidStatement(
            path, "the signed statement (the JWS payload) differs from the statement"
        )


def _first_certificate_key(chain: Any, path: str) -> RSAPublicKey:
    """The RSA public key of the first certificate of a JWS ``x5c`` chain (RFC 7515 §4.1.6)."""
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        raise InvalidStatement(path, "the signature's x5c header must be a list of certificates")
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
    except (binascii.Error, ValueError):
        raise InvalidStatement(
            path, "the first x5c entry is not a base64 DER X.509 certificate"
        ) from None
    key = certificate.public_key()
    if not isinstance(key, RSAPublicKey):
        raise InvalidStatement(path, "the x5c certificate does not hold an RSA public key")
    return key
