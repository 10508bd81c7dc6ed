"""Pull throughput: a second lrs-bridge holds N statements, an empty local store pulls them.

The upstream is a real ``lrs-bridge serve`` (its own SQLite database, filled through its xAPI
endpoint, as tools would). The local side is this process's runtime, the same puller the
scheduler and ``lrs-bridge upstream pull`` run: listing pages over HTTP, validation, intake
with the competency engine, the cursor committed after each page. The figure is statements
stored per second from the first listing request to the last cursor commit.

Usage: ``python bench/upstream_pull.py [--statements N] [--db sqlite|postgresql] [--page N]``;
the lead's ``bench/run.py`` calls :func:`run`.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from generate import generate
from server import Server, fresh_database, prepare

from lrs_bridge.config import load_settings
from lrs_bridge.runtime import build_runtime
from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.migrate import upgrade
from lrs_bridge.upstream.model import Upstream
from lrs_bridge.xapi.timefmt import now_us

TARGET_PER_SECOND = 5000
FILL_BATCH = 500


def _fill(port: int, statements: list[bytes]) -> float:
    """POST the statements to the upstream in batches; seconds it took."""
    started = time.perf_counter()
    with httpx.Client(
        base_url=f"http://127.0.0.1:{port}/xapi/",
        auth=("bench", "bench-secret"),
        headers={"X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"},
        timeout=120,
    ) as http:
        for start in range(0, len(statements), FILL_BATCH):
            body = b"[" + b",".join(statements[start : start + FILL_BATCH]) + b"]"
            response = http.post("statements", content=body)
            if response.status_code != 200:
                raise RuntimeError(f"filling the upstream failed: {response.text[:300]}")
    return time.perf_counter() - started


def run(
    *,
    statements: int = 50_000,
    db: str = "sqlite",
    page: int = 500,
    workers: int = 2,
    profile: bool = False,
) -> dict[str, Any]:
    """Fill an upstream lrs-bridge with ``statements``, pull them all into an empty ``db``
    store; the figures as a dict (``per_second`` against ``TARGET_PER_SECOND``)."""
    corpus = generate(statements)
    with (
        tempfile.TemporaryDirectory(prefix="lrs-bench-upstream-") as folder,
        fresh_database("sqlite") as upstream_url,
        fresh_database(db) as local_url,
    ):
        prepare(upstream_url)
        server = Server(
            upstream_url, workers, Path(folder), env={"LRS_BRIDGE_MAX_PAGE_SIZE": str(page)}
        )
        try:
            fill_s = _fill(server.port, corpus.statements)
            engine = make_engine(local_url)
            upgrade(engine)
            engine.dispose()
            runtime = build_runtime(
                load_settings({"database_url": local_url, "upstream_batch_size": page})
            )
            try:
                upstream = runtime.upstreams.add(
                    Upstream(
                        id=0,
                        name="bench",
                        endpoint=f"http://127.0.0.1:{server.port}/xapi/",
                        key="bench",
                        secret="bench-secret",
                        direction="pull",
                    )
                )
                profiler = cProfile.Profile() if profile else None
                started, cpu_started = time.perf_counter(), time.process_time()
                if profiler is not None:
                    profiler.enable()
                report = runtime.puller.pull(upstream)
                pull_s = time.perf_counter() - started
                cpu_s = time.process_time() - cpu_started
                if profiler is not None:
                    profiler.disable()
                    pstats.Stats(profiler, stream=sys.stderr).sort_stats(
                        os.environ.get("PULL_PROFILE_SORT", "cumulative")
                    ).print_stats(40)
                stored = runtime.store.count_statements()
            finally:
                runtime.close()
        finally:
            server.stop()
    if stored != statements or report.new != statements:
        raise RuntimeError(f"pulled {report.new}, stored {stored}, expected {statements}")
    per_second = statements / pull_s
    return {
        "part": "upstream-pull",
        "db": db,
        "statements": statements,
        "page": page,
        "pages": report.pages,
        "fill_seconds": round(fill_s, 2),
        "pull_seconds": round(pull_s, 2),
        # The pull waited this long for the upstream's listing; the rest was local ingest.
        "waiting_for_upstream_seconds": round(report.waited_s, 2),
        # CPU this process used for the pull: on a shared machine, the figure that does not
        # depend on what else runs (the pull is bound by it, not by the upstream).
        "local_cpu_seconds": round(cpu_s, 2),
        "per_cpu_second": round(statements / cpu_s),
        "per_second": round(per_second),
        "target_per_second": TARGET_PER_SECOND,
        "verdict": "PASS" if per_second >= TARGET_PER_SECOND else "MISS",
        "measured_at_us": now_us(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=50_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--page", type=int, default=500)
    parser.add_argument("--profile", action="store_true", help="cProfile the pull (stderr)")
    args = parser.parse_args()
    result = run(statements=args.statements, db=args.db, page=args.page, profile=args.profile)
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
