"""Attachments through a real ``lrs-bridge serve`` (gunicorn) process: a large attachment is
streamed in and out without the worker holding it in memory, and over-limit bodies get 413."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ServerProcess
from tests.factories import statement

pytestmark = pytest.mark.server

MIB = 1024 * 1024
#: Worker memory the upload and download of a 64 MiB attachment may add to the worker's
#: peak; buffering the body even once would add 64 MiB.
PEAK_GROWTH_LIMIT = 40 * MIB


def content_blocks(size: int, seed: bytes) -> Iterator[bytes]:
    """``size`` reproducible pseudo-random bytes, 1 MiB at a time (never all in memory)."""
    block = hashlib.sha256(seed).digest() * (MIB // 32)
    for n in range(size // MIB):
        yield n.to_bytes(8, "big") + block[8:]


def digest(size: int, seed: bytes) -> str:
    hasher = hashlib.sha256()
    for block in content_blocks(size, seed):
        hasher.update(block)
    return hasher.hexdigest()


def headers(key: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}


def upload(
    server: ServerProcess, key: str, secret: str, size: int, seed: bytes, *, chunked: bool = False
) -> tuple[int, bytes, str]:
    """POST one statement with a ``size``-byte attachment, streamed; (status, body, id)."""
    sha2 = digest(size, seed)
    st = {
        **statement(),
        "id": str(uuid.uuid4()),
        "attachments": [
            {
                "usageType": "http://example.com/attachment-usage/video",
                "display": {"en-US": "A recording"},
                "contentType": "video/mp4",
                "length": size,
                "sha2": sha2,
            }
        ],
    }
    boundary = uuid.uuid4().hex
    head = (
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{json.dumps(st)}\r\n"
        f"--{boundary}\r\nContent-Type: video/mp4\r\nContent-Transfer-Encoding: binary\r\n"
        f"X-Experience-API-Hash: {sha2}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        yield from content_blocks(size, seed)
        yield tail

    request_headers = {
        **headers(key, secret),
        "Content-Type": f"multipart/mixed; boundary={boundary}",
    }
    if not chunked:
        request_headers["Content-Length"] = str(len(head) + size + len(tail))
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        try:
            conn.request(
                "POST",
                "/xapi/statements",
                body=body(),
                headers=request_headers,
                encode_chunked=chunked,
            )
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered (413) and closed before the whole body was sent
        response = conn.getresponse()
        return response.status, response.read(), st["id"]
    finally:
        conn.close()


def download_digest(
    server: ServerProcess, key: str, secret: str, statement_id: str
) -> dict[str, str]:
    """GET the statement with attachments=true, hashing each part as it streams in."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        conn.request(
            "GET",
            f"/xapi/statements?statementId={statement_id}&attachments=true",
            headers=headers(key, secret),
        )
        response = conn.getresponse()
        assert response.status == 200
        boundary = response.getheader("Content-Type", "").split("boundary=")[1].encode()
        return _hash_parts(response, boundary)
    finally:
        conn.close()


def _hash_parts(response: http.client.HTTPResponse, boundary: bytes) -> dict[str, str]:
    """X-Experience-API-Hash → SHA-256 of each attachment part, reading 1 MiB at a time."""
    delimiter = b"\r\n--" + boundary
    found: dict[str, str] = {}
    buffer = b""
    declared: str | None = None
    hasher = hashlib.sha256()
    while True:
        chunk = response.read(MIB)
        buffer += chunk
        while True:
            if declared is None:
                start = buffer.find(delimiter)
                end = buffer.find(b"\r\n\r\n", start)
                if start < 0 or end < 0:
                    break
                head = buffer[start + len(delimiter) : end].decode()
                buffer = buffer[end + 4 :]
                lines = dict(
                    line.split(": ", 1) for line in head.strip().split("\r\n") if ": " in line
                )
                declared = lines.get("X-Experience-API-Hash")
                if declared is None:  # the closing delimiter
                    return found
                hasher = hashlib.sha256()
                continue
            at = buffer.find(delimiter)
            if at < 0:
                keep = len(delimiter)
                hasher.update(buffer[:-keep])
                buffer = buffer[-keep:]
                break
            hasher.update(buffer[:at])
            buffer = buffer[at:]
            found[declared] = hasher.hexdigest()
            declared = None
        if not chunk:
            return found


def worker_pids(server: ServerProcess) -> list[int]:
    """Gunicorn workers: the children of the gunicorn master, a child of ``serve``."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    return [w for master in children.get(server.proc.pid, []) for w in children.get(master, [])]


def peak_rss(pid: int) -> int:
    """The process's peak resident set (VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmHWM for {pid}")


@pytest.fixture(params=["database", "file"])
def one_worker(request, database_url, tmp_path, monkeypatch) -> Iterator[ServerProcess]:
    monkeypatch.setenv("LRS_BRIDGE_ATTACHMENT_STORE", request.param)
    monkeypatch.setenv("LRS_BRIDGE_ATTACHMENT_DIR", str(tmp_path / "attachments"))
    proc = ServerProcess(database_url, tmp_path, workers=1)
    yield proc
    proc.stop()


def test_large_attachment_streams_in_and_out_in_bounded_memory(one_worker):
    key, secret = one_worker.credential("all")
    status, body, _ = upload(one_worker, key, secret, MIB, b"warm-up")  # load every module
    assert status == 200, body
    [worker] = worker_pids(one_worker)
    before = peak_rss(worker)

    size = 64 * MIB
    status, body, statement_id = upload(one_worker, key, secret, size, b"large")
    assert status == 200, body
    assert json.loads(body) == [statement_id]
    assert download_digest(one_worker, key, secret, statement_id) == {
        digest(size, b"large"): digest(size, b"large")
    }
    growth = peak_rss(worker) - before
    assert growth < PEAK_GROWTH_LIMIT, f"worker peak grew by {growth / MIB:.1f} MiB"


def test_chunked_body_over_the_limit_gets_413(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("LRS_BRIDGE_MAX_ATTACHMENT_BYTES", str(2 * MIB))
    server = ServerProcess(database_url, tmp_path, workers=1)
    try:
        key, secret = server.credential("all")
        status, body, _ = upload(server, key, secret, 4 * MIB, b"big", chunked=True)
        assert status == 413
        assert b"LRS_BRIDGE_MAX_ATTACHMENT_BYTES" in body
        status, body, _ = upload(server, key, secret, 4 * MIB, b"big")
        assert status == 413
        status, body, _ = upload(server, key, secret, MIB, b"fits", chunked=True)
        assert status == 200, body
    finally:
        server.stop()


def test_tincan_client_sends_file_url_attachments(server):
    """TinCanPython models attachments but cannot send their content (it posts JSON only):
    a statement whose attachment has a fileUrl goes through, and one without is refused."""
    from tincan import Activity, Agent, Attachment, RemoteLRS, Statement, Verb

    key, secret = server.credential("all")
    lrs = RemoteLRS(version="1.0.3", endpoint=server.url + "/xapi/", username=key, password=secret)

    def with_attachment(**extra: str) -> Statement:
        return Statement(
            actor=Agent(mbox="mailto:kari@example.com"),
            verb=Verb(id="http://adlnet.gov/expapi/verbs/completed"),
            object=Activity(id="https://example.com/courses/first-aid"),
            attachments=[
                Attachment(
                    usage_type="http://id.tincanapi.com/attachment/certificate-of-completion",
                    display={"en-US": "Certificate"},
                    content_type="application/pdf",
                    length=12345,
                    sha2=hashlib.sha256(b"certificate").hexdigest(),
                    **extra,
                )
            ],
        )

    saved = lrs.save_statement(with_attachment(fileurl="https://example.com/certificates/1.pdf"))
    assert saved.success, saved.data
    got = lrs.retrieve_statement(str(saved.content.id))
    assert got.success
    assert got.content.attachments[0].fileurl == "https://example.com/certificates/1.pdf"
    refused = lrs.save_statement(with_attachment())
    assert not refused.success
    assert refused.response.status == 400
