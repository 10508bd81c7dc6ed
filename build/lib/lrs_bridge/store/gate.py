"""The statement write gate: one statement writer at a time per database, and a cheap probe
telling readers whether a writer is inside.

Serialised writes make sequence order, ``stored`` order and commit order agree (see
``store/sqlalchemy.py``). The probe lets a reader report "now" as
``X-Experience-API-Consistent-Through`` when no writer is in flight; otherwise the newest
visible ``stored`` time is the honest answer.

* SQLite: an ``flock`` on ``<database>.write-gate``, plus a thread lock because an flock is
  held per open file, not per thread. Writers queue in the kernel and wake at once, instead of
  polling SQLite's busy handler with growing sleeps.
* PostgreSQL: a transaction-level advisory lock taken inside the write transaction; readers
  probe it with a non-blocking shared lock that they release immediately.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator

from sqlalchemy import Connection

#: Key of the PostgreSQL advisory lock that serialises statement writers.
STATEMENT_WRITE_LOCK = 0x1B5B_0001


class FileGate:
    """Cross-process and cross-thread exclusion through a lock file (SQLite)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def _descriptor(self) -> int:
        # A forked worker must open its own descriptor: flock locks belong to the open file.
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextlib.contextmanager
    def writing(self, conn: Connection) -> Iterator[None]:  # noqa: ARG002 - same shape as PG
        """Hold the gate exclusively for one write transaction."""
        with self._threads:
            fd = self._descriptor()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def idle(self, conn: Connection) -> bool:  # noqa: ARG002
        """True when no writer holds the gate at this instant."""
        if not self._threads.acquire(blocking=False):
            return False
        try:
            fd = self._descriptor()
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(fd, fcntl.LOCK_UN)
            return True
        finally:
            self._threads.release()


class AdvisoryGate:
    """PostgreSQL advisory lock: works across hosts sharing one database."""

    @contextlib.contextmanager
    def writing(self, conn: Connection) -> Iterator[None]:
        """Take the transaction-level lock; it is released by commit or rollback."""
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({STATEMENT_WRITE_LOCK})")
        yield

    def idle(self, conn: Connection) -> bool:
        """True when no writer holds the lock; the probe's shared lock is released at once."""
        got = conn.exec_driver_sql(
            f"SELECT pg_try_advisory_lock_shared({STATEMENT_WRITE_LOCK})"
        ).scalar()
        if got:
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock_shared({STATEMENT_WRITE_LOCK})")
        return bool(got)


class NoGate:
    """In-memory SQLite: one connection, nothing to coordinate."""

    @contextlib.contextmanager
    def writing(self, conn: Connection) -> Iterator[None]:  # noqa: ARG002
        """Nothing to hold."""
        yield

    def idle(self, conn: Connection) -> bool:  # noqa: ARG002
        """Never claims idleness, so readers fall back to the newest stored time."""
        return False
