"""Filter keys of statements (``statement_keys``), and their inheritance through StatementRefs.

Communication §2.1.3 ("Filter Conditions for StatementRefs"): a statement that targets another
matches the filters its target matches, recursively. Keys are inherited at write time, so a
query never walks references.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import Connection, insert, literal_column, select, update

from lrs_bridge.store.base import NewStatement, StatementQuery
from lrs_bridge.store.tables import statement_keys, statements

#: Written as a literal so both databases can use the partial index on StatementRefs.
IS_STATEMENT_REF = statements.c.object_type == literal_column("'StatementRef'")
#: Filters in the order that usually selects fewest rows first.
_FILTER_ORDER = ("registration", "agent", "activity", "verb")


def key_filters(query: StatementQuery) -> list[tuple[str, bool]]:
    """``(key, narrow only)`` per filter parameter given, most selective first."""
    given = {
        "registration": (query.registration, True),
        "agent": (query.agent_key, not query.related_agents),
        "activity": (query.activity_id, not query.related_activities),
        "verb": (query.verb_id, True),
    }
    return [
        (f"{kind}|{given[kind][0]}", given[kind][1])
        for kind in _FILTER_ORDER
        if given[kind][0] is not None
    ]


def _merge(target: dict[str, bool], extra: dict[str, bool]) -> bool:
    """Add ``extra`` keys into ``target`` (narrow wins); True if anything changed."""
    changed = False
    for key, narrow in extra.items():
        if key not in target or (narrow and not target[key]):
            target[key] = target.get(key, False) or narrow
            changed = True
    return changed


def _stored_keys(conn: Connection, statement_ids: Collection[str]) -> dict[str, dict[str, bool]]:
    """The match keys of stored statements, by statement id."""
    if not statement_ids:
        return {}
    rows = conn.execute(
        select(statements.c.id, statement_keys.c.key, statement_keys.c.narrow)
        .join(statement_keys, statement_keys.c.seq == statements.c.seq)
        .where(statements.c.id.in_(list(statement_ids)))
    )
    found: dict[str, dict[str, bool]] = {}
    for sid, key, narrow in rows:
        found.setdefault(sid, {})[key] = narrow
    return found


def batch_keys(conn: Connection, new: Sequence[NewStatement]) -> dict[str, dict[str, bool]]:
    """Each new statement's own match keys plus those inherited from its StatementRef target.

    Targets may be stored already or be in the same batch (in any order), so inheritance is
    resolved to a fixpoint, which also follows chains (a → b → c).
    """
    keys = {item.id: item.index.match_keys() for item in new}
    refs = {
        item.id: item.index.object_key
        for item in new
        if item.index.object_type == "StatementRef" and item.index.object_key
    }
    if not refs:
        return keys
    stored = _stored_keys(conn, {t for t in refs.values() if t not in keys})
    changed = True
    while changed:
        changed = False
        for sid, target in refs.items():
            inherited = keys.get(target) or stored.get(target) or {}
            changed |= _merge(keys[sid], inherited)
    return keys


def propagate_to_referrers(
    conn: Connection,
    referrers: list[tuple[int, str]],
    new_keys: dict[str, dict[str, bool]],
) -> None:
    """Stored statements that target newly stored ones inherit their keys, recursively."""
    pending = [(seq, new_keys[target]) for seq, target in referrers if target in new_keys]
    seen: set[int] = set()
    while pending:
        seq, inherited = pending.pop()
        if seq in seen:
            continue
        seen.add(seq)
        current = {
            key: narrow
            for key, narrow in conn.execute(
                select(statement_keys.c.key, statement_keys.c.narrow).where(
                    statement_keys.c.seq == seq
                )
            )
        }
        merged = dict(current)
        if not _merge(merged, inherited):
            continue
        for key, narrow in merged.items():
            if key not in current:
                conn.execute(insert(statement_keys), {"key": key, "seq": seq, "narrow": narrow})
            elif narrow != current[key]:
                conn.execute(
                    update(statement_keys)
                    .where(statement_keys.c.seq == seq, statement_keys.c.key == key)
                    .values(narrow=narrow)
                )
        sid = conn.execute(select(statements.c.id).where(statements.c.seq == seq)).scalar_one()
        for row in conn.execute(
            select(statements.c.seq).where(IS_STATEMENT_REF, statements.c.object_key == sid)
        ):
            pending.append((row.seq, merged))
