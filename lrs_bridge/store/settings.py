"""Console settings: one JSON document per key (``branding``), read by every process.

A setting is small and changes rarely; it is written whole (an upsert), so two admins saving
at once leave one of the two complete documents, never a mix.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lrs_bridge.store.tables import console_settings
from lrs_bridge.store.transactions import EngineTransactions


@dataclasses.dataclass(frozen=True, kw_only=True)
class StoredSetting:
    """A setting's document and who saved it when."""

    key: str
    value: dict[str, Any]
    updated_us: int
    updated_by: str


class SqlSettingsStore(EngineTransactions):
    """``console_settings`` over an engine it is given (and does not own)."""

    def get(self, key: str) -> StoredSetting | None:
        """The setting ``key``, or None when it was never saved."""
        with self._read() as conn:
            row = conn.execute(
                select(console_settings).where(console_settings.c.key == key)
            ).first()
        if row is None:
            return None
        return StoredSetting(
            key=row.key,
            value=orjson.loads(row.value),
            updated_us=row.updated_us,
            updated_by=row.updated_by,
        )

    def put(self, key: str, value: dict[str, Any], *, at_us: int, by: str) -> None:
        """Save ``value`` as the whole of setting ``key``."""
        document = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        values = {"value": document, "updated_us": at_us, "updated_by": by}
        with self._write() as conn:
            conn.execute(
                insert(console_settings)
                .values(key=key, **values)
                .on_conflict_do_update(index_elements=["key"], set_=values)
            )
