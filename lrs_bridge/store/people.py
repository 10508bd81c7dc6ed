"""Who is who in the directory, as the console asks it: reports down the manager chain,
team membership, a learner by e-mail, and the instance's console session key."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Connection, func, insert, select

from lrs_bridge.store.base import StorePart
from lrs_bridge.store.ledger import learner_by_id
from lrs_bridge.store.tables import instance_secrets, learners


def reports_of(conn: Connection, manager_id: int) -> set[int]:
    """Every learner below ``manager_id`` in the manager chain, at any depth.

    ``UNION`` (not ``UNION ALL``) drops rows already found, so a cycle in the directory
    (A manages B manages A) ends the recursion instead of looping.
    """
    start = select(learners.c.id).where(learners.c.manager_id == manager_id)
    chain = start.cte("chain", recursive=True)
    below = select(learners.c.id).where(learners.c.manager_id == chain.c.id)
    chain = chain.union(below)
    found = set(conn.execute(select(chain.c.id)).scalars())
    found.discard(manager_id)
    return found


def team_member_rows(conn: Connection, team: str) -> list[dict[str, Any]]:
    """The learners of a team, by name (then id), without their IFIs."""
    rows = conn.execute(
        select(learners.c.id, learners.c.name, learners.c.email, learners.c.manager_id)
        .where(learners.c.team == team)
        .order_by(learners.c.name, learners.c.id)
    )
    return [dict(row._mapping) for row in rows]


def team_sizes(conn: Connection) -> list[tuple[str, int]]:
    """Every team name in the directory with its member count, by name."""
    rows = conn.execute(
        select(learners.c.team, func.count())
        .where(learners.c.team.is_not(None))
        .group_by(learners.c.team)
        .order_by(learners.c.team)
    )
    return [(row[0], int(row[1])) for row in rows]


def learner_id_by_email(conn: Connection, email: str) -> int | None:
    """The directory learner with this e-mail address (case-insensitive), if any."""
    return conn.execute(
        select(learners.c.id)
        .where(func.lower(learners.c.email) == email.strip().lower())
        .order_by(learners.c.id)
        .limit(1)
    ).scalar()


def named_secret(conn: Connection, name: str) -> str:
    """An instance-wide random secret, created on first use; the same for every process."""
    found = conn.execute(
        select(instance_secrets.c.value).where(instance_secrets.c.name == name)
    ).scalar()
    if found is not None:
        return str(found)
    value = secrets.token_hex(32)
    conn.execute(insert(instance_secrets), {"name": name, "value": value})
    return value


class PeopleQueries(StorePart):
    """The directory reads of :class:`~lrs_bridge.store.sqlalchemy.SqlStore` (a mixin)."""

    def reports_of(self, manager_id: int) -> set[int]:
        """Learner ids under ``manager_id``, recursively."""
        with self._read() as conn:
            return reports_of(conn, manager_id)

    def team_members(self, team: str) -> list[dict[str, Any]]:
        """A team's learners: id, name, email, manager_id."""
        with self._read() as conn:
            return team_member_rows(conn, team)

    def teams(self) -> list[tuple[str, int]]:
        """Team names with member counts."""
        with self._read() as conn:
            return team_sizes(conn)

    def learner_by_email(self, email: str) -> dict[str, Any] | None:
        """The directory learner with this e-mail, with IFIs."""
        with self._read() as conn:
            found = learner_id_by_email(conn, email)
            return learner_by_id(conn, found) if found is not None else None

    def named_secret(self, name: str) -> str:
        """The instance secret ``name`` (created on first use)."""
        with self._write() as conn:
            return named_secret(conn, name)
