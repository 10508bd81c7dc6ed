"""The upstream registry as use cases: add, change, enable, remove, the configuration file's
``[[upstreams]]`` kept in step, and the forwarding targets that ingest consults for every
batch (cached briefly, so a change reaches every process within ``CACHE_SECONDS`` without a
database read per request)."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from lrs_bridge.errors import BadRequest, Conflict, NotFound
from lrs_bridge.store.base import Clock
from lrs_bridge.upstream.model import Upstream
from lrs_bridge.upstream.schema import UpstreamChangeSchema, UpstreamSchema

log = logging.getLogger(__name__)

#: How long a process keeps the list of upstreams before reading it again.
CACHE_SECONDS = 2.0
#: Fields of the configuration file that are compared to decide whether an upstream changed.
_FILE_FIELDS = (
    "endpoint",
    "key",
    "secret",
    "version",
    "direction",
    "verbs",
    "activity_prefixes",
    "platforms",
    "credentials",
    "enabled",
)


class UpstreamRecords(Protocol):
    """The store side of the registry (``store/upstreams.py``)."""

    def add(self, upstream: Upstream, now_us: int) -> Upstream: ...

    def change(self, name: str, changes: Mapping[str, Any], now_us: int) -> Upstream | None: ...

    def by_name(self, name: str) -> Upstream | None: ...

    def all(self) -> list[Upstream]: ...

    def queued(self, name: str) -> int: ...

    def remove(self, name: str) -> bool: ...


class CredentialKeys(Protocol):
    """Whether a credential key exists (the filters name credentials by key)."""

    def credential_by_key(self, key: str) -> object | None: ...


@dataclasses.dataclass(frozen=True, kw_only=True)
class SyncResult:
    """What synchronising the configuration file did, by upstream name."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def public_upstream(upstream: Upstream) -> dict[str, Any]:
    """An upstream as the API, CLI and console show it: never the secret."""
    return {
        "name": upstream.name,
        "endpoint": upstream.endpoint,
        "key": upstream.key,
        "secret_set": bool(upstream.secret),
        "version": upstream.version,
        "direction": upstream.direction,
        "verbs": list(upstream.verbs),
        "activity_prefixes": list(upstream.activity_prefixes),
        "platforms": list(upstream.platforms),
        "credentials": list(upstream.credentials),
        "enabled": upstream.enabled,
        "source": upstream.source,
    }


class UpstreamRegistry:
    """Upstreams by name, and the cached list ingest forwards to."""

    def __init__(
        self,
        records: UpstreamRecords,
        clock: Clock,
        credentials: CredentialKeys | None = None,
        config_file: str = "",
    ) -> None:
        self.records = records
        self.clock = clock
        self.credentials = credentials
        #: Named in the 409 refusing to change an upstream that comes from the file.
        self.config_file = config_file or "lrs-bridge.toml"
        self._lock = threading.Lock()
        self._cached: tuple[float, list[Upstream]] | None = None

    def add(self, upstream: Upstream) -> Upstream:
        """Add a built upstream (a used name is a 409)."""
        self._check_credentials(upstream.credentials)
        added = self.records.add(upstream, self.clock())
        self.forget()
        return added

    def create(self, body: Mapping[str, Any]) -> Upstream:
        """Validate a request body (400 naming the field) and add it, source ``api``."""
        values = UpstreamSchema().load(body)
        return self.add(Upstream(id=0, source="api", **values))

    def get(self, name: str) -> Upstream:
        found = self.records.by_name(name)
        if found is None:
            raise NotFound(f"no upstream named {name!r}")
        return found

    def all(self) -> list[Upstream]:
        return self.records.all()

    def change(self, name: str, body: Mapping[str, Any]) -> Upstream:
        """PATCH: the given fields change, the others stay; 409 for a file's upstream."""
        changes = UpstreamChangeSchema().load(body)
        self._editable(name)
        self._check_credentials(changes.get("credentials", ()))
        changed = self.records.change(name, changes, self.clock())
        if changed is None:
            raise NotFound(f"no upstream named {name!r}")
        self.forget()
        return changed

    def set_enabled(self, name: str, enabled: bool) -> Upstream:
        """Pause or resume forwarding and pulling (what is queued stays queued)."""
        return self.change(name, {"enabled": enabled})

    def remove(self, name: str) -> None:
        """Delete it with its outbox rows; 409 for an upstream of the configuration file."""
        self._editable(name)
        self._remove(name)

    def _remove(self, name: str) -> None:
        dropped = self.records.queued(name)
        if not self.records.remove(name):
            raise NotFound(f"no upstream named {name!r}")
        if dropped:
            log.warning(
                "upstream removed with undelivered statements",
                extra={"upstream": name, "dropped": dropped},
            )
        self.forget()

    def _editable(self, name: str) -> None:
        if self.get(name).source == "config":
            raise Conflict(
                f"upstream {name!r} comes from the configuration file {self.config_file}; "
                "change or remove it there",
                file=self.config_file,
            )

    def _check_credentials(self, keys: Sequence[str]) -> None:
        if self.credentials is None:
            return
        for key in keys:
            if self.credentials.credential_by_key(key) is None:
                raise BadRequest(
                    f"credentials: no credential with key {key!r}", field="credentials"
                )

    def sync_config(self, entries: Sequence[Mapping[str, Any]]) -> SyncResult:
        """Make the ``config`` upstreams what the file says: add, update, and remove those
        gone from it (their outbox rows go with them). An ``api`` upstream of the same name
        is taken over by the file."""
        wanted = {entry["name"]: entry for entry in entries}
        current = {upstream.name: upstream for upstream in self.records.all()}
        added, updated, removed = [], [], []
        now = self.clock()
        for name, entry in wanted.items():
            values = {field: entry[field] for field in _FILE_FIELDS if field in entry}
            self._check_credentials(values.get("credentials", ()))
            found = current.get(name)
            if found is None:
                try:
                    self.records.add(Upstream(id=0, name=name, source="config", **values), now)
                    added.append(name)
                    continue
                except Conflict:
                    # Another process starting at the same moment added it first.
                    found = self.get(name)
            changes = {k: v for k, v in values.items() if getattr(found, k) != v}
            changes |= {
                f: ()
                for f in ("verbs", "activity_prefixes", "platforms", "credentials")
                if f not in values and getattr(found, f)
            }
            if found.source != "config":
                changes["source"] = "config"
            if changes:
                self.records.change(name, changes, now)
                updated.append(name)
        for name, upstream in current.items():
            if upstream.source == "config" and name not in wanted:
                with contextlib.suppress(NotFound):  # or another process removed it first
                    self._remove(name)
                    removed.append(name)
        self.forget()
        result = SyncResult(added=tuple(added), updated=tuple(updated), removed=tuple(removed))
        if added or updated or removed:
            log.info("upstreams synchronised from the configuration file", extra=vars(result))
        return result

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
