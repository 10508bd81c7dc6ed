"""Reading saved competency configuration versions back: the history the map editor shows,
and one version's documents for a diff or a rollback (saving stays in ``ledger.py``)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select

from lrs_bridge.store.base import StorePart
from lrs_bridge.store.tables import competency_configs

_SUMMARY = (
    competency_configs.c.id,
    competency_configs.c.note,
    competency_configs.c.created_by,
    competency_configs.c.created_us,
    competency_configs.c.replayed_us,
)


class ConfigVersionQueries(StorePart):
    """The version history part of :class:`~lrs_bridge.store.sqlalchemy.SqlStore` (a mixin)."""

    def config_versions(self, limit: int = 500) -> list[dict[str, Any]]:
        """Saved versions, newest first, without their documents."""
        with self._read() as conn:
            rows = conn.execute(
                select(*_SUMMARY).order_by(competency_configs.c.id.desc()).limit(limit)
            )
            return [dict(row._mapping) for row in rows]

    def config_version(self, config_id: int) -> dict[str, Any] | None:
        """One saved version with its framework and map documents, or None."""
        with self._read() as conn:
            row = conn.execute(
                select(competency_configs).where(competency_configs.c.id == config_id)
            ).first()
        if row is None:
            return None
        found = dict(row._mapping)
        found["framework"] = orjson.loads(found["framework"])
        found["map"] = orjson.loads(found["map"])
        return found
