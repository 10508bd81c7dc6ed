"""Attachment content (Data §2.4.11), content-addressed by SHA-2, in the database or a directory.

Content is written, and committed or renamed into place, *before* the transaction that
stores the statements carrying it; an acknowledged statement therefore never lacks its
content, and content left behind by a crash in between is harmless (nothing links to it,
and the next upload of the same bytes finds it already there).

* ``database``: a row in ``attachments`` plus the bytes in ``attachment_chunks`` (1 MiB rows),
  all in one transaction, written and read a chunk at a time. On SQLite that transaction
  holds the write lock while it copies, so other writers wait that long.
* ``file``: ``<dir>/<sha2[:2]>/<sha2>``, written atomically (the request's spool file, in
  ``<dir>/tmp``, is fsynced, renamed into place and the directory fsynced), plus the row in
  ``attachments`` that records type and length.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from lrs_bridge.store.base import Clock, ReceivedAttachment, StoredAttachment
from lrs_bridge.store.engine import SQLITE_BEGIN
from lrs_bridge.store.sqlalchemy import translate_errors
from lrs_bridge.store.tables import attachment_chunks, attachments, statement_attachments

#: Bytes per ``attachment_chunks`` row, and per read when streaming content out.
CHUNK_BYTES = 1024 * 1024
STORE_MODES = ("database", "file")


class AttachmentStore:
    """Puts and reads attachment content; given an engine, it does not own it."""

    def __init__(self, engine: Engine, *, mode: str, directory: str | Path, clock: Clock) -> None:
        if mode not in STORE_MODES:
            raise ValueError(f"attachment store must be one of {STORE_MODES}, not {mode!r}")
        self.engine = engine
        self.mode = mode
        self.directory = Path(directory)
        self.clock = clock

    def spool_directory(self) -> Path | None:
        """Where requests spool parts: inside the file store (so that storing is a rename on
        one file system), or the system's temporary directory (``None``)."""
        if self.mode != "file":
            return None
        spool = self.directory / "tmp"
        spool.mkdir(parents=True, exist_ok=True)
        return spool

    def path_of(self, sha2: str) -> Path:
        """The file store's path for content ``sha2``."""
        return self.directory / sha2[:2] / sha2

    # -- writing ------------------------------------------------------------------------

    def put(self, parts: Iterable[ReceivedAttachment]) -> None:
        """Store each part not stored yet, durably, before returning."""
        for part in parts:
            if self._describe_one(part.sha2) is not None:
                # Reused content is fresh again, so the garbage collector's grace period
                # protects it until this request's statements link it.
                with self._write() as conn:
                    conn.execute(
                        update(attachments)
                        .where(attachments.c.sha2 == part.sha2)
                        .values(created_us=self.clock())
                    )
                continue
            if self.mode == "file":
                self._put_file(part)
            else:
                self._put_database(part)

    def _write(self) -> contextlib.AbstractContextManager[Connection]:
        return _transaction(self.engine)

    def _header(self, part: ReceivedAttachment, location: str) -> dict[str, object]:
        return {
            "sha2": part.sha2,
            "content_type": part.content_type,
            "length": part.length,
            "location": location,
            "created_us": self.clock(),
        }

    def _put_file(self, part: ReceivedAttachment) -> None:
        target = self.path_of(part.sha2)
        target.parent.mkdir(parents=True, exist_ok=True)
        with part.path.open("rb") as spooled:
            os.fsync(spooled.fileno())
        os.replace(part.path, target)
        _fsync_directory(target.parent)
        self._insert_header(part, "file", chunks=None)

    def _put_database(self, part: ReceivedAttachment) -> None:
        with part.path.open("rb") as spooled:
            chunks = iter(lambda: spooled.read(CHUNK_BYTES), b"")
            self._insert_header(part, "database", chunks=chunks)

    def _insert_header(
        self, part: ReceivedAttachment, location: str, chunks: Iterable[bytes] | None
    ) -> None:
        try:
            with self._write() as conn:
                conn.execute(insert(attachments).values(**self._header(part, location)))
                if chunks is not None:
                    _copy_chunks(conn, part.sha2, chunks)
        except IntegrityError:
            # Stored meanwhile by a concurrent request with the same content: same bytes.
            if self._describe_one(part.sha2) is None:
                raise

    # -- garbage ------------------------------------------------------------------------

    def collect_garbage(self, grace_us: int) -> dict[str, int]:
        """Remove content that no statement links and that is older than ``grace_us``.

        Such content is what a crash left between storing the content and committing the
        statements, or what an erasure unlinked; the grace period covers requests still
        between those two steps. In the file store, files without a row (a crash between
        the rename and the row) and stale spool files go too.
        """
        cutoff = self.clock() - grace_us
        linked = select(statement_attachments.c.sha2).where(
            statement_attachments.c.sha2 == attachments.c.sha2
        )
        with self._write() as conn:
            orphans = conn.execute(
                select(attachments.c.sha2, attachments.c.location).where(
                    attachments.c.created_us < cutoff, ~linked.exists()
                )
            ).all()
            hashes = [row.sha2 for row in orphans]
            for start in range(0, len(hashes), 1000):
                part = hashes[start : start + 1000]
                conn.execute(delete(attachment_chunks).where(attachment_chunks.c.sha2.in_(part)))
                conn.execute(delete(attachments).where(attachments.c.sha2.in_(part)))
        removed = {"contents": len(hashes), "files": 0}
        for row in orphans:
            if row.location == "file":
                self.path_of(row.sha2).unlink(missing_ok=True)
                removed["files"] += 1
        if self.mode == "file" and self.directory.is_dir():
            removed["files"] += self._sweep_directory(cutoff)
        return removed

    def _sweep_directory(self, cutoff_us: int) -> int:
        """Files older than the cutoff that no row describes (and old spool files)."""
        removed = 0
        for path in self.directory.glob("*/*"):
            if not path.is_file() or path.stat().st_mtime_ns // 1000 >= cutoff_us:
                continue
            if path.parent.name == "tmp" or self._describe_one(path.name) is None:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    # -- reading ------------------------------------------------------------------------

    def _describe_one(self, sha2: str) -> StoredAttachment | None:
        found = self.describe_hashes([sha2])
        return found[0] if found else None

    def describe_hashes(self, hashes: Sequence[str]) -> list[StoredAttachment]:
        """The stored content among ``hashes``, in the order given."""
        if not hashes:
            return []
        with translate_errors(), self.engine.connect() as conn:
            rows = conn.execute(select(attachments).where(attachments.c.sha2.in_(list(hashes))))
            found = {row.sha2: _stored(row) for row in rows}
        return [found[sha2] for sha2 in dict.fromkeys(hashes) if sha2 in found]

    def for_statements(self, seqs: Sequence[int]) -> list[StoredAttachment]:
        """The distinct content linked to the statements ``seqs``, in statement order."""
        if not seqs:
            return []
        with translate_errors(), self.engine.connect() as conn:
            rows = conn.execute(
                select(statement_attachments.c.statement_seq, statement_attachments.c.sha2).where(
                    statement_attachments.c.statement_seq.in_(list(seqs))
                )
            ).all()
        by_seq: dict[int, list[str]] = {}
        for row in rows:
            by_seq.setdefault(row.statement_seq, []).append(row.sha2)
        ordered = [sha2 for seq in seqs for sha2 in sorted(by_seq.get(seq, ()))]
        return self.describe_hashes(ordered)

    def open(self, attachment: StoredAttachment) -> Iterator[bytes]:
        """The content of ``attachment``, a chunk at a time."""
        if attachment.location == "file":
            return _file_chunks(self.path_of(attachment.sha2))
        return self._database_chunks(attachment.sha2)

    def _database_chunks(self, sha2: str) -> Iterator[bytes]:
        n = 0
        while True:
            # One short read per chunk: a response streamed to a slow client holds no
            # connection or transaction between chunks.
            with _read(self.engine) as conn:
                data = conn.execute(
                    select(attachment_chunks.c.data).where(
                        attachment_chunks.c.sha2 == sha2, attachment_chunks.c.n == n
                    )
                ).scalar()
            if data is None:
                return
            yield bytes(data)
            n += 1


@contextlib.contextmanager
def _transaction(engine: Engine) -> Iterator[Connection]:
    with translate_errors(), engine.connect() as conn, _lean(conn):
        conn = conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        with conn.begin():
            yield conn


@contextlib.contextmanager
def _read(engine: Engine) -> Iterator[Connection]:
    with translate_errors(), engine.connect() as conn, _lean(conn):
        yield conn


@contextlib.contextmanager
def _lean(conn: Connection) -> Iterator[None]:
    """On SQLite, no memory-mapped reads and a small page cache while attachment bytes pass.

    The engine's connections keep a 64 MiB page cache and map up to 256 MiB of the file
    (store/engine.py), which suits the statement indexes; blob pages copied through them
    would stay resident and make a worker's memory grow with the attachment. PostgreSQL
    needs nothing: the server, not the worker, caches pages.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    # The DB-API connection directly: a PRAGMA through SQLAlchemy would begin a transaction.
    raw = conn.connection.driver_connection
    assert raw is not None
    cache_size = raw.execute("PRAGMA cache_size").fetchone()[0]
    mmap_size = raw.execute("PRAGMA mmap_size").fetchone()[0]
    raw.execute("PRAGMA mmap_size=0")
    raw.execute("PRAGMA cache_size=-2048")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size={int(cache_size)}")
        raw.execute(f"PRAGMA mmap_size={int(mmap_size)}")


def _copy_chunks(conn: Connection, sha2: str, source: Iterable[bytes]) -> None:
    for n, data in enumerate(source):
        conn.execute(insert(attachment_chunks).values(sha2=sha2, n=n, data=data))


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


def _fsync_directory(directory: Path) -> None:
    """Make a rename into ``directory`` durable (POSIX; a no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _stored(row: Any) -> StoredAttachment:
    return StoredAttachment(
        sha2=row.sha2, content_type=row.content_type, length=row.length, location=row.location
    )
