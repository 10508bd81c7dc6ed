"""``make bench``: write and query throughput of a real lrs-bridge server on SQLite and PostgreSQL.

Usage: ``python bench/run.py [--db sqlite|postgresql|both] [--quick] [--statements N]``.
Progress goes to stderr; the figures table (with the issue's targets marked PASS/MISS) goes to
stdout, and everything measured is written to ``bench/results/<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

import orjson
from generate import Corpus, generate
from load import PhaseResult, PostJob, QueryJob, Target, run_phase, set_corpus
from observe import PhaseObserver
from report import print_report
from server import (
    REPO,
    BenchError,
    Server,
    count_statements,
    fresh_database,
    postgres_unreachable,
    prepare,
)

RESULTS = Path(__file__).resolve().parent / "results"
TOPUP_BATCH = 500
TOPUP_CLIENTS = 4
TOPUP_MAX_SECONDS = 900.0


@dataclasses.dataclass(frozen=True, kw_only=True)
class Plan:
    """What to run, from the command line."""

    databases: list[str]
    statements: int
    post_seconds: float
    query_seconds: float
    workers: list[int]
    clients: list[int]
    limit: int
    pages: int
    seed: int


def log(message: str) -> None:
    """Progress on stderr, so stdout carries only the report."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class WriteClock:
    """When the stored count crossed a value: ``since`` parameters need stored-time marks."""

    def __init__(self) -> None:
        self.offset = time.time() - time.monotonic()
        self.segments: list[tuple[float, float, int, int]] = []
        self.stored = 0

    def record(self, phase: PhaseResult) -> None:
        before = self.stored
        self.stored += phase.statements
        self.segments.append(
            (phase.started + self.offset, phase.ended + self.offset, before, self.stored)
        )

    def since(self, fraction: float) -> str:
        """ISO timestamp at which about ``fraction`` of the statements had been stored."""
        goal = fraction * self.stored
        for start, end, before, after in self.segments:
            if after >= goal and after > before:
                share = max(0.0, (goal - before) / (after - before))
                moment = start + share * (end - start)
                break
        else:
            moment = time.time()
        stamp = datetime.datetime.fromtimestamp(moment, datetime.UTC)
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class DatabaseRun:
    """All phases against one database kind; collects phases and notes for the report."""

    def __init__(self, kind: str, plan: Plan, corpus: Corpus, workdir: Path) -> None:
        self.kind = kind
        self.plan = plan
        self.corpus = corpus
        self.workdir = workdir
        self.clock = WriteClock()
        self.tag = 0
        self.phases: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.chosen_workers = plan.workers[0]
        self.topup_clients = TOPUP_CLIENTS

    def _next_tag(self) -> int:
        self.tag += 1
        return self.tag

    def _measure(
        self, server: Server, job: PostJob | QueryJob, url: str, section: str
    ) -> PhaseResult:
        pg = url if self.kind == "postgresql" else None
        observer = PhaseObserver(server.pids(), server.worker_pids(), pg).start()
        result = run_phase(job, Target(port=server.port))
        result.observations = observer.stop(result.loadgen_cpu_s)
        result.observations.update(section=section, workers=server.workers)
        if isinstance(job, PostJob):
            self.clock.record(result)
        summary = result.summary()
        self.phases.append(summary)
        errors = f", ERRORS {result.errors}" if result.errors else ""
        per_s = (
            f"{summary['statements_per_s']} stmt/s"
            if isinstance(job, PostJob)
            else f"{summary['returned_statements'] / result.seconds:.0f} returned/s"
        )
        log(
            f"  {job.name} x{job.clients}: {summary['requests_per_s']} req/s, {per_s}, "
            f"p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms, "
            f"cpu {summary['cpu_pct']}, threads {summary['server_threads']}{errors}"
        )
        if result.error_sample:
            log(f"    first error: {result.error_sample[:300]}")
        return result

    def run(self) -> dict[str, Any]:
        with fresh_database(self.kind) as url:
            log(f"{self.kind}: fresh database, migrating and creating the bench credential")
            prepare(url)
            self._write_phases(url)
            self._top_up_and_query(url)
            stored_rows = count_statements(url)
        if stored_rows != self.clock.stored:
            self.notes.append(
                f"stored rows {stored_rows} != statements acknowledged {self.clock.stored}"
            )
        return {
            "database": self.kind,
            "workers_tried": self.plan.workers,
            "workers_chosen": self.chosen_workers,
            "stored_rows": stored_rows,
            "acknowledged": self.clock.stored,
            "phases": self.phases,
            "notes": self.notes,
        }

    def _write_phases(self, url: str) -> None:
        """POST at batch 1 and 100 with each client count, once per worker count tried."""
        best: tuple[float, int] | None = None
        for workers in self.plan.workers:
            server = Server(url, workers, self.workdir)
            log(f"{self.kind}: server on :{server.port} with {workers} workers")
            try:
                warm = PostJob(
                    name="warm-up", clients=2, batch=10, duration=1.0, tag=self._next_tag()
                )
                self.clock.record(run_phase(warm, Target(port=server.port)))
                for batch in (1, 100):
                    for clients in self.plan.clients:
                        job = PostJob(
                            name=f"POST batch {batch}",
                            clients=clients,
                            batch=batch,
                            duration=self.plan.post_seconds,
                            tag=self._next_tag(),
                        )
                        result = self._measure(server, job, url, "write")
                        if batch == 100 and clients == max(self.plan.clients):
                            score = result.statements_per_s
                            if best is None or score > best[0]:
                                best = (score, workers)
            finally:
                server.stop()
        if best is not None:
            self.chosen_workers = best[1]
        single = max(
            (p["statements_per_s"] for p in self.phases if p["batch"] == 100 and p["clients"] == 1),
            default=0.0,
        )
        if best is not None and single > best[0]:
            # Concurrent writers lost to one (lock contention): top up with a single client.
            self.topup_clients = 1

    def _top_up_and_query(self, url: str) -> None:
        server = Server(url, self.chosen_workers, self.workdir)
        log(
            f"{self.kind}: server on :{server.port} with {self.chosen_workers} workers "
            f"(best batch-100 throughput) for top-up and queries"
        )
        try:
            started = time.monotonic()
            for _round in range(3):
                missing = self.plan.statements - self.clock.stored
                remaining = TOPUP_MAX_SECONDS - (time.monotonic() - started)
                if missing <= 0 or remaining <= 0:
                    break
                log(
                    f"{self.kind}: topping up {missing} statements in batches of {TOPUP_BATCH}, "
                    f"{self.topup_clients} client(s)"
                )
                job = PostJob(
                    name=f"POST batch {TOPUP_BATCH} (top-up)",
                    clients=self.topup_clients,
                    batch=TOPUP_BATCH,
                    duration=remaining,
                    tag=self._next_tag(),
                    quota=missing,
                )
                self._measure(server, job, url, "top-up")
            if self.clock.stored < self.plan.statements:
                self.notes.append(f"only {self.clock.stored} statements stored before queries")
            for job in self._query_jobs():
                self._measure(server, job, url, "query")
        finally:
            server.stop()

    def _query_jobs(self) -> list[QueryJob]:
        plan, corpus = self.plan, self.corpus
        limit = {"limit": str(plan.limit)}

        def path(**params: str) -> str:
            return "/xapi/statements?" + urllib.parse.urlencode({**params, **limit})

        step = max(1, len(corpus.learners) // 200)
        by_agent = [path(agent=orjson.dumps(a).decode()) for a in corpus.learners[::step][:200]]
        marks = [self.clock.since(f) for f in (0.25, 0.5, 0.75)]
        by_verb = [path(verb=v, since=m) for m in marks for v in corpus.verb_ids]
        by_activity = [path(activity=a) for a in corpus.activity_ids]
        paging = [path(activity=c, related_activities="true") for c in corpus.course_ids]
        kinds = [
            ("GET agent", by_agent, 1),
            ("GET verb+since", by_verb, 1),
            ("GET activity", by_activity, 1),
            ("GET paging (more)", paging, plan.pages),
        ]
        return [
            QueryJob(
                name=name,
                clients=clients,
                duration=plan.query_seconds,
                paths=paths,
                max_pages=pages,
            )
            for name, paths, pages in kinds
            for clients in plan.clients
        ]


def parse_args(argv: list[str] | None = None) -> tuple[Plan, argparse.Namespace]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--quick", action="store_true", help="3 s write phases, 2 s query phases, one worker count"
    )
    parser.add_argument(
        "--statements",
        type=int,
        default=100_000,
        help="statements stored before the query phases (default 100000)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=None,
        help="duration of each write phase (default 10, quick 3)",
    )
    parser.add_argument(
        "--query-seconds",
        type=float,
        default=None,
        help="duration of each query phase (default 5, quick 2)",
    )
    parser.add_argument(
        "--workers",
        default=None,
        help="gunicorn worker counts to try, comma-separated (default 2,4; "
        "quick 4); queries use the best for batch 100",
    )
    parser.add_argument("--limit", type=int, default=100, help="query page size (default 100)")
    parser.add_argument(
        "--pages",
        type=int,
        default=20,
        help="most pages followed through 'more' links per query (default 20)",
    )
    parser.add_argument("--seed", type=int, default=20240108)
    args = parser.parse_args(argv)
    workers = args.workers or ("4" if args.quick else "2,4")
    plan = Plan(
        databases=["sqlite", "postgresql"] if args.db == "both" else [args.db],
        statements=args.statements,
        post_seconds=args.seconds or (3.0 if args.quick else 10.0),
        query_seconds=args.query_seconds or (2.0 if args.quick else 5.0),
        workers=[int(w) for w in workers.split(",")],
        clients=[1, 8],
        limit=args.limit,
        pages=args.pages,
        seed=args.seed,
    )
    return plan, args


def _git_commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return done.stdout.strip() + ("+dirty" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    plan, _args = parse_args(argv)
    started = datetime.datetime.now(datetime.UTC)
    log(f"generating {max(plan.statements, 20_000)} statements (seed {plan.seed})")
    # POST phases cycle through the corpus with fresh ids, so it need not be larger than the
    # stored set; 20k keeps every client's share above one top-up batch.
    corpus = generate(max(plan.statements, 20_000), plan.seed)
    set_corpus(corpus.statements)
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="lrs-bench-work-") as workdir:
        for kind in plan.databases:
            if kind == "postgresql":
                reason = postgres_unreachable()
                if reason:
                    log(f"postgresql: SKIPPED, not reachable ({reason})")
                    runs.append({"database": kind, "skipped": reason})
                    continue
            try:
                runs.append(DatabaseRun(kind, plan, corpus, Path(workdir)).run())
            except BenchError as exc:
                log(f"{kind}: FAILED: {exc}")
                runs.append({"database": kind, "failed": str(exc)})
    meta = {
        "started": started.isoformat(),
        "finished": datetime.datetime.now(datetime.UTC).isoformat(),
        "commit": _git_commit(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "plan": dataclasses.asdict(plan),
        "statement_bytes_avg": round(sum(map(len, corpus.statements)) / len(corpus.statements)),
    }
    verdicts = print_report(meta, runs)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps({"meta": meta, "targets": verdicts, "runs": runs}, indent=2) + "\n")
    print(f"\nresults: {out.relative_to(REPO)}")
    failed = any("failed" in run for run in runs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
