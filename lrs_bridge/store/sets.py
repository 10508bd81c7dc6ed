"""Sets of values (ids, learner × competency pairs) as ONE query parameter.

A batch's size must not change the shape of its SQL. An ``IN (?, ?, …)`` list grows with
the batch and meets SQLite's 32,766-variable limit; an OR of pairs meets SQLite's
expression-depth limit (1,000) at a few dozen statements. Here a set is bound as a single
parameter instead, and each database unpacks it into rows: ``json_each`` on SQLite, an array
(``= ANY`` / ``unnest``) on PostgreSQL. Both still seek the usual indexes per value.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, any_, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY

Pair = tuple[int, str]


def _is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def member(conn: Connection, column: Any, values: Collection[Any]) -> Any:
    """``column IN values`` with the values bound as one parameter, whatever their number."""
    listed = list(values)
    if _is_postgres(conn):
        return column == any_(literal(listed, ARRAY(column.type)))
    unpacked = func.json_each(orjson.dumps(listed).decode()).table_valued("value")
    return column.in_(select(unpacked.c.value))


def member_sql(conn: Connection, column: str) -> str:
    """Driver-SQL form of :func:`member` for the hot path; bind :func:`member_param`."""
    if _is_postgres(conn):
        return f"{column} = ANY(%s)"
    return f"{column} IN (SELECT value FROM json_each(?))"  # noqa: S608 - a column name


def member_param(conn: Connection, values: Collection[Any]) -> Any:
    """The one parameter of :func:`member_sql`."""
    listed = list(values)
    return listed if _is_postgres(conn) else orjson.dumps(listed).decode()


def rows_of_pairs(
    conn: Connection, table: str, columns: Sequence[str], pairs: Collection[Pair]
) -> Iterable[Any]:
    """``learner_id, competency_id, *columns`` of ``table`` for exactly these pairs.

    The pairs are a row source joined to the table on its (learner_id, competency_id)
    index: one seek per pair, and the SQL text is the same for 1 pair or 100,000.
    """
    wanted = ", ".join(f"t.{column}" for column in columns)
    head = f"SELECT t.learner_id, t.competency_id, {wanted} FROM "  # noqa: S608 - our names
    ordered = sorted(pairs)
    if _is_postgres(conn):
        query = (
            head + "unnest(%s::integer[], %s::text[]) AS p(learner_id, competency_id) "
            f"JOIN {table} AS t "
            "ON t.learner_id = p.learner_id AND t.competency_id = p.competency_id"
        )
        params: tuple[Any, ...] = ([p[0] for p in ordered], [p[1] for p in ordered])
    else:
        # CROSS JOIN keeps the pairs as the outer loop (SQLite never reorders it).
        query = (
            head + f"json_each(?) AS p CROSS JOIN {table} AS t "
            "ON t.learner_id = json_extract(p.value, '$[0]') "
            "AND t.competency_id = json_extract(p.value, '$[1]')"
        )
        params = (orjson.dumps(ordered).decode(),)
    return conn.exec_driver_sql(query, params)
