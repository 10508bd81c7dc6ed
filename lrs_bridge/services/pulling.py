"""The puller: reads an upstream's statement listing and feeds it through intake.

One pass follows the listing from the persisted cursor to its end, a page at a time: each
page is stored (one intake batch, :mod:`lrs_bridge.services.pull_intake`), then the cursor is
persisted, so a crash resumes at the page after the last committed one (a page stored but not
yet recorded is listed again, and its ids are skipped). The pass holds the upstream's pull
lease, renewed in the background while it goes on, so several schedulers pull each upstream
once. The next page is fetched while the current one is stored: the upstream's listing and
the local ingest overlap in time.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from lrs_bridge.auth import Principal, create_credential, principal_of
from lrs_bridge.services.leases import renewing
from lrs_bridge.services.pull_intake import Intake, PageIntake, Skipped
from lrs_bridge.store.base import Clock, CredentialStore
from lrs_bridge.upstream.client import (
    AttachmentPart,
    PulledPage,
    UpstreamClient,
    UpstreamRefused,
    client_for,
)
from lrs_bridge.upstream.cursor import PullCursor, advance, restart, starting_at, unseen
from lrs_bridge.upstream.model import Upstream
from lrs_bridge.xapi.timefmt import parse_timestamp_us

logger = logging.getLogger(__name__)


class PullRecords(Protocol):
    """The store side of pulling (``store/upstream_pull.py``)."""

    def claim(self, upstream_id: int, token: str, now_us: int, lease_us: int) -> bool: ...

    def lease_until(self, upstream_id: int) -> int | None: ...

    def renew(self, upstream_id: int, token: str, until_us: int) -> bool: ...

    def release(self, upstream_id: int, token: str) -> None: ...

    def cursor(self, upstream_id: int) -> PullCursor: ...

    def save_cursor(
        self,
        upstream_id: int,
        token: str,
        cursor: PullCursor,
        *,
        new_count: int,
        now_us: int,
        lease_us: int,
    ) -> bool: ...

    def record_error(self, upstream_id: int, message: str, now_us: int) -> None: ...

    def set_pull_credential(self, upstream_id: int, credential_id: int) -> int: ...


class Upstreams(Protocol):
    """Where the configured upstreams come from (``UpstreamRegistry``)."""

    def get(self, name: str) -> Upstream: ...

    def all(self) -> list[Upstream]: ...

    def forget(self) -> None:
        """Drop cached upstreams (ingest's forward targets) after a change."""
        ...


@dataclasses.dataclass(frozen=True, kw_only=True)
class PullSettings:
    batch_size: int = 500
    lease_seconds: int = 60
    overlap_seconds: int = 5
    timeout_seconds: int = 30
    #: Pages stored as one intake batch: fewer, larger transactions (each one recomputes the
    #: competency state of the learners it touches), the cursor saved after each.
    intake_pages: int = 4


class PullBusy(Exception):
    """Another puller holds the upstream's lease: this one does not pull it now."""

    def __init__(self, name: str, until_us: int | None) -> None:
        super().__init__(f"another puller holds the pull lease of upstream {name!r}")
        self.until_us = until_us


class PullLeaseLost(Exception):
    """The lease ran out while this pass was paused, and another puller may have taken it:
    the cursor is left to that one."""


@dataclasses.dataclass(kw_only=True)
class PullReport:
    """What one pass did (and, after each page, what it has done so far)."""

    upstream: str
    pages: int = 0
    listed: int = 0
    new: int = 0
    skipped: list[Skipped] = dataclasses.field(default_factory=list)
    #: The upstream ``stored`` of the last statement taken (progress of a back-fill).
    last_stored_us: int | None = None
    #: The pass ended before the listing did (asked to stop).
    stopped: bool = False
    #: Seconds spent waiting for the upstream's pages (the rest is local ingest).
    waited_s: float = 0.0


class Puller:
    """Pulls upstreams, each by one puller at a time."""

    def __init__(
        self,
        records: PullRecords,
        intake: Intake,
        credentials: CredentialStore,
        upstreams: Upstreams,
        clock: Clock,
        settings: PullSettings,
        *,
        client_factory: Callable[[Upstream], UpstreamClient] | None = None,
        spool_directory: Callable[[], Path | None] = lambda: None,
    ) -> None:
        self.records = records
        self.pages = PageIntake(intake, spool_directory)
        self.credentials = credentials
        self.upstreams = upstreams
        self.clock = clock
        self.settings = settings
        self.client_factory = client_factory or (
            lambda upstream: client_for(upstream, timeout_s=settings.timeout_seconds)
        )

    def pull_all(self) -> list[PullReport]:
        """One pass over every pulling upstream not pulled elsewhere right now (the
        scheduler's job); a failing upstream is recorded and does not stop the others."""
        reports = []
        for upstream in self.upstreams.all():
            if not upstream.pulls:
                continue
            try:
                reports.append(self.pull(upstream))
            except PullBusy:
                logger.debug("upstream %s is being pulled elsewhere", upstream.name)
            except Exception:  # noqa: BLE001 - recorded in its state, retried next tick
                logger.exception("pulling upstream %s failed", upstream.name)
        return reports

    def pull(
        self,
        upstream: Upstream,
        *,
        from_us: int | None = None,
        backfill: bool = False,
        on_page: Callable[[PullReport], None] | None = None,
        stop: threading.Event | None = None,
    ) -> PullReport:
        """One pass to the end of the listing from the persisted cursor, or from ``from_us``
        with ``backfill`` (the cursor is then reset there); raises :class:`PullBusy` when
        another puller holds the lease."""
        token = uuid.uuid4().hex
        lease_us = self.settings.lease_seconds * 1_000_000
        if not self.records.claim(upstream.id, token, self.clock(), lease_us):
            raise PullBusy(upstream.name, self.records.lease_until(upstream.id))
        report = PullReport(upstream=upstream.name)
        try:
            with self._renewing(upstream.id, token, lease_us) as lost:
                principal = self._principal(upstream)
                cursor = starting_at(from_us) if backfill else self.records.cursor(upstream.id)
                self._follow(upstream, principal, cursor, token, report, lost, on_page, stop)
        except Exception as exc:
            self.records.record_error(upstream.id, f"pull failed: {exc}", self.clock())
            raise
        finally:
            self.records.release(upstream.id, token)
        return report

    def _follow(
        self,
        upstream: Upstream,
        principal: Principal,
        cursor: PullCursor,
        token: str,
        report: PullReport,
        lost: threading.Event,
        on_page: Callable[[PullReport], None] | None,
        stop: threading.Event | None,
    ) -> None:
        lease_us = self.settings.lease_seconds * 1_000_000
        client = self.client_factory(upstream)
        # The listing is read ahead by one thread while pages are stored here: it follows
        # the ``more`` links on its own, so the upstream is asked for the next pages while
        # intake works, not only between batches (a bounded queue keeps memory flat).
        pages: queue.Queue[_Listed] = queue.Queue(maxsize=2 * self.settings.intake_pages)
        halt = threading.Event()
        with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="pull-fetch") as ahead:
            reader = ahead.submit(self._list, client, cursor, pages, halt)
            try:
                while True:
                    group = self._gather(pages, report, stop)
                    cursor, new = self._take(upstream, principal, cursor, group, report)
                    if lost.is_set() or not self.records.save_cursor(
                        upstream.id,
                        token,
                        cursor,
                        new_count=new,
                        now_us=self.clock(),
                        lease_us=lease_us,
                    ):
                        raise PullLeaseLost(f"the pull lease of {upstream.name!r} was lost")
                    if on_page is not None:
                        on_page(report)
                    if not cursor.more:
                        return
                    if stop is not None and stop.is_set():
                        report.stopped = True
                        return
            finally:
                halt.set()
                concurrent.futures.wait([reader])
                client.close()

    def _list(
        self,
        client: UpstreamClient,
        cursor: PullCursor,
        pages: queue.Queue[_Listed],
        halt: threading.Event,
    ) -> None:
        """Read the listing from ``cursor`` to its end into ``pages`` (or the error that
        stopped it), until ``halt``. ``since`` does not move inside a listing, so the cursor
        the pass started from serves to fetch every ``more`` link of it."""
        at = cursor
        try:
            while not halt.is_set():
                page, restarted = self._fetch(client, at)
                if not _offer(pages, (page, restarted), halt) or not page.more:
                    return
                at = _at(cursor, page.more)
        except Exception as exc:  # noqa: BLE001 - handed to the intake side, which raises it
            _offer(pages, exc, halt)

    def _gather(
        self, pages: queue.Queue[_Listed], report: PullReport, stop: threading.Event | None
    ) -> list[tuple[PulledPage, bool]]:
        """The pages of one intake batch: ``intake_pages`` of them, or to the end of the
        listing, or fewer when asked to stop."""
        group: list[tuple[PulledPage, bool]] = []
        while True:
            waiting = time.perf_counter()
            listed = pages.get()
            report.waited_s += time.perf_counter() - waiting
            if isinstance(listed, Exception):
                raise listed
            page, _restarted = listed
            group.append(listed)
            if (
                not page.more
                or (stop is not None and stop.is_set())
                or len(group) >= self.settings.intake_pages
            ):
                return group

    def _take(
        self,
        upstream: Upstream,
        principal: Principal,
        cursor: PullCursor,
        group: list[tuple[PulledPage, bool]],
        report: PullReport,
    ) -> tuple[PullCursor, int]:
        """Store the statements of ``group`` the cursor has not taken, in one intake batch;
        the cursor after the group, and how many were new."""
        overlap_us = self.settings.overlap_seconds * 1_000_000
        fresh: list[dict[str, Any]] = []
        parts: dict[str, AttachmentPart] = {}
        taken: set[str] = set()
        for page, restarted in group:
            if restarted:
                cursor = restart(cursor)
            # Read before intake, which drops each statement's upstream ``stored``.
            pairs = _stored_pairs(page)
            ids = [str(statement.get("id") or "").lower() for statement in page.statements]
            for n in unseen(cursor, ids):
                if not ids[n] or ids[n] not in taken:
                    taken.add(ids[n])
                    fresh.append(page.statements[n])
            parts.update(page.attachments)
            cursor = advance(
                cursor,
                pairs,
                more=page.more,
                consistent_through_us=page.consistent_through_us,
                overlap_us=overlap_us,
            )
            report.pages += 1
            report.listed += len(page.statements)
            if pairs:
                report.last_stored_us = max(at for _, at in pairs)
        outcome = self.pages.store(
            fresh, principal=principal, version=upstream.version, parts=parts
        )
        report.new += outcome.new
        report.skipped.extend(outcome.skipped)
        if outcome.skipped:
            message = f"skipped {len(outcome.skipped)} statement(s): " + "; ".join(
                f"{item.id}: {item.reason}" for item in outcome.skipped[:20]
            )
            logger.warning("pulling upstream %s: %s", upstream.name, message)
            self.records.record_error(upstream.id, message, self.clock())
        return cursor, outcome.new

    def _fetch(self, client: UpstreamClient, cursor: PullCursor) -> tuple[PulledPage, bool]:
        """The page at the cursor; an expired or refused ``more`` lists again from ``since``."""
        limit = self.settings.batch_size
        if cursor.more:
            try:
                return client.fetch(
                    since_us=cursor.since_us, more=cursor.more, limit=limit, attachments=True
                ), False
            except UpstreamRefused as exc:
                logger.warning("a more link was refused (%s); listing again from since", exc)
        page = client.fetch(since_us=cursor.since_us, more="", limit=limit, attachments=True)
        return page, bool(cursor.more)

    def _principal(self, upstream: Upstream) -> Principal:
        """The upstream's pull credential, created on its first pull (a random secret that
        nobody sees: it only ever acts from inside this process)."""
        record = (
            self.credentials.credential_by_id(upstream.pull_credential_id)
            if upstream.pull_credential_id is not None
            else None
        )
        if record is None:
            record, _secret = create_credential(
                self.credentials,
                name=f"upstream:{upstream.name}",
                scopes="statements/write",
                now_us=self.clock(),
                evidence="trusted",
            )
            held = self.records.set_pull_credential(upstream.id, record.id)
            if held != record.id:
                record = self.credentials.credential_by_id(held) or record
            # Ingest decides forward targets from the cached registry: it must know the new
            # credential before the first pulled page, or that page travels back upstream.
            self.upstreams.forget()
        return principal_of(record)

    def _renewing(
        self, upstream_id: int, token: str, lease_us: int
    ) -> contextlib.AbstractContextManager[threading.Event]:
        """Extend the lease every third of its length while the block runs; the event is
        set if it was lost."""
        return renewing(
            lambda: self.records.renew(upstream_id, token, self.clock() + lease_us),
            lease_us=lease_us,
            name=f"pull-lease-{upstream_id}",
            what=f"pulling from upstream {upstream_id}",
        )


#: What the reading thread hands over: a page (and whether its listing restarted from
#: ``since``), or the error that ended the listing.
_Listed = tuple[PulledPage, bool] | Exception


def _offer(pages: queue.Queue[_Listed], item: _Listed, halt: threading.Event) -> bool:
    """Put ``item`` when there is room, unless told to halt first; whether it went in."""
    while not halt.is_set():
        try:
            pages.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _at(cursor: PullCursor, more: str) -> PullCursor:
    return dataclasses.replace(cursor, more=more)


def _stored_pairs(page: PulledPage) -> list[tuple[str, int]]:
    """``(id, stored_us)`` of the page's statements that say when they were stored."""
    pairs = []
    for statement in page.statements:
        statement_id = statement.get("id")
        stored = statement.get("stored")
        at = parse_timestamp_us(stored) if isinstance(stored, str) else None
        if statement_id and at is not None:
            pairs.append((str(statement_id).lower(), at))
    return pairs
