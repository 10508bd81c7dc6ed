"""Failed authentication attempts, counted in the database so every process sees them.

Each bucket (a key's digest, or a client address) counts failures in a fixed window that
starts at its first failure. The counter lives in the database, not in process memory,
so a client cannot multiply its attempts by the number of gunicorn workers or hosts.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, or_, select

from lrs_bridge.store.base import StorePart
from lrs_bridge.store.tables import auth_failures

# One statement on both databases (SQLite 3.24+ and PostgreSQL): restart an expired window,
# otherwise count one more failure in it.
_COUNT_FAILURE = (
    "INSERT INTO auth_failures (bucket, window_start_us, failures) VALUES ({p}, {p}, 1) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "failures = CASE WHEN auth_failures.window_start_us <= {p} THEN 1 "
    "ELSE auth_failures.failures + 1 END, "
    "window_start_us = CASE WHEN auth_failures.window_start_us <= {p} "
    "THEN excluded.window_start_us ELSE auth_failures.window_start_us END"
)


class ThrottleQueries(StorePart):
    """The throttling part of :class:`~lrs_bridge.store.sqlalchemy.SqlStore` (a mixin)."""

    def auth_failures(self, buckets: Collection[str], since_us: int) -> dict[str, tuple[int, int]]:
        """``bucket → (failures, window start)`` for windows that started after ``since_us``."""
        if not buckets:
            return {}
        with self._read() as conn:
            rows = conn.execute(
                select(
                    auth_failures.c.bucket,
                    auth_failures.c.failures,
                    auth_failures.c.window_start_us,
                ).where(
                    auth_failures.c.bucket.in_(sorted(buckets)),
                    auth_failures.c.window_start_us > since_us,
                )
            )
            return {row.bucket: (row.failures, row.window_start_us) for row in rows}

    def add_auth_failure(self, buckets: Collection[str], now_us: int, window_us: int) -> None:
        """Count one failure in each bucket; expired windows restart, and are pruned.

        Only buckets of the same kinds (the prefix before ``:``) are pruned: another kind may
        count in a longer window (console sign-in: 15 minutes, API keys: a minute).
        """
        cutoff = now_us - window_us
        marker = "%s" if self.is_postgres else "?"
        sql = _COUNT_FAILURE.format(p=marker)
        kinds = sorted({bucket.partition(":")[0] + ":" for bucket in buckets})
        with self._write() as conn:
            conn.execute(
                delete(auth_failures).where(
                    auth_failures.c.window_start_us <= cutoff,
                    or_(*(auth_failures.c.bucket.startswith(kind) for kind in kinds)),
                )
            )
            conn.exec_driver_sql(sql, [(bucket, now_us, cutoff, cutoff) for bucket in buckets])
