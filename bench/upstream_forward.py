"""Forwarding throughput (issue 11 item 7: at least 5,000 statements/s end to end on SQLite),
and what queueing for an upstream costs ingest.

The source is filled through the real ingest path (``StatementService.store_statements``,
in process), so every statement is queued for a second ``lrs-bridge serve`` acting as the
upstream. Then the forwarder delivers the whole queue and the clock stops when the
upstream holds every statement (counted in its database): statements/s end to end, HTTP
and the upstream's own ingest included.

Ingest cost: batches of 100 stored with and without a forwarding upstream, alternating in
rounds so that the database's growth does not favour either side.

Usage: ``python bench/upstream_forward.py [--db sqlite|postgresql] [--statements N]``;
``run(...)`` is what ``bench/run.py`` calls.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from generate import stream
from server import Server, count_statements, fresh_database, prepare

from lrs_bridge.auth import Principal
from lrs_bridge.config import load_settings
from lrs_bridge.runtime import Runtime, build_runtime
from lrs_bridge.services.statements import ForwardTargets
from lrs_bridge.upstream.model import Upstream

TARGET_PER_S = 5000.0
FILL_BATCH = 500
COST_BATCH = 100
COST_ROUNDS = 4


def _batches(count: int, size: int, seed: int) -> Iterator[list[dict[str, Any]]]:
    for chunk in stream(count, seed, 5000):
        for start in range(0, len(chunk), size):
            yield chunk[start : start + size]


def _store(runtime: Runtime, principal: Principal, batches: Iterator[list[dict[str, Any]]]) -> int:
    stored = 0
    for batch in batches:
        stored += runtime.statements.store_statements(
            batch, principal=principal, version="1.0.3"
        ).new_count
    return stored


def _ingest_cost(
    runtime: Runtime, principal: Principal, registry: ForwardTargets, statements: int, seed: int
) -> dict[str, Any]:
    """Statements/s at batch 100 without and with a forwarding upstream, alternating."""
    seconds = {"off": 0.0, "on": 0.0}
    counts = {"off": 0, "on": 0}
    per_phase = statements // (2 * COST_ROUNDS)
    for round_number in range(COST_ROUNDS):
        order = ("off", "on") if round_number % 2 == 0 else ("on", "off")
        for mode in order:
            runtime.statements.upstreams = registry if mode == "on" else None
            started = time.perf_counter()
            counts[mode] += _store(
                runtime,
                principal,
                _batches(per_phase, COST_BATCH, seed + 100 + round_number * 2 + (mode == "on")),
            )
            seconds[mode] += time.perf_counter() - started
    runtime.statements.upstreams = registry
    off, on = counts["off"] / seconds["off"], counts["on"] / seconds["on"]
    return {
        "batch": COST_BATCH,
        "statements_each": counts["off"],
        "without_upstream_per_s": round(off),
        "with_upstream_per_s": round(on),
        "cost_percent": round(100 * (off - on) / off, 1),
        "queued": counts["on"],
    }


def run(
    kind: str,
    statements: int,
    workdir: Path,
    log: Callable[[str], None] = lambda message: print(message, file=sys.stderr),
    seed: int = 11,
    upstream_engine: bool = False,
) -> dict[str, Any]:
    """Fill a source with ``statements`` queued for a second lrs-bridge, then forward them.

    ``upstream_engine``: the upstream runs its competency engine too (by default it acts as
    a plain LRS does: it stores, and evaluates nothing).
    """
    upstream_env = {"LRS_BRIDGE_COMPETENCY_ENGINE": "1" if upstream_engine else "0"}
    with fresh_database(kind) as source_url, fresh_database("sqlite") as upstream_url:
        prepare(source_url)
        prepare(upstream_url)
        upstream_server = Server(upstream_url, workers=2, workdir=workdir, env=upstream_env)
        runtime = build_runtime(
            load_settings({"database_url": source_url, "competency_engine": False})
        )
        try:
            credential = runtime.store.credential_by_key("bench")
            assert credential is not None
            principal = Principal(
                credential_id=credential.id,
                name="bench",
                key="bench",
                scopes=frozenset({"all"}),
            )
            runtime.upstreams.add(
                Upstream(
                    id=0,
                    name="peer",
                    endpoint=f"http://127.0.0.1:{upstream_server.port}/xapi/",
                    key="bench",
                    secret="bench-secret",
                )
            )
            log(f"{kind}: upstream-forward: ingest cost at batch {COST_BATCH}")
            cost = _ingest_cost(
                runtime, principal, runtime.upstreams, min(20_000, 2 * statements), seed
            )
            log(f"  {cost}")
            fill = statements - cost["queued"]
            log(f"{kind}: upstream-forward: filling {fill:,} more statements")
            started = time.perf_counter()
            queued = cost["queued"] + _store(runtime, principal, _batches(fill, FILL_BATCH, seed))
            fill_seconds = time.perf_counter() - started
            log(f"{kind}: upstream-forward: forwarding {queued:,} statements")
            started = time.perf_counter()
            report = runtime.forwarder.forward(once=True)
            held = count_statements(upstream_url)
            seconds = time.perf_counter() - started
        finally:
            runtime.close()
            upstream_server.stop()
    rate = queued / seconds
    result = {
        "kind": kind,
        "queued": queued,
        "delivered": report.delivered,
        "upstream_holds": held,
        "forward_seconds": round(seconds, 2),
        "statements_per_s": round(rate),
        "target_per_s": TARGET_PER_S,
        "pass": rate >= TARGET_PER_S and held == queued and report.remaining == 0,
        "batch_size": runtime.settings.upstream_batch_size,
        "upstream_engine": upstream_engine,
        "fill_per_s": round((queued - cost["queued"]) / fill_seconds),
        "ingest_cost": cost,
    }
    log(f"{kind}: upstream-forward: {rate:,.0f} statements/s ({held:,} held upstream)")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--statements", type=int, default=50_000)
    parser.add_argument(
        "--upstream-engine", action="store_true", help="the upstream evaluates competencies too"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lrs-bench-forward-") as folder:
        result = run(args.db, args.statements, Path(folder), upstream_engine=args.upstream_engine)
    print(json.dumps(result, indent=2))
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
