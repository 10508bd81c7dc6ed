"""``make bench``: write and query throughput of a real lrs-bridge server on SQLite and PostgreSQL,
ingest with the competency engine on vs off, competency replay throughput, and the refresher
scan over a large learner population.

Usage: ``python bench/run.py [--db sqlite|postgresql|both] [--quick] [--statements N]
[--only write,query,ingest-engine,replay,replay-ingest,refreshers,console-matrix,
upstream-forward,upstream-pull] [--upstream-statements N]
[--replay-statements N]
[--refresher-learners N]``.
Progress goes to stderr; the figures table (with the issues' targets marked PASS/MISS) goes to
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import upstream_forward
import upstream_pull
from competency_map import RULE_COUNT, write_map
from console_matrix import console_matrix_run
from console_matrix import print_section as print_matrix_section
from generate import Corpus, generate
from load import PhaseResult, PostJob, QueryJob, Target, run_phase, set_corpus
from observe import PhaseObserver
from refreshers import refresher_run
from replay import count_rows, run_replay, store_statements
from replay_ingest import print_section, replay_ingest_run
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
PARTS = (
    "write",
    "query",
    "ingest-engine",
    "replay",
    "replay-ingest",
    "refreshers",
    "console-matrix",
    "upstream-forward",
    "upstream-pull",
)
ENGINE_ENV = "LRS_BRIDGE_COMPETENCY_ENGINE"
#: The warm-up pass before the engine comparison posts the whole corpus once, so every
#: learner exists (the first statement of an IFI creates one) before anything is measured.
ENGINE_WARMUP_BATCH = 500
ENGINE_WARMUP_CLIENTS = 2
ENGINE_WARMUP_MAX_SECONDS = 600.0


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
    parts: list[str]
    engine_workers: int
    replay_statements: int
    refresher_learners: int
    matrix_statements: int
    #: Statements forwarded to, and pulled from, a second lrs-bridge (issue 11).
    upstream_statements: int


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
            if "write" in self.plan.parts:
                self._write_phases(url)
            if "query" in self.plan.parts:
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
            for query in self._query_jobs():
                self._measure(server, query, url, "query")
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


class EngineRun(DatabaseRun):
    """The write phases with the competency engine off and on (issue 3: on >= 80% of off).

    Two fresh databases and two servers, one per mode, both up for the whole comparison; each
    phase runs against both back to back, alternating which goes first (off-on, on-off, ...),
    so drift in a shared machine's load does not favour one mode. Before measuring, each
    server gets the whole corpus once (the warm-up pass): the first statement of an actor
    creates its learner, and the figures are meant for the steady state, not for that
    one-off cost.
    """

    def run(self) -> dict[str, Any]:
        workers = self.plan.engine_workers
        modes = {"off": "0", "on": "1"}
        warmups: dict[str, dict[str, Any]] = {}
        with fresh_database(self.kind) as off_url, fresh_database(self.kind) as on_url:
            urls = {"off": off_url, "on": on_url}
            for mode, url in urls.items():
                log(f"{self.kind}: engine {mode}: fresh database, migrating")
                prepare(url)
            servers: dict[str, Server] = {}
            try:
                for mode, url in urls.items():
                    servers[mode] = Server(
                        url, workers, self.workdir, env={ENGINE_ENV: modes[mode]}
                    )
                    port = servers[mode].port
                    log(f"{self.kind}: engine {mode}: server on :{port}, {workers} workers")
                for mode, server in servers.items():
                    warmups[mode] = self._warm_up(mode, server)
                combos = [(b, c) for b in (1, 100) for c in self.plan.clients]
                for number, (batch, clients) in enumerate(combos):
                    order = ("off", "on") if number % 2 == 0 else ("on", "off")
                    for mode in order:
                        job = PostJob(
                            name=f"POST batch {batch}",
                            clients=clients,
                            batch=batch,
                            duration=self.plan.post_seconds,
                            tag=self._next_tag(),
                        )
                        log(f"  engine {mode}:")
                        self._measure(servers[mode], job, urls[mode], f"engine-{mode}")
                        self.phases[-1]["engine"] = mode
            finally:
                for server in servers.values():
                    server.stop()
            produced = {mode: count_rows(url) for mode, url in urls.items()}
        if not produced["on"]["evidence_rows"]:
            self.notes.append("engine on stored no evidence: is the engine really on?")
        if produced["off"]["evidence_rows"]:
            self.notes.append("engine off stored evidence: is the engine really off?")
        return {
            "database": self.kind,
            "workers": workers,
            "warmups": warmups,
            "rows": produced,
            "phases": self.phases,
            "notes": self.notes,
        }

    def _warm_up(self, mode: str, server: Server) -> dict[str, Any]:
        """Post every corpus statement once (creating every learner); not reported as a phase."""
        job = PostJob(
            name="warm-up",
            clients=ENGINE_WARMUP_CLIENTS,
            batch=ENGINE_WARMUP_BATCH,
            duration=ENGINE_WARMUP_MAX_SECONDS,
            tag=self._next_tag(),
            quota=len(self.corpus.statements),
        )
        result = run_phase(job, Target(port=server.port))
        errors = sum(result.errors.values())
        log(
            f"{self.kind}: engine {mode}: warm-up pass {result.statements:,} statements in "
            f"{result.seconds:.1f}s ({result.statements_per_s:,.0f}/s)"
            + (f", {errors} ERRORS: {result.error_sample[:200]}" if errors else "")
        )
        if result.statements < len(self.corpus.statements):
            self.notes.append(
                f"engine {mode}: warm-up stored {result.statements:,} of "
                f"{len(self.corpus.statements):,} statements (learners may be created while "
                "measuring)"
            )
        return {
            "statements": result.statements,
            "seconds": round(result.seconds, 1),
            "statements_per_s": round(result.statements_per_s, 1),
            "errors": errors,
        }


def replay_run(kind: str, plan: Plan, workdir: Path) -> dict[str, Any]:
    """Fill a fresh database directly, then time the CLI replay with the 200-rule map."""
    map_file, cmap = write_map(workdir, RULE_COUNT)
    log(f"{kind}: replay: {len(cmap.rules)}-rule map at {map_file} (loads and checks)")
    with fresh_database(kind) as url:
        log(f"{kind}: replay: storing {plan.replay_statements:,} statements (engine off, direct)")
        stored = store_statements(url, plan.replay_statements, plan.seed, log)
        log(
            f"{kind}: replay: stored in {stored['store_seconds']}s; running "
            "lrs-bridge competencies replay"
        )
        replayed = run_replay(url, map_file, workdir)
        log(f"{kind}: replay: {replayed['output']} (wall {replayed['wall_seconds']}s)")
        rows = count_rows(url)
    return {
        "database": kind,
        "rules": len(cmap.rules),
        **stored,
        **replayed,
        "rows": rows,
    }


def print_upstream_section(upstream_runs: list[dict[str, Any]], verdicts: list[Any]) -> None:
    """Forwarding to and pulling from a second lrs-bridge: statements/s end to end."""
    if not upstream_runs:
        return
    print("\n== the bridge: end to end through a second lrs-bridge (target >= 5000/s SQLite) ==")
    for run in upstream_runs:
        part = run.get("part", "upstream")
        if "skipped" in run or "failed" in run:
            reason = run.get("skipped") or run["failed"]
            print(f"{run['database']:<11} {part:<17} NOT MEASURED: {reason}")
            continue
        rate = run.get("statements_per_s", run.get("per_second"))
        count = run.get("queued", run.get("statements"))
        passed = rate is not None and rate >= 5000
        mark = ("PASS" if passed else "MISS") if run["database"] == "sqlite" else "-"
        print(f"{run['database']:<11} {part:<17} {count:>8,} statements  {rate:>7,}/s  {mark}")
        if run["database"] == "sqlite":
            verdicts.append(
                {
                    "target": f"{part} >= 5000 statements/s end to end",
                    "database": "sqlite",
                    "value": rate,
                    "verdict": mark,
                }
            )


def parse_args(argv: list[str] | None = None) -> tuple[Plan, argparse.Namespace]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="3 s write phases, 2 s query phases, one worker count, smaller replay and "
        "refresher populations",
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
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to run, of {', '.join(PARTS)} (default all); "
        "'query' tops up the store itself when 'write' is left out",
    )
    parser.add_argument(
        "--engine-workers",
        type=int,
        default=None,
        help="gunicorn workers for the engine on/off comparison (default: the server's "
        "own default, one per core, at least 2)",
    )
    parser.add_argument(
        "--replay-statements",
        type=int,
        default=None,
        help="statements stored for the replay measurement (default 1000000, quick 100000)",
    )
    parser.add_argument(
        "--refresher-learners",
        type=int,
        default=None,
        help="learners (x 12 competencies, 5%% due) for the refresher scan (default 100000, "
        "quick 10000)",
    )
    parser.add_argument(
        "--upstream-statements",
        type=int,
        default=None,
        help="statements forwarded to and pulled from a second lrs-bridge (default 50000, "
        "quick 10000)",
    )
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown or not parts:
        parser.error(f"--only: unknown part(s) {unknown}; choose from {', '.join(PARTS)}")
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
        parts=[p for p in PARTS if p in parts],
        engine_workers=args.engine_workers or max(2, os.cpu_count() or 2),
        replay_statements=args.replay_statements or (100_000 if args.quick else 1_000_000),
        refresher_learners=args.refresher_learners or (10_000 if args.quick else 100_000),
        matrix_statements=100_000 if args.quick else 1_000_000,
        upstream_statements=args.upstream_statements or (10_000 if args.quick else 50_000),
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
    http_parts = {"write", "query", "ingest-engine"} & set(plan.parts)
    corpus = Corpus(statements=[b"{}"], learners=[], course_ids=[], activity_ids=[], verb_ids=[])
    if http_parts:
        log(f"generating {max(plan.statements, 20_000)} statements (seed {plan.seed})")
        # POST phases cycle through the corpus with fresh ids, so it need not be larger than
        # the stored set; 20k keeps every client's share above one top-up batch.
        corpus = generate(max(plan.statements, 20_000), plan.seed)
        set_corpus(corpus.statements)
    runs: list[dict[str, Any]] = []
    engine_runs: list[dict[str, Any]] = []
    replay_runs: list[dict[str, Any]] = []
    refresher_runs: list[dict[str, Any]] = []
    sections: list[tuple[list[dict[str, Any]], Callable[[str, Path], dict[str, Any]]]] = []
    if {"write", "query"} & set(plan.parts):
        sections.append((runs, lambda k, w: DatabaseRun(k, plan, corpus, w).run()))
    if "ingest-engine" in plan.parts:
        sections.append((engine_runs, lambda k, w: EngineRun(k, plan, corpus, w).run()))
    if "replay" in plan.parts:
        sections.append((replay_runs, lambda k, w: replay_run(k, plan, w)))
    replay_ingest_runs: list[dict[str, Any]] = []
    if "replay-ingest" in plan.parts:
        tags = iter(range(1_000_000, 2_000_000))
        sections.append(
            (
                replay_ingest_runs,
                lambda k, w: replay_ingest_run(
                    k, plan.replay_statements, plan.seed, w, log, lambda: next(tags)
                ),
            )
        )
    if "refreshers" in plan.parts:
        sections.append(
            (refresher_runs, lambda k, w: refresher_run(k, plan.refresher_learners, plan.seed, log))
        )
    matrix_runs: list[dict[str, Any]] = []
    if "console-matrix" in plan.parts:
        sections.append(
            (
                matrix_runs,
                lambda k, w: console_matrix_run(k, plan.seed, w, log, plan.matrix_statements),
            )
        )
    upstream_runs: list[dict[str, Any]] = []
    if "upstream-forward" in plan.parts:
        sections.append(
            (
                upstream_runs,
                lambda k, w: {
                    "part": "upstream-forward",
                    "database": k,
                    **upstream_forward.run(k, plan.upstream_statements, w, log),
                },
            )
        )
    if "upstream-pull" in plan.parts:
        sections.append(
            (
                upstream_runs,
                lambda k, w: {
                    "database": k,
                    **upstream_pull.run(statements=plan.upstream_statements, db=k),
                },
            )
        )
    pg_down = postgres_unreachable() if "postgresql" in plan.databases else None
    with tempfile.TemporaryDirectory(prefix="lrs-bench-work-") as workdir:
        for collected, measure in sections:
            for kind in plan.databases:
                if kind == "postgresql" and pg_down:
                    log(f"postgresql: SKIPPED, not reachable ({pg_down})")
                    collected.append({"database": kind, "skipped": pg_down})
                    continue
                try:
                    collected.append(measure(kind, Path(workdir)))
                except BenchError as exc:
                    log(f"{kind}: FAILED: {exc}")
                    collected.append({"database": kind, "failed": str(exc)})
    meta = {
        "started": started.isoformat(),
        "finished": datetime.datetime.now(datetime.UTC).isoformat(),
        "commit": _git_commit(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "plan": dataclasses.asdict(plan),
        "statement_bytes_avg": round(sum(map(len, corpus.statements)) / len(corpus.statements)),
    }
    verdicts = print_report(meta, runs, engine_runs, replay_runs, refresher_runs)
    for run in replay_ingest_runs:
        print(f"\n== ingest during a replay: {run['database']} ==")
        if "skipped" in run or "failed" in run:
            print(f"NOT MEASURED: {run.get('skipped') or run['failed']}")
        else:
            print_section(run, verdicts)
    for run in matrix_runs:
        print_matrix_section(run, verdicts)
    print_upstream_section(upstream_runs, verdicts)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    document = {
        "meta": meta,
        "targets": verdicts,
        "runs": runs,
        "engine_runs": engine_runs,
        "replay_runs": replay_runs,
        "replay_ingest_runs": replay_ingest_runs,
        "refresher_runs": refresher_runs,
        "console_matrix_runs": matrix_runs,
        "upstream_runs": upstream_runs,
    }
    out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nresults: {out.relative_to(REPO)}")
    every = [
        *runs,
        *engine_runs,
        *replay_runs,
        *replay_ingest_runs,
        *refresher_runs,
        *matrix_runs,
        *upstream_runs,
    ]
    failed = any("failed" in run for run in every)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
