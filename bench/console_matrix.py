"""Console team matrix: server time of ``GET /console/teams/<team>`` at 500 × 17.

Issue 10 target: at most 300 ms for a team of 500 learners × 17 competencies over 1M stored
statements, on SQLite and PostgreSQL. The database is filled with bulk SQL (``executemany``
on SQLite, ``COPY`` on PostgreSQL), streamed in chunks so a million statements never sit in
memory: the learners and their IFIs, the statements (each by one of the learners), an
evidence row behind every stored state, and ``competency_state`` rows relative to the wall
clock (the server's "now") so every status occurs: about 20% of the pairs were never
trained, the rest are spread over fresh, due soon and stale.

Every measured request goes through HTTP to a real ``lrs-bridge serve`` process (two
gunicorn workers), with a console admin's session cookie. Two times are reported: the
server's, from the page's ``Server-Timing`` header (the view from its first to its last
step: the target, with the worker's CPU time for it, which other processes' load on a
shared machine does not inflate), and the client's wall time per request over loopback, reading the
whole page (an upper bound that also carries the load generator's share of the CPUs).
"""

from __future__ import annotations

import logging
import os
import random
import re
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from bulk import Row, fill, statement_row
from server import BenchError, Server, fresh_database
from sqlalchemy import text

from lrs_bridge import create_app
from lrs_bridge.console.session import ConsoleSessionInterface
from lrs_bridge.console.viewer import Viewer
from lrs_bridge.services.competencies import load_engine
from lrs_bridge.store.engine import make_engine

TARGET_MS = 300.0
TEAM = "bench-desk"
LEARNERS = 500
STATEMENTS = 1_000_000
REQUESTS = 40
WARMUP_REQUESTS = 3
WORKERS = 2
DAY_US = 86_400 * 1_000_000
_SERVER_TIMING = re.compile(r"\bapp;dur=([\d.]+), cpu;dur=([\d.]+)")
ADMIN_EMAIL = "bench-admin@example.com"

Log = Callable[[str], None]


class Filler:
    """The rows of the matrix bench, generated on the fly from a seed and a moment."""

    def __init__(self, learners: int, statements: int, seed: int, now_us: int) -> None:
        self.learners = learners
        self.statements = statements
        self.seed = seed
        self.now_us = now_us
        self.competencies = [c.id for c in load_engine("", "").framework.competencies]
        if statements < learners * (len(self.competencies) + 1):
            raise BenchError("too few statements for an evidence row behind every state")
        self.state_rows = self._states()

    def _states(self) -> list[Row]:
        rng = random.Random(self.seed)
        rows = []
        for n in range(1, self.learners + 1):
            for competency in self.competencies:
                draw = rng.random()
                if draw < 0.2:
                    continue  # never trained
                if draw < 0.55:
                    stale_at = self.now_us + rng.randrange(20, 80) * DAY_US  # fresh
                elif draw < 0.7:
                    stale_at = self.now_us + rng.randrange(1, 6) * DAY_US  # due soon
                else:
                    stale_at = self.now_us - rng.randrange(1, 200) * DAY_US  # stale
                last = stale_at - 90 * DAY_US
                rows.append((n, competency, round(rng.random(), 4), last, stale_at, 1, None, last))
        return rows

    def learner_rows(self) -> Iterator[Row]:
        created = self.now_us - 400 * DAY_US
        for n in range(1, self.learners + 1):
            email = f"learner{n}@example.com"
            yield (n, f"Learner {n:04d}", email, TEAM, None, "en", created)

    def ifi_rows(self) -> Iterator[Row]:
        for n in range(1, self.learners + 1):
            yield (f"mbox:mailto:learner{n}@example.com", n)

    def statement_rows(self) -> Iterator[Row]:
        rng = random.Random(self.seed + 1)
        start = self.now_us - 365 * DAY_US
        step = max(1, (365 * DAY_US) // self.statements)
        for seq in range(1, self.statements + 1):
            learner = seq % self.learners + 1
            at = start + seq * step
            statement_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            activity = f"https://lms.example.com/course/{seq % 300}"
            email = f"learner{learner}@example.com"
            yield statement_row(seq, statement_id, email, activity, at)

    def evidence_rows(self) -> Iterator[Row]:
        """One evidence row behind each stored state, pointing at a statement by the same
        learner (statement ``seq`` is by learner ``seq % learners + 1``)."""
        index = {competency: k for k, competency in enumerate(self.competencies)}
        for state in self.state_rows:
            learner, competency, last = state[0], state[1], state[3]
            seq = learner - 1 + self.learners * (index[competency] + 1)
            yield (seq, learner, competency, "direct", "digital-self-study", 0.15, 1.0, last)

    def tables(self) -> list[tuple[str, Iterable[Row]]]:
        """``(table, rows)`` in foreign-key order (columns: ``bulk.COLUMNS``)."""
        return [
            ("learners", self.learner_rows()),
            ("learner_ifis", self.ifi_rows()),
            ("statements", self.statement_rows()),
            ("evidence", self.evidence_rows()),
            ("competency_state", self.state_rows),
        ]


def _count(url: str, table: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


class Browser:
    """An HTTP client carrying a console admin's session cookie.

    The cookie is signed with the database's instance key, exactly as the sign-in page
    would sign it (the tests' ``session_cookie`` does the same for Playwright); signing in
    is not what this bench measures.
    """

    def __init__(self, port: int, url: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        app = create_app({"database_url": url, "access_log": False})
        try:
            interface = app.session_interface
            if not isinstance(interface, ConsoleSessionInterface):
                raise BenchError("the app has no console session interface")
            serializer = interface.get_signing_serializer(app)
            if serializer is None:
                raise BenchError("no session serializer")
            viewer = Viewer(kind="admin", email=ADMIN_EMAIL, name="Bench admin")
            value = serializer.dumps(
                {"viewer": viewer.to_session(), "seen_us": time.time_ns() // 1000}
            )
            self.cookie = f"{app.config['SESSION_COOKIE_NAME']}={value}"
        finally:
            app.extensions["lrs_bridge"].close()
            # create_app set up the service's JSON logging in this process; keep the later
            # databases' migrations from flooding the bench's progress output.
            logging.getLogger("alembic").setLevel(logging.WARNING)

    def get(self, path: str) -> tuple[int, bytes, tuple[float, float] | None]:
        """Status, body and the page's own ``Server-Timing`` wall and CPU times (ms)."""
        request = urllib.request.Request(self.base + path, headers={"Cookie": self.cookie})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read(), _app_ms(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), None


def _app_ms(headers: Any) -> tuple[float, float] | None:
    found = _SERVER_TIMING.search(headers.get("Server-Timing") or "")
    return (float(found.group(1)), float(found.group(2))) if found else None


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(url: str, workdir: Path, log: Log, requests: int = REQUESTS) -> dict[str, Any]:
    """Sign in as an admin and time ``requests`` GETs of the team's matrix."""
    server = Server(url, WORKERS, workdir)
    try:
        browser = Browser(server.port, url)
        status, _, _ = browser.get("/console/teams")
        if status != 200:
            raise BenchError(f"the admin's session was refused: /console/teams answered {status}")
        path = f"/console/teams/{urllib.parse.quote(TEAM)}"
        for _ in range(WARMUP_REQUESTS):
            browser.get(path)
        times: list[float] = []
        app_times: list[float] = []
        cpu_times: list[float] = []
        body = b""
        for _ in range(requests):
            started = time.perf_counter()
            status, body, app_ms = browser.get(path)
            times.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise BenchError(f"{path} answered {status}")
            if app_ms is not None:
                app_times.append(app_ms[0])
                cpu_times.append(app_ms[1])
        cells = body.count(b"data-status=")
    finally:
        server.stop()
    if len(app_times) != requests:
        raise BenchError("the matrix page sent no Server-Timing header")
    log(
        f"  matrix wall p50 {_percentile(times, 0.5):.1f} ms, p99 {_percentile(times, 0.99):.1f}"
        f" ms; app p50 {_percentile(app_times, 0.5):.1f} ms, "
        f"p99 {_percentile(app_times, 0.99):.1f} ms; cpu p50 {_percentile(cpu_times, 0.5):.1f} ms"
    )
    return {
        "requests": requests,
        #: The machine's 1-minute load average after measuring (other processes share it).
        "load_average": round(os.getloadavg()[0], 2),
        "app_p50_ms": round(_percentile(app_times, 0.5), 1),
        "app_p99_ms": round(_percentile(app_times, 0.99), 1),
        "cpu_p50_ms": round(_percentile(cpu_times, 0.5), 1),
        "cpu_p99_ms": round(_percentile(cpu_times, 0.99), 1),
        "p50_ms": round(_percentile(times, 0.5), 1),
        "p99_ms": round(_percentile(times, 0.99), 1),
        "mean_ms": round(statistics.fmean(times), 1),
        "cells": cells,
        "page_bytes": len(body),
    }


def console_matrix_run(
    kind: str, seed: int, workdir: Path, log: Log, statements: int = STATEMENTS
) -> dict[str, Any]:
    """Fill a fresh database of ``kind`` and time the matrix page."""
    now = time.time_ns() // 1000
    filler = Filler(LEARNERS, statements, seed, now)
    log(
        f"{kind}: console-matrix: {LEARNERS} learners x {len(filler.competencies)} "
        f"competencies, {len(filler.state_rows):,} states, {statements:,} statements"
    )
    with fresh_database(kind) as url:
        seconds = fill(url, kind, filler.tables())
        stored = _count(url, "statements")
        log(f"{kind}: console-matrix: filled in {seconds:.1f}s; measuring")
        figures = measure(url, workdir, log)
    expected = LEARNERS * len(filler.competencies)
    notes = []
    if figures["cells"] != expected:
        notes.append(f"page has {figures['cells']} data-status cells, expected {expected}")
    return {
        "database": kind,
        "learners": LEARNERS,
        "competencies": len(filler.competencies),
        "statements": stored,
        "state_rows": len(filler.state_rows),
        "fill_seconds": round(seconds, 1),
        **figures,
        "target_ms": TARGET_MS,
        "verdict": "PASS" if figures["app_p99_ms"] <= TARGET_MS else "MISS",
        "notes": notes,
    }


def print_section(run: dict[str, Any], verdicts: list[dict[str, Any]]) -> None:
    """The figures of one database, for the report on stdout; its verdict joins
    ``verdicts``."""
    print(f"\n== console team matrix: {run['database']} ==")
    if "skipped" in run or "failed" in run:
        print(f"NOT MEASURED: {run.get('skipped') or run['failed']}")
        return
    print(
        f"{run['learners']} learners x {run['competencies']} competencies "
        f"({run['state_rows']:,} stored states) over {run['statements']:,} statements"
    )
    print(
        f"GET /console/teams/{TEAM} over {run['requests']} requests "
        f"({run['page_bytes']:,} bytes, {run['cells']:,} cells):\n"
        f"  server time (Server-Timing): p50 {run['app_p50_ms']} ms, p99 {run['app_p99_ms']} ms"
        f"; target p99 <= {TARGET_MS:.0f} ms: {run['verdict']}\n"
        f"  server CPU time of the worker: p50 {run['cpu_p50_ms']} ms, p99 {run['cpu_p99_ms']} ms"
        "\n"
        f"  client wall time (HTTP over loopback, the page read whole): p50 {run['p50_ms']} ms,"
        f" p99 {run['p99_ms']} ms, mean {run['mean_ms']} ms\n"
        f"  load average {run['load_average']} on {os.cpu_count()} CPUs while measuring"
    )
    for note in run["notes"]:
        print(f"note: {note}")
    verdicts.append(
        {
            "target": f"console matrix server time p99 <= {TARGET_MS:.0f} ms at 500 x 17 "
            "over 1M statements",
            "database": run["database"],
            "value": run["app_p99_ms"],
            "verdict": run["verdict"],
            "detail": f"server p50 {run['app_p50_ms']} ms, CPU p50 {run['cpu_p50_ms']} ms; "
            f"client wall p50 {run['p50_ms']} ms, "
            f"p99 {run['p99_ms']} ms; {run['statements']:,} statements",
        }
    )
