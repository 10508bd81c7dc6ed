"""Where ``stored`` and ``X-Experience-API-Consistent-Through`` get their time.

With several hosts on one PostgreSQL database, each host's own clock is a little off. If
each stamped ``stored`` from its own clock, a host running ahead would answer a poll with a
Consistent-Through that a host running behind then stamps below, and a ``since`` poll would
skip those statements for ever. So on PostgreSQL both come from the database server's
clock (``clock_timestamp()``, the real time, not the transaction's start), read inside the
statement write gate for ``stored``: one clock, and stored order equals sequence order.
SQLite is one host, so it keeps the process's clock.
"""

from __future__ import annotations

from sqlalchemy import Connection

from lrs_bridge.store.base import Clock

#: The database server's current time in integer microseconds since the epoch.
_POSTGRES_NOW_US = "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint"


class StoredClock:
    """The clock of ``stored`` times: the database's on PostgreSQL, else the process's."""

    def __init__(self, *, database_clock: bool) -> None:
        self.database_clock = database_clock

    def now(self, conn: Connection, clock: Clock) -> int:
        """The current time for a ``stored`` stamp or a Consistent-Through answer."""
        if self.database_clock:
            return int(conn.exec_driver_sql(_POSTGRES_NOW_US).scalar_one())
        return clock()
