"""Streaming ``multipart/mixed`` statement requests (Communication §1.5.2).

Werkzeug parses only ``multipart/form-data``, so the body is read from the WSGI stream in
chunks and fed to python-multipart's :class:`MultipartParser` (any boundary, any subtype).
The first part, the statements, is kept in memory (at most ``max_body_bytes``); every
further part is spooled to a temporary file while its SHA-2 is computed, so a worker holds
only a chunk or so of an attachment at a time, whatever its size. Limits are enforced while
reading: nothing is buffered first.

Rules applied per part (the rest, which needs the statements, is the service's):

* the first part is ``application/json``;
* every further part has ``X-Experience-API-Hash`` and ``Content-Transfer-Encoding: binary``
  (the ADL conformance suite requires both), and its content hashes to the header's value
  (SHA-256, SHA-384 or SHA-512, told apart by the length of the hex digest);
* the body ends with the closing boundary.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header

from lrs_bridge.errors import BadRequest, PayloadTooLarge
from lrs_bridge.store.base import ReceivedAttachment

#: Bytes read from the request stream at a time.
READ_BYTES = 256 * 1024
_HASHES = {64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}
_HEX = frozenset("0123456789abcdef")


@dataclasses.dataclass(kw_only=True)
class MultipartStatements:
    """The statements part and the attachment parts (by SHA-2) of one request."""

    statements: bytes
    attachments: dict[str, ReceivedAttachment]


def boundary_of(content_type: str) -> str:
    """The ``boundary`` parameter of a multipart Content-Type; 400 when it is missing."""
    _, options = parse_options_header(content_type)
    boundary = options.get("boundary", "")
    if not boundary or len(boundary) > 70:
        raise BadRequest(
            "multipart/mixed needs a boundary parameter of 1 to 70 characters",
            field="Content-Type",
        )
    return boundary


@contextlib.contextmanager
def receive_statements(
    open_stream: Callable[[], IO[bytes]],
    *,
    content_type: str,
    content_length: int | None,
    max_bytes: int,
    max_statements_bytes: int,
    spool_directory: Path | None,
) -> Iterator[MultipartStatements]:
    """Read a multipart/mixed statement request; spool files are removed on exit.

    ``open_stream`` is called once the declared length has passed the limit check.
    """
    boundary = boundary_of(content_type)
    if content_length is not None and content_length > max_bytes:
        raise _too_large(max_bytes)
    stream = open_stream()
    reader = _PartReader(max_statements_bytes, spool_directory)
    try:
        parser = MultipartParser(boundary, reader.callbacks())
        received = 0
        try:
            while chunk := _read(stream, max_bytes):
                received += len(chunk)
                if received > max_bytes:
                    raise _too_large(max_bytes)
                parser.write(chunk)
            parser.finalize()
        except MultipartParseError as exc:
            raise BadRequest(
                f"malformed multipart/mixed body: {exc}", field="Content-Type"
            ) from None
        yield reader.result()
    finally:
        reader.discard()


def _read(stream: IO[bytes], max_bytes: int) -> bytes:
    try:
        return stream.read(READ_BYTES)
    except RequestEntityTooLarge:
        # Werkzeug's guard on request.max_content_length, for a body without Content-Length.
        raise _too_large(max_bytes) from None


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the multipart/mixed request exceeds the limit of {max_bytes} bytes "
        "(LRS_BRIDGE_MAX_ATTACHMENT_BYTES)",
        limit=max_bytes,
    )


class _PartReader:
    """The parser's callbacks: collects headers per part and routes each part's data."""

    def __init__(self, max_statements_bytes: int, spool_directory: Path | None) -> None:
        self.max_statements_bytes = max_statements_bytes
        self.spool_directory = spool_directory
        self.parts = 0
        self.ended = False
        self.statements: bytearray | None = None
        self.attachments: dict[str, ReceivedAttachment] = {}
        self._spools: list[Path] = []
        self._headers: dict[str, str] = {}
        self._field = bytearray()
        self._value = bytearray()
        self._spool: IO[bytes] | None = None
        self._hash: Any = None
        self._length = 0

    def callbacks(self) -> Any:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda data, start, end: self._field.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self._value.extend(data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _part_begin(self) -> None:
        self.parts += 1
        self._headers = {}

    def _header_end(self) -> None:
        name = self._field.decode("latin-1").strip().lower()
        self._headers[name] = self._value.decode("latin-1").strip()
        self._field.clear()
        self._value.clear()

    def _headers_finished(self) -> None:
        media_type = self._headers.get("content-type", "").split(";")[0].strip().lower()
        if self.parts == 1:
            if media_type != "application/json":
                raise BadRequest(
                    "the first part of a multipart/mixed statement request must be "
                    "application/json",
                    field="Content-Type",
                )
            self.statements = bytearray()
            return
        where = f"multipart part {self.parts}"
        declared = self._headers.get("x-experience-api-hash", "").lower()
        if len(declared) not in _HASHES or not set(declared) <= _HEX:
            raise BadRequest(
                f"{where} needs an X-Experience-API-Hash header with a SHA-2 hex digest",
                field="X-Experience-API-Hash",
            )
        if self._headers.get("content-transfer-encoding", "").lower() != "binary":
            raise BadRequest(
                f"{where} needs the header Content-Transfer-Encoding: binary",
                field="Content-Transfer-Encoding",
            )
        self._headers["x-experience-api-hash"] = declared
        self._hash = _HASHES[len(declared)]()
        self._length = 0
        spool = tempfile.NamedTemporaryFile(prefix="part-", dir=self.spool_directory, delete=False)
        self._spools.append(Path(spool.name))
        self._spool = spool

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.statements is not None and self._spool is None:
            if len(self.statements) + end - start > self.max_statements_bytes:
                raise PayloadTooLarge(
                    "the statements part exceeds the limit of "
                    f"{self.max_statements_bytes} bytes (LRS_BRIDGE_MAX_BODY_BYTES)",
                    limit=self.max_statements_bytes,
                )
            self.statements.extend(data[start:end])
            return
        assert self._spool is not None
        view = memoryview(data)[start:end]
        self._hash.update(view)
        self._spool.write(view)
        self._length += end - start

    def _part_end(self) -> None:
        if self._spool is None:
            return
        self._spool.close()
        self._spool = None
        declared = self._headers["x-experience-api-hash"]
        actual = self._hash.hexdigest()
        if actual != declared:
            raise BadRequest(
                f"multipart part {self.parts}: its content hashes to {actual}, not to its "
                f"X-Experience-API-Hash {declared}",
                field="X-Experience-API-Hash",
            )
        declared_length = self._headers.get("content-length")
        if declared_length is not None and declared_length != str(self._length):
            raise BadRequest(
                f"multipart part {self.parts}: Content-Length {declared_length} but "
                f"{self._length} bytes of content",
                field="Content-Length",
            )
        if declared not in self.attachments:  # a repeated part adds nothing
            self.attachments[declared] = ReceivedAttachment(
                sha2=declared,
                content_type=self._headers.get("content-type") or "application/octet-stream",
                length=self._length,
                path=self._spools[-1],
            )

    def _end(self) -> None:
        self.ended = True

    def result(self) -> MultipartStatements:
        if self.statements is None:
            raise BadRequest(
                "a multipart/mixed statement request needs the statements as its first part",
                field="Content-Type",
            )
        if not self.ended:
            raise BadRequest(
                "the multipart/mixed body ends without its closing boundary",
                field="Content-Type",
            )
        return MultipartStatements(statements=bytes(self.statements), attachments=self.attachments)

    def discard(self) -> None:
        """Close and remove every spool file (those moved into the file store are gone)."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None
        for path in self._spools:
            path.unlink(missing_ok=True)
