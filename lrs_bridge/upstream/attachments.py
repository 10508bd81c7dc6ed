"""Attachment content on the wire: multipart/mixed bodies (Communication §1.5.2).

A statement request with attachment content is the statements part (``application/json``)
first, then one part per content, named by ``X-Experience-API-Hash`` and sent as binary. An
answer with ``attachments=true`` has the same shape; it is parsed by the parser lrs-bridge's
own API uses for received requests (``lrs_bridge.api.multipart``, which needs no Flask), so
both ends apply the same rules (hash checked, binary transfer encoding, closing boundary).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from lrs_bridge.api.multipart import receive_statements
from lrs_bridge.errors import LrsBridgeError
from lrs_bridge.upstream.client import AttachmentPart, UpstreamRefused


def multipart_body(statements: bytes, parts: Iterable[AttachmentPart], boundary: str) -> bytes:
    """The body of a multipart/mixed statement request; a content sent twice goes once."""
    chunks = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), statements]
    seen: set[str] = set()
    for part in parts:
        if part.sha2 in seen:
            continue
        seen.add(part.sha2)
        chunks.append(
            (
                f"\r\n--{boundary}\r\nContent-Type: {part.content_type}\r\n"
                "Content-Transfer-Encoding: binary\r\n"
                f"X-Experience-API-Hash: {part.sha2}\r\n"
                f"Content-Length: {len(part.content)}\r\n\r\n"
            ).encode("latin-1")
        )
        chunks.append(part.content)
    chunks.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(chunks)


def parse_multipart(body: bytes, content_type: str) -> tuple[bytes, dict[str, AttachmentPart]]:
    """The statements part and the content parts (by SHA-2) of a multipart/mixed answer."""
    try:
        with receive_statements(
            lambda: io.BytesIO(body),
            content_type=content_type,
            content_length=len(body),
            max_bytes=len(body),
            max_statements_bytes=len(body),
            spool_directory=None,
        ) as received:
            parts = {
                sha2: AttachmentPart(
                    sha2=sha2,
                    content_type=item.content_type,
                    content=item.path.read_bytes(),
                )
                for sha2, item in received.attachments.items()
            }
            return received.statements, parts
    except LrsBridgeError as exc:
        raise UpstreamRefused(f"the multipart/mixed answer is malformed: {exc}") from exc
