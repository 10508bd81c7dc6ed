"""Statement attachments over multipart/mixed (Data §2.4.11, Communication §1.5.2), through
the Flask test client on SQLite and PostgreSQL, in both attachment store modes."""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from lrs_bridge import create_app
from lrs_bridge.runtime import Runtime
from lrs_bridge.store.tables import attachment_chunks, attachments, statement_attachments
from tests.conftest import Credentials
from tests.factories import statement

BOUNDARY = "abcABC0123'()+_,-./:=?"
TEXT = b"here is a simple attachment"
#: Binary content that looks like MIME: CRLFs, dashes and all but the last byte of the boundary.
BINARY = (
    bytes(range(256)) * 64 + b"\r\n--" + BOUNDARY[:-1].encode() + b"!\r\n\r\n" + os.urandom(4096)
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def attachment(content: bytes, **extra: Any) -> dict[str, Any]:
    return {
        "usageType": "http://example.com/attachment-usage/test",
        "display": {"en-US": "A test attachment"},
        "contentType": "application/octet-stream",
        "length": len(content),
        "sha2": sha256(content),
        **extra,
    }


def with_attachments(*items: dict[str, Any]) -> dict[str, Any]:
    return {**statement(), "attachments": list(items)}


def part(
    content: bytes, *, content_type: str = "application/octet-stream", **headers: str
) -> bytes:
    lines = {
        "Content-Type": content_type,
        "Content-Transfer-Encoding": "binary",
        "X-Experience-API-Hash": sha256(content),
        **headers,
    }
    head = "".join(f"{name}: {value}\r\n" for name, value in lines.items() if value)
    return head.encode() + b"\r\n" + content


def multipart(
    statements: Any, *parts: bytes, boundary: str = BOUNDARY, first_type: str = "application/json"
) -> bytes:
    chunks = [f"Content-Type: {first_type}\r\n\r\n".encode() + json.dumps(statements).encode()]
    chunks.extend(parts)
    delimiter = f"\r\n--{boundary}\r\n".encode()
    return (
        f"--{boundary}\r\n".encode() + delimiter.join(chunks) + f"\r\n--{boundary}--\r\n".encode()
    )


def mixed(boundary: str = BOUNDARY) -> dict[str, str]:
    return {"Content-Type": f'multipart/mixed; boundary="{boundary}"'}


def split_multipart(content_type: str, body: bytes) -> list[tuple[dict[str, str], bytes]]:
    """A multipart/mixed response as (headers, content) pairs; the boundary is random hex."""
    assert content_type.startswith("multipart/mixed; boundary=")
    boundary = content_type.split("boundary=", 1)[1].encode()
    assert body.startswith(b"--" + boundary + b"\r\n")
    assert body.endswith(b"\r\n--" + boundary + b"--\r\n")
    inner = body[len(boundary) + 4 : -(len(boundary) + 8)]
    parts = []
    for raw in inner.split(b"\r\n--" + boundary + b"\r\n"):
        head, _, content = raw.partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        parts.append((headers, content))
    return parts


def make_app(database_url: str, **overrides: Any) -> Iterator[Flask]:
    app = create_app({"database_url": database_url, "access_log": False, **overrides})
    yield app
    runtime: Runtime = app.extensions["lrs_bridge"]
    runtime.close()


@pytest.fixture(params=["database", "file"])
def store_app(request, database_url, tmp_path) -> Iterator[Flask]:
    """An app per attachment store mode."""
    yield from make_app(
        database_url, attachment_store=request.param, attachment_dir=str(tmp_path / "files")
    )


@pytest.fixture
def store_client(store_app):
    return store_app.test_client()


@pytest.fixture
def store_auth(store_app) -> dict[str, str]:
    return Credentials(store_app).make("all")


def count(app: Flask, table: Any) -> int:
    runtime: Runtime = app.extensions["lrs_bridge"]
    with runtime.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# -- storing and reading back ---------------------------------------------------------------


def test_post_multipart_and_get_attachments_back_byte_exact(store_app, store_client, store_auth):
    st = with_attachments(attachment(TEXT, contentType="text/plain"), attachment(BINARY))
    response = store_client.post(
        "/xapi/statements",
        data=multipart(st, part(TEXT, content_type="text/plain"), part(BINARY)),
        headers={**store_auth, **mixed()},
    )
    assert response.status_code == 200, response.json
    [statement_id] = response.json

    single = store_client.get(
        f"/xapi/statements?statementId={statement_id}&attachments=true", headers=store_auth
    )
    assert single.status_code == 200
    assert int(single.headers["Content-Length"]) == len(single.data)
    parts = split_multipart(single.headers["Content-Type"], single.data)
    assert parts[0][0]["Content-Type"] == "application/json"
    assert json.loads(parts[0][1])["id"] == statement_id
    by_hash = {
        headers["X-Experience-API-Hash"]: (headers, content) for headers, content in parts[1:]
    }
    assert by_hash[sha256(TEXT)][1] == TEXT
    assert by_hash[sha256(TEXT)][0]["Content-Type"] == "text/plain"
    assert by_hash[sha256(BINARY)][1] == BINARY
    assert all(h["Content-Transfer-Encoding"] == "binary" for h, _ in parts[1:])

    query = store_client.get("/xapi/statements?attachments=true", headers=store_auth)
    parts = split_multipart(query.headers["Content-Type"], query.data)
    assert [s["id"] for s in json.loads(parts[0][1])["statements"]] == [statement_id]
    assert sorted(content for _, content in parts[1:]) == sorted([TEXT, BINARY])

    plain = store_client.get(f"/xapi/statements?statementId={statement_id}", headers=store_auth)
    assert plain.mimetype == "application/json"
    assert count(store_app, statement_attachments) == 2


def test_put_multipart(client, auth):
    statement_id = str(uuid.uuid4())
    st = {**with_attachments(attachment(BINARY)), "id": statement_id}
    response = client.put(
        f"/xapi/statements?statementId={statement_id}",
        data=multipart(st, part(BINARY)),
        headers={**auth, **mixed()},
    )
    assert response.status_code == 204, response.json
    got = client.get(f"/xapi/statements?statementId={statement_id}&attachments=true", headers=auth)
    parts = split_multipart(got.headers["Content-Type"], got.data)
    assert [content for _, content in parts[1:]] == [BINARY]


def test_content_is_stored_once_and_one_part_serves_a_batch(store_app, store_client, store_auth):
    shared = attachment(BINARY)
    batch = [with_attachments(shared), with_attachments(shared)]
    response = store_client.post(
        "/xapi/statements", data=multipart(batch, part(BINARY)), headers={**store_auth, **mixed()}
    )
    assert response.status_code == 200, response.json
    again = store_client.post(
        "/xapi/statements",
        data=multipart(with_attachments(shared), part(BINARY)),
        headers={**store_auth, **mixed()},
    )
    assert again.status_code == 200, again.json
    assert count(store_app, attachments) == 1
    assert count(store_app, statement_attachments) == 3
    query = store_client.get("/xapi/statements?attachments=true", headers=store_auth)
    parts = split_multipart(query.headers["Content-Type"], query.data)
    assert [content for _, content in parts[1:]] == [BINARY]


def test_database_store_keeps_content_in_chunks(database_url):
    big = os.urandom(2 * 1024 * 1024 + 17)
    for app in make_app(database_url):
        auth = Credentials(app).make("all")
        client = app.test_client()
        response = client.post(
            "/xapi/statements",
            data=multipart(with_attachments(attachment(big)), part(big)),
            headers={**auth, **mixed()},
        )
        assert response.status_code == 200, response.json
        assert count(app, attachment_chunks) == 3
        got = client.get("/xapi/statements?attachments=true", headers=auth)
        parts = split_multipart(got.headers["Content-Type"], got.data)
        assert parts[1][1] == big


def test_file_store_writes_content_addressed_files_and_leaves_no_spool(database_url, tmp_path):
    directory = tmp_path / "files"
    for app in make_app(database_url, attachment_store="file", attachment_dir=str(directory)):
        auth = Credentials(app).make("all")
        client = app.test_client()
        response = client.post(
            "/xapi/statements",
            data=multipart(with_attachments(attachment(BINARY)), part(BINARY)),
            headers={**auth, **mixed()},
        )
        assert response.status_code == 200, response.json
        digest = sha256(BINARY)
        assert (directory / digest[:2] / digest).read_bytes() == BINARY
        assert count(app, attachment_chunks) == 0
        rejected = client.post(
            "/xapi/statements",
            data=multipart(with_attachments(attachment(TEXT)), part(TEXT), part(b"extra")),
            headers={**auth, **mixed()},
        )
        assert rejected.status_code == 400
        assert list((directory / "tmp").iterdir()) == []
        assert not (directory / sha256(TEXT)[:2]).exists()


def test_file_url_only_attachments_need_no_part(client, auth):
    st = with_attachments(attachment(TEXT, fileUrl="http://example.com/files/a.txt"))
    as_json = client.post("/xapi/statements", json=st, headers=auth)
    assert as_json.status_code == 200, as_json.json
    as_multipart = client.post(
        "/xapi/statements",
        data=multipart({**st, "id": str(uuid.uuid4())}),
        headers={**auth, **mixed()},
    )
    assert as_multipart.status_code == 200, as_multipart.json
    got = client.get("/xapi/statements?attachments=true", headers=auth)
    parts = split_multipart(got.headers["Content-Type"], got.data)
    assert len(parts) == 1
    assert len(json.loads(parts[0][1])["statements"]) == 2


def test_multipart_without_attachments_is_accepted(client, auth):
    response = client.post(
        "/xapi/statements", data=multipart([statement(), statement()]), headers={**auth, **mixed()}
    )
    assert response.status_code == 200, response.json
    assert len(response.json) == 2


# -- rejections -----------------------------------------------------------------------------------


def test_plain_json_without_file_url_is_rejected(client, auth):
    response = client.post(
        "/xapi/statements", json=with_attachments(attachment(TEXT)), headers=auth
    )
    assert response.status_code == 400
    assert response.json["path"] == "$[0].attachments[0]"


def test_missing_part_names_statement_path_and_hash(client, auth):
    batch = [statement(), with_attachments(attachment(TEXT), attachment(BINARY))]
    response = client.post(
        "/xapi/statements", data=multipart(batch, part(TEXT)), headers={**auth, **mixed()}
    )
    assert response.status_code == 400
    assert response.json["path"] == "$[1].attachments[1]"
    assert sha256(BINARY) in response.json["message"]


def test_part_no_statement_references_is_rejected(app, client, auth):
    response = client.post(
        "/xapi/statements",
        data=multipart(with_attachments(attachment(TEXT)), part(TEXT), part(BINARY)),
        headers={**auth, **mixed()},
    )
    assert response.status_code == 400
    assert sha256(BINARY) in response.json["message"]
    assert count(app, attachments) == 0
    assert client.get("/xapi/statements", headers=auth).json["statements"] == []


def test_hash_mismatch_is_rejected(client, auth):
    st = with_attachments(attachment(TEXT))
    forged = part(b"other content", **{"X-Experience-API-Hash": sha256(TEXT)})
    response = client.post(
        "/xapi/statements", data=multipart(st, forged), headers={**auth, **mixed()}
    )
    assert response.status_code == 400
    assert response.json["field"] == "X-Experience-API-Hash"
    assert sha256(b"other content") in response.json["message"]


@pytest.mark.parametrize(
    ("body_of", "field"),
    [
        pytest.param(
            lambda st: multipart(st, part(TEXT, **{"X-Experience-API-Hash": ""})),
            "X-Experience-API-Hash",
            id="no-hash-header",
        ),
        pytest.param(
            lambda st: multipart(st, part(TEXT, **{"Content-Transfer-Encoding": ""})),
            "Content-Transfer-Encoding",
            id="no-transfer-encoding",
        ),
        pytest.param(
            lambda st: multipart(st, part(TEXT), first_type="text/plain"),
            "Content-Type",
            id="first-part-not-json",
        ),
        pytest.param(
            lambda st: multipart(st, part(TEXT)).rsplit(b"\r\n--", 1)[0],
            "Content-Type",
            id="no-closing-boundary",
        ),
        pytest.param(
            lambda st: multipart(st, part(TEXT)).split(b"\r\n", 1)[1],
            "Content-Type",
            id="no-opening-boundary",
        ),
        pytest.param(
            lambda st: multipart(st, part(TEXT)).replace(
                b"\r\n--" + BOUNDARY.encode() + b"\r\nContent-Type: application/octet",
                b"\r\nContent-Type: application/octet",
            ),
            "$",
            id="no-boundary-before-attachment",
        ),
    ],
)
def test_malformed_multipart_is_rejected(client, auth, body_of, field):
    st = with_attachments(attachment(TEXT))
    response = client.post("/xapi/statements", data=body_of(st), headers={**auth, **mixed()})
    assert response.status_code == 400, response.data
    assert response.json["field" if field != "$" else "path"].startswith(field)


def test_boundary_parameter_is_required(client, auth):
    st = with_attachments(attachment(TEXT))
    response = client.post(
        "/xapi/statements",
        data=multipart(st, part(TEXT)),
        headers={**auth, "Content-Type": "multipart/mixed"},
    )
    assert response.status_code == 400
    assert "boundary" in response.json["message"]


def test_form_data_is_not_a_statement_content_type(client, auth):
    response = client.post(
        "/xapi/statements",
        data=multipart(statement()),
        headers={**auth, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert response.status_code == 400


def test_oversized_multipart_gets_413_before_reading(database_url):
    for app in make_app(database_url, max_attachment_bytes=64 * 1024):
        auth = Credentials(app).make("all")
        big = os.urandom(100 * 1024)
        response = app.test_client().post(
            "/xapi/statements",
            data=multipart(with_attachments(attachment(big)), part(big)),
            headers={**auth, **mixed()},
        )
        assert response.status_code == 413
        assert "LRS_BRIDGE_MAX_ATTACHMENT_BYTES" in response.json["message"]


def test_oversized_multipart_without_length_gets_413_while_streaming(database_url):
    """A chunked body has no Content-Length: the limit is applied to the bytes read."""
    for app in make_app(database_url, max_attachment_bytes=64 * 1024):
        auth = Credentials(app).make("all")
        big = os.urandom(100 * 1024)
        body = multipart(with_attachments(attachment(big)), part(big))
        response = app.test_client().post(
            "/xapi/statements",
            input_stream=io.BytesIO(body),
            headers={**auth, **mixed(), "Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},
        )
        assert response.status_code == 413
        assert "LRS_BRIDGE_MAX_ATTACHMENT_BYTES" in response.json["message"]


def test_oversized_statements_part_gets_413(database_url):
    for app in make_app(database_url, max_body_bytes=2048):
        auth = Credentials(app).make("all")
        batch = [statement() for _ in range(40)]
        response = app.test_client().post(
            "/xapi/statements", data=multipart(batch), headers={**auth, **mixed()}
        )
        assert response.status_code == 413
        assert "LRS_BRIDGE_MAX_BODY_BYTES" in response.json["message"]


def test_spool_directory_is_inside_the_file_store(database_url, tmp_path):
    for app in make_app(database_url, attachment_store="file", attachment_dir=str(tmp_path)):
        runtime: Runtime = app.extensions["lrs_bridge"]
        assert runtime.attachments.spool_directory() == Path(tmp_path) / "tmp"


def test_erasing_a_learner_removes_their_attachment_content(store_app, store_client):
    """Erasure unlinks the erased statements' attachments; content nobody else links goes,
    including the file in the file store, and shared content stays."""
    auth = Credentials(store_app).make("all,admin", name="dpo")
    shared = b"a certificate template both learners got"
    private = b"Kari's signed feedback form"
    kari = {**statement(actor="kari"), "attachments": [attachment(private), attachment(shared)]}
    ola = {**statement(actor="ola"), "attachments": [attachment(shared)]}
    for body, parts in ((kari, (part(private), part(shared))), (ola, (part(shared),))):
        response = store_client.post(
            "/xapi/statements", data=multipart(body, *parts), headers={**auth, **mixed()}
        )
        assert response.status_code == 200, response.get_json()
    learner = store_client.post(
        "/api/v1/learners", json={"name": "Kari", "email": "kari@example.com"}, headers=auth
    ).get_json()["learners"][0]
    runtime: Runtime = store_app.extensions["lrs_bridge"]
    private_file = runtime.attachments.path_of(sha256(private))
    erased = store_client.delete(f"/api/v1/learners/{learner['id']}", headers=auth)
    assert erased.status_code == 200, erased.get_json()
    assert erased.get_json()["counts"]["attachments"] == 1
    assert count(store_app, attachments) == 1  # the shared one
    assert count(store_app, statement_attachments) == 1
    assert not private_file.exists()
    kept = store_client.get(
        "/xapi/statements",
        query_string={"statementId": ola["id"], "attachments": "true"},
        headers=auth,
    )
    assert kept.status_code == 200
    assert any(content == shared for _, content in split_multipart(kept.content_type, kept.data))


def test_garbage_collection_removes_only_old_unlinked_content(
    store_app, store_client, store_auth, tmp_path
):
    """Content a crash left without a statement goes after the grace period; linked content
    and young content stay; reusing old content makes it young again."""
    from lrs_bridge.store.base import ReceivedAttachment

    runtime: Runtime = store_app.extensions["lrs_bridge"]
    linked = b"a certificate that a stored statement carries"
    orphan = b"uploaded, then the worker crashed before the statement committed"
    body = with_attachments(attachment(linked))
    response = store_client.post(
        "/xapi/statements", data=multipart(body, part(linked)), headers={**store_auth, **mixed()}
    )
    assert response.status_code == 200
    spooled = tmp_path / "orphan.bin"
    spooled.write_bytes(orphan)
    runtime.attachments.put(
        [
            ReceivedAttachment(
                sha2=sha256(orphan),
                content_type="application/octet-stream",
                length=len(orphan),
                path=spooled,
            )
        ]
    )
    assert count(store_app, attachments) == 2
    hour = 3600 * 1_000_000
    assert runtime.attachments.collect_garbage(hour)["contents"] == 0  # still young
    with runtime.engine.begin() as conn:
        conn.execute(attachments.update().values(created_us=attachments.c.created_us - 2 * hour))
    removed = runtime.attachments.collect_garbage(hour)
    assert removed["contents"] == 1
    assert count(store_app, attachments) == 1
    if runtime.attachments.mode == "file":
        assert not runtime.attachments.path_of(sha256(orphan)).exists()
        assert runtime.attachments.path_of(sha256(linked)).exists()
    kept = store_client.get(
        "/xapi/statements",
        query_string={"statementId": body["id"], "attachments": "true"},
        headers=store_auth,
    )
    assert any(content == linked for _, content in split_multipart(kept.content_type, kept.data))
