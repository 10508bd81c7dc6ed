"""Ingest latency while a replay runs (issue 9 item 6: p99 < 1 s while 1M statements are
replayed).

The store is filled directly (as for the replay throughput), a server with the competency
engine on starts, and ``lrs-bridge competencies replay`` runs as a subprocess with the
200-rule map while POST clients keep sending small batches. The replay takes the statement
write gate only for short chunk transactions, so ingest waits at most one chunk; the
figures are the POST latencies measured while the replay ran, and the replay's own time.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from competency_map import RULE_COUNT, write_map
from generate import generate
from load import PhaseResult, PostJob, Target, run_phase, set_corpus
from replay import REPLAY_TIMEOUT_S, count_rows, store_statements
from server import REPO, BenchError, Server, bench_env, fresh_database, prepare

INGEST_P99_TARGET_MS = 1000.0
CLIENTS = 4
BATCH = 10
#: Each measuring phase; phases repeat until the replay exits.
PHASE_SECONDS = 2.0
#: Phases of the same load before the replay starts (the baseline).
BASELINE_PHASES = 5
CORPUS = 20_000


def _post_phase(name: str, port: int, next_tag: Callable[[], int]) -> PhaseResult:
    """One phase of the measured load: CLIENTS clients posting batches of BATCH."""
    job = PostJob(name=name, clients=CLIENTS, batch=BATCH, duration=PHASE_SECONDS, tag=next_tag())
    return run_phase(job, Target(port=port))


def replay_ingest_run(
    kind: str,
    statements: int,
    seed: int,
    workdir: Path,
    log: Callable[[str], None],
    next_tag: Callable[[], int],
) -> dict[str, Any]:
    """Fill a fresh database, then POST while the CLI replays it; latencies and times."""
    map_file, cmap = write_map(workdir, RULE_COUNT)
    set_corpus(generate(CORPUS, seed + 1).statements)
    engine_env = {
        "LRS_BRIDGE_COMPETENCY_ENGINE": "1",
        "LRS_BRIDGE_COMPETENCY_MAP_FILE": str(map_file),
    }
    with fresh_database(kind) as url:
        log(f"{kind}: replay-ingest: storing {statements:,} statements (direct)")
        stored = store_statements(url, statements, seed, log)
        prepare(url)  # the bench credential
        server = Server(url, 2, workdir, env=engine_env)
        latencies: list[int] = []
        errors: dict[str, int] = {}
        posted = 0
        try:
            # The same load with no replay running first: how much of the latency is the
            # replay's, and how much this machine's ingest under this load anyway.
            log(f"{kind}: replay-ingest: baseline, {CLIENTS} clients posting, no replay")
            baseline: list[int] = []
            for _ in range(BASELINE_PHASES):
                phase = _post_phase("POST without a replay", server.port, next_tag)
                baseline.extend(phase.latencies_ns)
            log(f"{kind}: replay-ingest: replaying while {CLIENTS} clients post batches of {BATCH}")
            started = time.monotonic()
            replay = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "lrs_bridge.cli", "competencies", "replay"],
                env={**bench_env(url), **engine_env},
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            while replay.poll() is None:
                if time.monotonic() - started > REPLAY_TIMEOUT_S:
                    replay.kill()
                    raise BenchError(f"replay did not finish within {REPLAY_TIMEOUT_S:.0f}s")
                result = _post_phase("POST during replay", server.port, next_tag)
                latencies.extend(result.latencies_ns)
                posted += result.statements
                for label, number in result.errors.items():
                    errors[label] = errors.get(label, 0) + number
            replay_seconds = time.monotonic() - started
            output = (replay.stdout.read() if replay.stdout else b"").decode(errors="replace")
            if replay.returncode:
                raise BenchError(f"replay failed (exit {replay.returncode}): {output}")
        finally:
            server.stop()
        rows = count_rows(url)
    latencies.sort()
    baseline.sort()

    def percentile(fraction: float, values: list[int] = latencies) -> float:
        if not values:
            return float("nan")
        rank = max(0, min(len(values) - 1, int(fraction * len(values) + 0.5) - 1))
        return round(values[rank] / 1e6, 1)

    return {
        "database": kind,
        "rules": len(cmap.rules),
        **stored,
        "replay_wall_seconds": round(replay_seconds, 1),
        "replay_output": output.strip(),
        "posted_during_replay": posted,
        "requests": len(latencies),
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
        "max_ms": round(latencies[-1] / 1e6, 1) if latencies else None,
        "baseline_requests": len(baseline),
        "baseline_p50_ms": percentile(0.50, baseline),
        "baseline_p99_ms": percentile(0.99, baseline),
        "errors": errors,
        "rows": rows,
    }


def print_section(run: dict[str, Any], verdicts: list[dict[str, Any]]) -> None:
    """The figures and the p99 target (judged at the issue's 1M statements, info below)."""
    print(
        f"{run['rules']}-rule map; {run['stored']:,} statements stored directly; replay "
        f"wall {run['replay_wall_seconds']:,.1f}s ({run['replay_output']})"
    )
    print(
        f"POST (batch {BATCH}, {CLIENTS} clients) during the replay: {run['requests']:,} "
        f"requests, {run['posted_during_replay']:,} statements, p50 {run['p50_ms']} ms, "
        f"p99 {run['p99_ms']} ms, max {run['max_ms']} ms, errors {run['errors'] or 0}"
    )
    print(
        f"the same load before the replay (baseline): {run['baseline_requests']:,} requests, "
        f"p50 {run['baseline_p50_ms']} ms, p99 {run['baseline_p99_ms']} ms"
    )
    judged = run["stored"] >= 1_000_000
    ok = run["p99_ms"] < INGEST_P99_TARGET_MS and not run["errors"]
    verdict = ("PASS" if ok else "MISS") if judged else "info"
    label = f"ingest p99 < {INGEST_P99_TARGET_MS:,.0f} ms during a 1M replay"
    print(f"target: {label}: {run['p99_ms']} ms {verdict}")
    verdicts.append(
        {
            "target": label,
            "database": run["database"],
            "value": run["p99_ms"],
            "verdict": verdict,
            "detail": f"{run['stored']:,} statements replayed; {run['requests']:,} POSTs",
        }
    )
