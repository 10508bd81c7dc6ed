"""Refresher scan throughput: ``RefresherService.scan`` over a large learner population.

Issue target: a scan over 100,000 learners x 12 competencies with 5% of the pairs due
creates the assignments and enqueues their notifications in <= 10 s, on SQLite and on
PostgreSQL; a second scan right after, with nothing new due, takes <= 1 s.

The database is seeded directly with bulk SQL (``executemany`` on SQLite, ``COPY`` on
PostgreSQL), not through the HTTP API: learners and their IFIs, one ``competency_state``
row per learner x competency, and for every due pair the statement and evidence row that
made it (so the scan's "why" explanation and its method choice have something to read).
The scan then runs in this process through the runtime the app builds
(``build_runtime``), timed around the ``scan`` call only. Nothing is delivered: the
notifications stay in the outbox, so no SMTP or webhook server is needed.
"""

from __future__ import annotations

import datetime
import random
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from bulk import fill, statement_row
from server import BenchError, fresh_database
from sqlalchemy import text

from lrs_bridge.config import load_settings
from lrs_bridge.runtime import build_runtime
from lrs_bridge.services.competencies import load_engine
from lrs_bridge.services.refreshers import ScanReport
from lrs_bridge.store.engine import make_engine
from lrs_bridge.xapi.timefmt import format_timestamp_us

FIRST_SCAN_TARGET_S = 10.0
SECOND_SCAN_TARGET_S = 1.0
#: The scale the targets are stated for; smaller runs (``--quick``) are informational.
TARGET_LEARNERS = 100_000
COMPETENCIES = 12
DUE_SHARE = 0.05
#: The scan's moment: fixed, so the due / not-due split does not depend on the day.
AT_US = int(datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC).timestamp()) * 1_000_000
SECOND_SCAN_AFTER_US = 60_000_000
DAY_US = 86_400 * 1_000_000
#: Due pairs go stale between 30 days before and 3 days after the scan: within every
#: shipped policy's lead time (quarterly 14 days, monthly 7). The rest between 20 and 80
#: days after it: beyond every lead time, so not due.
DUE_FROM_US, DUE_TO_US = AT_US - 30 * DAY_US, AT_US + 3 * DAY_US
LATER_FROM_US, LATER_TO_US = AT_US + 20 * DAY_US, AT_US + 80 * DAY_US
VALIDITY_US = 90 * DAY_US
LANGUAGES = ("en", "nb", "fi", "nl")

Row = tuple[Any, ...]
Log = Callable[[str], None]


def competency_ids(count: int = COMPETENCIES) -> list[str]:
    """The first ``count`` framework competencies that have refreshers in the catalogue."""
    engine = load_engine("", "")
    chosen = [
        c.id for c in engine.framework.competencies if engine.map.refreshers.for_competency(c.id)
    ][:count]
    if len(chosen) < count:
        raise BenchError(f"only {len(chosen)} competencies with refreshers, need {count}")
    return chosen


class Population:
    """The seeded rows, generated deterministically from the seed."""

    def __init__(self, learners: int, competencies: Sequence[str], seed: int) -> None:
        rng = random.Random(seed)
        pairs = learners * len(competencies)
        due = set(rng.sample(range(pairs), round(pairs * DUE_SHARE)))
        self.learner_rows: list[Row] = []
        self.ifi_rows: list[Row] = []
        self.state_rows: list[Row] = []
        self.statement_rows: list[Row] = []
        self.evidence_rows: list[Row] = []
        created = AT_US - 400 * DAY_US
        for n in range(1, learners + 1):
            email = f"learner{n}@example.com"
            self.learner_rows.append(
                (n, f"Learner {n}", email, f"team-{n % 500}", None, LANGUAGES[n % 4], created)
            )
            self.ifi_rows.append((f"mbox:mailto:{email}", n))
            for k, competency in enumerate(competencies):
                is_due = (n - 1) * len(competencies) + k in due
                if is_due:
                    stale_at = rng.randrange(DUE_FROM_US, DUE_TO_US + 1)
                    if AT_US < stale_at <= AT_US + SECOND_SCAN_AFTER_US:
                        # Due (and first reminded) between the scans: the second scan would
                        # rightly send that reminder; keep it a scan with nothing new.
                        stale_at += SECOND_SCAN_AFTER_US
                else:
                    stale_at = rng.randrange(LATER_FROM_US, LATER_TO_US + 1)
                last = stale_at - VALIDITY_US
                self.state_rows.append((n, competency, 0.5, last, stale_at, 1, None, last))
                if is_due:
                    self._evidence(rng, n, email, k, competency, last)
        self.due_pairs = len(due)
        self.learners = learners

    def _evidence(
        self, rng: random.Random, learner: int, email: str, k: int, competency: str, at: int
    ) -> None:
        seq = len(self.statement_rows) + 1
        statement_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        activity = f"https://lms.example.com/course/{k}"
        self.statement_rows.append(statement_row(seq, statement_id, email, activity, at))
        self.evidence_rows.append(
            (seq, learner, competency, "direct", "digital-self-study", 0.15, 1.0, at)
        )

    def tables(self) -> list[tuple[str, list[Row]]]:
        """``(table, rows)`` in foreign-key order (columns: ``bulk.COLUMNS``)."""
        return [
            ("learners", self.learner_rows),
            ("learner_ifis", self.ifi_rows),
            ("statements", self.statement_rows),
            ("evidence", self.evidence_rows),
            ("competency_state", self.state_rows),
        ]


def seed(url: str, kind: str, population: Population) -> float:
    """Migrate, then bulk-insert the population; seconds spent inserting."""
    return fill(url, kind, population.tables())


def count_rows(url: str) -> dict[str, int]:
    """What the scans left behind."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
                for table in (
                    "refresher_assignments",
                    "assignment_events",
                    "notifications",
                    "notification_assignments",
                )
            }
    finally:
        engine.dispose()


def _scan_figures(report: ScanReport, seconds: float) -> dict[str, Any]:
    return {
        "seconds": round(seconds, 3),
        "candidates": report.candidates,
        "created": len(report.created),
        "deferred": report.deferred,
        "no_refresher": report.no_refresher,
        "skipped": report.skipped,
        "notifications": report.notifications,
        "reminded": len(report.reminded),
        "escalated": len(report.escalated),
    }


def _measure(url: str, log: Log) -> tuple[dict[str, Any], dict[str, Any]]:
    settings = load_settings(
        {
            "database_url": url,
            "smtp_url": "smtp://127.0.0.1:1025",
            "webhook_urls": "http://127.0.0.1:9/hook",
            "webhook_secret": "bench-secret",
        },
        environ={},
    )
    runtime = build_runtime(settings)
    try:
        service = runtime.refreshers
        if service is None:
            raise BenchError("the competency engine is off: no refresher service")
        started = time.perf_counter()
        first = service.scan(AT_US)
        first_seconds = time.perf_counter() - started
        log(
            f"  first scan {first_seconds:.2f}s: {len(first.created):,} created, "
            f"{first.deferred:,} deferred, {first.notifications:,} notifications"
        )
        started = time.perf_counter()
        second = service.scan(AT_US + SECOND_SCAN_AFTER_US)
        second_seconds = time.perf_counter() - started
        log(f"  second scan {second_seconds:.3f}s: {len(second.created):,} created")
        return _scan_figures(first, first_seconds), _scan_figures(second, second_seconds)
    finally:
        runtime.close()


def refresher_run(kind: str, learners: int, seed_value: int, log: Log) -> dict[str, Any]:
    """Seed a fresh database of ``kind`` and time the two scans."""
    competencies = competency_ids()
    started = time.perf_counter()
    population = Population(learners, competencies, seed_value)
    generate_seconds = time.perf_counter() - started
    log(
        f"{kind}: refreshers: {learners:,} learners x {len(competencies)} competencies, "
        f"{population.due_pairs:,} due pairs (generated in {generate_seconds:.1f}s)"
    )
    try:
        with fresh_database(kind) as url:
            seed_seconds = seed(url, kind, population)
            log(f"{kind}: refreshers: seeded in {seed_seconds:.1f}s; scanning")
            first, second = _measure(url, log)
            rows = count_rows(url)
    except BenchError:
        raise
    except Exception as exc:  # noqa: BLE001 - reported as this database's failure
        raise BenchError(f"refresher scan failed: {exc}\n{traceback.format_exc()[-1500:]}") from exc
    notes = []
    if first["candidates"] != population.due_pairs:
        notes.append(
            f"first scan saw {first['candidates']:,} of {population.due_pairs:,} due pairs"
        )
    accounted = first["created"] + first["deferred"] + first["no_refresher"] + first["skipped"]
    if accounted != first["candidates"]:
        notes.append(f"first scan: {accounted:,} decided of {first['candidates']:,} candidates")
    if second["created"] or second["notifications"] or second["reminded"]:
        notes.append(
            f"second scan created {second['created']:,}, reminded {second['reminded']:,} and "
            f"queued {second['notifications']:,} (expected nothing new)"
        )
    if rows["refresher_assignments"] != first["created"]:
        notes.append(
            f"{rows['refresher_assignments']:,} assignment rows != {first['created']:,} created"
        )
    return {
        "database": kind,
        "learners": learners,
        "competencies": len(competencies),
        "state_rows": len(population.state_rows),
        "due_pairs": population.due_pairs,
        "at": format_timestamp_us(AT_US),
        "generate_seconds": round(generate_seconds, 1),
        "seed_seconds": round(seed_seconds, 1),
        "first_scan": first,
        "second_scan": second,
        "rows": rows,
        "notes": notes,
    }
