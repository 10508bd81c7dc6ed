"""Worker memory while a large attachment goes in and out of a real server.

Starts ``lrs-bridge serve --workers 1`` for each database (SQLite, PostgreSQL when it
answers) and attachment store (database, file), POSTs one statement with a SIZE MiB
attachment as a streamed multipart/mixed body, then GETs it back with ``attachments=true``,
and reads the gunicorn worker's peak resident set (``VmHWM`` in /proc) after warming up,
after the upload and after the download.

    .venv/bin/python bench/attachment_memory.py [SIZE_MIB]     # default 200
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from server import Server, fresh_database, postgres_unreachable, prepare

MIB = 1024 * 1024
AUTH = {
    "Authorization": "Basic " + base64.b64encode(b"bench:bench-secret").decode(),
    "X-Experience-API-Version": "1.0.3",
}


def blocks(size_mib: int) -> Iterator[bytes]:
    seed = hashlib.sha256(b"attachment").digest() * (MIB // 32)
    for n in range(size_mib):
        yield n.to_bytes(8, "big") + seed[8:]


def post(port: int, size_mib: int) -> tuple[str, float]:
    """Upload; returns the statement id and the seconds it took."""
    hasher = hashlib.sha256()
    for block in blocks(size_mib):
        hasher.update(block)
    sha2 = hasher.hexdigest()
    statement_id = str(uuid.uuid4())
    statement = {
        "id": statement_id,
        "actor": {"mbox": "mailto:bench@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
        "object": {"id": "https://example.com/recordings/1"},
        "attachments": [
            {
                "usageType": "http://example.com/attachment-usage/recording",
                "display": {"en-US": "Recording"},
                "contentType": "video/mp4",
                "length": size_mib * MIB,
                "sha2": sha2,
            }
        ],
    }
    boundary = uuid.uuid4().hex
    head = (
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{json.dumps(statement)}\r\n"
        f"--{boundary}\r\nContent-Type: video/mp4\r\nContent-Transfer-Encoding: binary\r\n"
        f"X-Experience-API-Hash: {sha2}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        yield from blocks(size_mib)
        yield tail

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.request(
        "POST",
        "/xapi/statements",
        body=body(),
        headers={
            **AUTH,
            "Content-Type": f"multipart/mixed; boundary={boundary}",
            "Content-Length": str(len(head) + size_mib * MIB + len(tail)),
        },
    )
    response = conn.getresponse()
    answer = response.read()
    conn.close()
    if response.status != 200:
        raise SystemExit(f"upload failed: {response.status} {answer[:300]!r}")
    return statement_id, time.perf_counter() - started


def get(port: int, statement_id: str) -> tuple[int, float]:
    """Download with attachments=true; returns the bytes received and the seconds taken."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.request(
        "GET", f"/xapi/statements?statementId={statement_id}&attachments=true", headers=AUTH
    )
    response = conn.getresponse()
    received = 0
    while chunk := response.read(MIB):
        received += len(chunk)
    conn.close()
    if response.status != 200:
        raise SystemExit(f"download failed: {response.status}")
    return received, time.perf_counter() - started


def status_mib(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no {field} for {pid}")


def peak_mib(pid: int) -> float:
    """VmHWM: the worker's peak resident set so far."""
    return status_mib(pid, "VmHWM")


def measure(kind: str, store: str, size_mib: int) -> None:
    with fresh_database(kind) as url, tempfile.TemporaryDirectory() as workdir:
        prepare(url)
        env = {
            "LRS_BRIDGE_ATTACHMENT_STORE": store,
            "LRS_BRIDGE_ATTACHMENT_DIR": f"{workdir}/attachments",
        }
        server = Server(url, 1, Path(workdir), env=env)
        try:
            [worker] = server.worker_pids()
            post(server.port, 1)  # warm-up: every module imported, caches primed
            idle = peak_mib(worker)
            resident = status_mib(worker, "VmRSS")
            statement_id, up_s = post(server.port, size_mib)
            after_up = peak_mib(worker)
            received, down_s = get(server.port, statement_id)
            after_down = peak_mib(worker)
        finally:
            server.stop()
    print(
        f"{kind:10} {store:8} {size_mib} MiB: worker resident {resident:.0f} MiB and peak "
        f"{idle:.0f} MiB idle, "
        f"{after_up:.0f} after upload (+{after_up - idle:.1f}, {size_mib / up_s:.0f} MiB/s), "
        f"{after_down:.0f} after download (+{after_down - idle:.1f}, "
        f"{received / MIB / down_s:.0f} MiB/s)"
    )


def main() -> None:
    size_mib = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    kinds = ["sqlite"] if postgres_unreachable() else ["sqlite", "postgresql"]
    for kind in kinds:
        for store in ("database", "file"):
            measure(kind, store, size_mib)


if __name__ == "__main__":
    main()
