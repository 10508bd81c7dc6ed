"""Readiness: whether this process can serve, which means whether the database answers."""

from __future__ import annotations

from typing import Protocol


class Pingable(Protocol):
    """A store that can answer a trivial query."""

    def ping(self) -> None: ...


class Health:
    """``/readyz``'s check; the store raises ``StoreUnavailable`` when it cannot answer."""

    def __init__(self, store: Pingable) -> None:
        self.store = store

    def check(self) -> None:
        """Raise ``StoreUnavailable`` unless the database answers."""
        self.store.ping()
