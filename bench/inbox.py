"""The activity inbox at scale: the usage job over N stored statements, then the server time
of the console pages that read it.

    python bench/inbox.py [--statements 1000000] [--database sqlite|postgresql]
                          [--extra-activities 50000]

Statements go straight through ``SqlStore.add_statements`` (as the replay bench fills its
database). The ``activity-usage`` job then counts them all from seq 0 (what a rebuild after
an erasure costs), the flags are recounted from the ledger (what a replayed configuration
change costs), and ``--extra-activities`` synthetic unmapped activities are added to the
summary, so the inbox pages over many rows. Page times are the median of 20 requests
through the Flask test client (server time, no network).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from replay import store_statements
from server import REPO, postgres_unreachable

sys.path.insert(0, str(REPO))

from sqlalchemy import insert, text  # noqa: E402

from lrs_bridge import create_app  # noqa: E402
from lrs_bridge.services.inbox import UsageTracker  # noqa: E402
from lrs_bridge.store.activity_usage import ActivityUsageStore  # noqa: E402
from lrs_bridge.store.tables import activity_usage  # noqa: E402
from lrs_bridge.xapi.timefmt import now_us  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median_ms(client: object, path: str, runs: int = 20) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = client.get(path)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    return round(statistics.median(times), 1)


def fresh_postgres() -> str:
    from sqlalchemy import create_engine

    name = f"bench_inbox_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--extra-activities", type=int, default=50_000)
    parser.add_argument(
        "--reuse", metavar="URL", help="a database this bench filled before: time the pages only"
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-inbox-"))
    if args.reuse:
        url = args.reuse
    elif args.database == "sqlite":
        url = f"sqlite:///{workdir / 'lrs.sqlite3'}"
    else:
        reason = postgres_unreachable()
        if reason:
            log(reason)
            return 2
        url = fresh_postgres()
    if not args.reuse:
        log(f"storing {args.statements:,} statements in {url}")
        stored = store_statements(url, args.statements, 20240108, log)
        log(f"stored in {stored['store_seconds']} s")

    app = create_app({"database_url": url, "access_log": False})
    runtime = app.extensions["lrs_bridge"]
    usage = ActivityUsageStore(runtime.engine)
    tracker = UsageTracker(usage, runtime.store, now_us)
    started = time.monotonic()
    counted = tracker.run() or usage.cursor().through_seq
    job_s = time.monotonic() - started
    log(f"usage job: {counted:,} statements in {job_s:.1f} s ({counted / job_s:,.0f}/s)")
    cursor = usage.cursor()
    started = time.monotonic()
    usage.recompute_flags(cursor, cursor.flags_version + 1000, now_us())
    flags_s = time.monotonic() - started
    with runtime.engine.begin() as conn:
        real = conn.execute(text("SELECT count(*) FROM activity_usage")).scalar()
    with runtime.engine.begin() as conn:
        if args.reuse:
            args.extra_activities = 0  # already added by the run that filled it
            real = "(reused)"
        conn.execute(
            insert(activity_usage),
            [
                {
                    "activity_id": f"https://bench.example/extra/{n}",
                    "statements": 1 + n % 997,
                    "learners": 1 + n % 113,
                    "evidence_statements": 0,
                    "last_us": now_us(),
                    "example_id": str(uuid.uuid4()),
                    "name": '{"en": "Extra"}',
                    "type": None,
                    "verbs": '["http://id.tincanapi.com/verb/viewed"]',
                    "platforms": '["Moodle"]',
                }
                for n in range(args.extra_activities)
            ],
        ) if args.extra_activities else None
    client = app.test_client()
    with client.session_transaction("/console/") as session:
        session["viewer"] = {"kind": "admin", "email": "bench@example.com", "name": "Bench"}
        session["seen_us"] = now_us() + 3600 * 10**6
    pages = {
        "inbox page 1": "/console/activities/unmapped",
        "inbox page 500": "/console/activities/unmapped?page=500",
        "statements (no filter)": "/console/statements",
        "statements by verb": "/console/statements?verb=http://adlnet.gov/expapi/verbs/completed",
    }
    print(f"database: {args.database}; statements: {counted:,}")
    print(f"activities in the summary: {real} (+{args.extra_activities:,} synthetic unmapped)")
    if not args.reuse:
        print(f"usage job from seq 0: {job_s:.1f} s ({counted / job_s:,.0f} statements/s)")
    print(f"flags recount from the ledger: {flags_s:.2f} s")
    for label, path in pages.items():
        print(f"{label}: median {median_ms(client, path)} ms server time")
    runtime.close()
    if args.database == "postgresql" and not args.reuse:
        from sqlalchemy import create_engine

        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
