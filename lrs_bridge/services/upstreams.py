"""The upstream registry as use cases: add, list, remove, and the forwarding targets that
ingest consults for every batch (cached briefly, so a change reaches every process within
``CACHE_SECONDS`` without a database read per request)."""

from __future__ import annotations

import threading
import time
from typing import Protocol

from lrs_bridge.errors import NotFound
from lrs_bridge.store.base import Clock
from lrs_bridge.upstream.model import Upstream

#: How long a process keeps the list of upstreams before reading it again.
CACHE_SECONDS = 2.0


class UpstreamRecords(Protocol):
    """The store side of the registry (``store/upstreams.py``)."""

    def add(self, upstream: Upstream, now_us: int) -> Upstream: ...

    def by_name(self, name: str) -> Upstream | None: ...

    def all(self) -> list[Upstream]: ...

    def remove(self, name: str) -> bool: ...


class UpstreamRegistry:
    """Upstreams by name, and the cached list ingest forwards to."""

    def __init__(self, records: UpstreamRecords, clock: Clock) -> None:
        self.records = records
        self.clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, list[Upstream]] | None = None

    def add(self, upstream: Upstream) -> Upstream:
        added = self.records.add(upstream, self.clock())
        self.forget()
        return added

    def get(self, name: str) -> Upstream:
        found = self.records.by_name(name)
        if found is None:
            raise NotFound(f"no upstream named {name!r}")
        return found

    def all(self) -> list[Upstream]:
        return self.records.all()

    def remove(self, name: str) -> None:
        if not self.records.remove(name):
            raise NotFound(f"no upstream named {name!r}")
        self.forget()

    def forward_targets(self) -> list[Upstream]:
        """The enabled upstreams statements are forwarded to (cached ``CACHE_SECONDS``)."""
        with self._lock:
            now = time.monotonic()
            if self._cached is None or now - self._cached[0] > CACHE_SECONDS:
                self._cached = (now, [u for u in self.records.all() if u.forwards])
            return self._cached[1]

    def forget(self) -> None:
        """Drop the cache (this process changed the registry)."""
        with self._lock:
            self._cached = None
