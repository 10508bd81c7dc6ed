"""Signed statements (Data §2.6): a JWS attachment over the statement, checked on ingest."""

from __future__ import annotations

import base64
import datetime
import json
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from lrs_bridge.errors import InvalidStatement
from lrs_bridge.xapi.signature import SIGNATURE_USAGE, verify_signature
from tests.factories import statement
from tests.test_attachments import mixed, multipart, part, sha256, split_multipart


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate(key: Any) -> x509.Certificate:
    """A self-signed certificate for ``key``."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lrs-bridge test signer")])
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )


def x5c(cert: x509.Certificate) -> list[str]:
    return [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]


def sign(
    original: dict[str, Any],
    key: Any,
    *,
    algorithm: str = "RS256",
    chain: list[str] | None = None,
    payload: bytes | None = None,
) -> bytes:
    headers = {"x5c": chain} if chain else None
    body = json.dumps(original).encode() if payload is None else payload
    return jwt.api_jws.encode(body, key, algorithm=algorithm, headers=headers).encode()


def signed(
    original: dict[str, Any], jws: bytes, content_type: str = "application/octet-stream"
) -> dict[str, Any]:
    """The statement with its signature attached, as a client sends it."""
    return {
        **original,
        "attachments": [
            {
                "usageType": SIGNATURE_USAGE,
                "display": {"en-US": "Signature"},
                "contentType": content_type,
                "length": len(jws),
                "sha2": sha256(jws),
            }
        ],
    }


def post_signed(client, auth, st: dict[str, Any], jws: bytes):
    return client.post(
        "/xapi/statements", data=multipart(st, part(jws)), headers={**auth, **mixed()}
    )


def test_rs256_with_x5c_is_accepted_and_returned(client, auth, rsa_key):
    original = statement()
    jws = sign(original, rsa_key, chain=x5c(certificate(rsa_key)))
    response = post_signed(client, auth, signed(original, jws), jws)
    assert response.status_code == 200, response.json
    got = client.get(
        f"/xapi/statements?statementId={original['id']}&attachments=true", headers=auth
    )
    parts = split_multipart(got.headers["Content-Type"], got.data)
    assert parts[1][1] == jws
    assert parts[1][0]["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize("algorithm", ["RS384", "RS512"])
def test_other_rsa_algorithms_without_x5c_are_accepted(client, auth, rsa_key, algorithm):
    original = statement()
    jws = sign(original, rsa_key, algorithm=algorithm)
    assert post_signed(client, auth, signed(original, jws), jws).status_code == 200


def test_tampered_statement_is_rejected(client, auth, rsa_key):
    original = statement()
    jws = sign(original, rsa_key, chain=x5c(certificate(rsa_key)))
    tampered = {**original, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    response = post_signed(client, auth, signed(tampered, jws), jws)
    assert response.status_code == 400
    assert response.json["path"] == "$[0].attachments[0]"
    assert "differs" in response.json["message"]
    assert client.get("/xapi/statements", headers=auth).json["statements"] == []


def test_signature_by_another_key_than_x5c_is_rejected(client, auth, rsa_key, other_key):
    original = statement()
    jws = sign(original, rsa_key, chain=x5c(certificate(other_key)))
    response = post_signed(client, auth, signed(original, jws), jws)
    assert response.status_code == 400
    assert "x5c" in response.json["message"]


def test_hs256_is_rejected(client, auth):
    original = statement()
    jws = jwt.api_jws.encode(
        json.dumps(original).encode(), "a-shared-secret-long-enough-for-hs256!", algorithm="HS256"
    ).encode()
    response = post_signed(client, auth, signed(original, jws), jws)
    assert response.status_code == 400
    assert "RS256" in response.json["message"]


def test_signature_attachment_must_be_octet_stream(client, auth, rsa_key):
    original = statement()
    jws = sign(original, rsa_key)
    response = post_signed(client, auth, signed(original, jws, "text/plain"), jws)
    assert response.status_code == 400
    assert response.json["path"] == "$[0].attachments[0].contentType"


@pytest.mark.parametrize(
    "jws",
    [
        pytest.param(b"not a jws at all", id="garbage"),
        pytest.param(b"\xff\xfe", id="not-ascii"),
    ],
)
def test_malformed_jws_is_rejected(client, auth, jws):
    response = post_signed(client, auth, signed(statement(), jws), jws)
    assert response.status_code == 400
    assert response.json["path"] == "$[0].attachments[0]"


def test_payload_that_is_not_json_is_rejected(client, auth, rsa_key):
    original = statement()
    jws = sign(original, rsa_key, payload=json.dumps(original).replace('"', "'", 1).encode())
    response = post_signed(client, auth, signed(original, jws), jws)
    assert response.status_code == 400
    assert "not JSON" in response.json["message"]


# -- the pure checks ----------------------------------------------------------------------------


def test_payload_compares_under_statement_comparison_rules(rsa_key):
    original = statement()
    jws = sign(original, rsa_key)
    received = {
        **original,
        "actor": {**original["actor"], "mbox": original["actor"]["mbox"].upper()},
        "verb": {"id": original["verb"]["id"], "display": {"en-US": "other display"}},
        "authority": {"mbox": "mailto:lrs@example.com"},
        "stored": "2030-01-01T00:00:00Z",
    }
    verify_signature(received, jws, "$")


def test_signed_id_must_match(rsa_key):
    original = statement()
    jws = sign(original, rsa_key)
    with pytest.raises(InvalidStatement, match="different id"):
        verify_signature({**original, "id": "9b1b3c7a-8a4e-4b53-9d7f-1f5c1e3a0b11"}, jws, "$")


def test_x5c_with_a_non_rsa_key_is_rejected():
    key = ec.generate_private_key(ec.SECP256R1())
    original = statement()
    jws = sign(original, key, algorithm="ES256", chain=x5c(certificate(key)))
    with pytest.raises(InvalidStatement, match="RS256"):
        verify_signature(original, jws, "$")
