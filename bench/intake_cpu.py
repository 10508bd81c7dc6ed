"""CPU per ingested statement: the local intake of a pull (or a POST), in process.

A fresh database per run, the same runtime the server and the puller build, and the
generator's statements dressed as an upstream lists them (``stored``, ``authority``,
``version``); each batch is validated as :class:`PageIntake` does, then stored through
``runtime.statements.store_statements`` under a pull-like credential (``trusted``
evidence). The figure is CPU seconds (``time.process_time``), not wall time: the machine
is shared, and the pull benchmark is bound by local CPU. Median of ``--runs``.

Usage: ``python bench/intake_cpu.py [--statements N] [--batch 500 2000]
[--db sqlite postgresql] [--runs 3] [--profile]``; ``INTAKE_PROFILE_SORT`` and
``INTAKE_PROFILE_TOP`` pick the profile's order and length.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import statistics
import sys
import time
from typing import Any

import orjson
from generate import generate
from server import fresh_database

from lrs_bridge.auth import create_credential, principal_of
from lrs_bridge.config import load_settings
from lrs_bridge.runtime import build_runtime
from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.migrate import upgrade
from lrs_bridge.xapi.timefmt import format_timestamp_us, now_us, parse_timestamp_us
from lrs_bridge.xapi.validate import validate_statement

_UPSTREAM_AUTHORITY = {
    "objectType": "Agent",
    "name": "upstream",
    "account": {"homePage": "https://upstream.example.com", "name": "tool"},
}


def _as_listed(raw: list[bytes]) -> list[dict[str, Any]]:
    """The statements as an upstream's listing returns them (fresh dicts: intake edits)."""
    out = []
    for number, data in enumerate(raw):
        statement = orjson.loads(data)
        stored_us = (parse_timestamp_us(statement["timestamp"]) or 0) + number
        statement["stored"] = format_timestamp_us(stored_us)
        statement["authority"] = _UPSTREAM_AUTHORITY
        statement["version"] = "1.0.3"
        out.append(statement)
    return out


def _once(raw: list[bytes], *, db: str, batch: int, profiler: cProfile.Profile | None) -> float:
    """CPU seconds to validate and store ``raw`` into a fresh ``db`` store."""
    with fresh_database(db) as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        runtime = build_runtime(load_settings({"database_url": url}))
        try:
            record, _ = create_credential(
                runtime.store,
                name="upstream:bench",
                scopes="statements/write",
                now_us=now_us(),
                evidence="trusted",
            )
            principal = principal_of(record)
            statements = _as_listed(raw)
            # The prepared corpus is the bench's, not intake's: keep collections from
            # scanning it (a pull holds one page, not the whole corpus).
            gc.collect()
            gc.freeze()
            cpu = time.process_time()
            if profiler is not None:
                profiler.enable()
            for start in range(0, len(statements), batch):
                chunk = statements[start : start + batch]
                for statement in chunk:
                    validate_statement(statement, version="1.0.3")
                runtime.statements.store_statements(chunk, principal=principal, version="1.0.3")
            if profiler is not None:
                profiler.disable()
            spent = time.process_time() - cpu
            gc.unfreeze()
            stored = runtime.store.count_statements()
        finally:
            runtime.close()
    if stored != len(raw):
        raise RuntimeError(f"stored {stored}, expected {len(raw)}")
    return spent


def run(
    *, statements: int = 20_000, db: str = "sqlite", batch: int = 500, runs: int = 3
) -> dict[str, Any]:
    """Median CPU seconds and statements per CPU-second over ``runs`` fresh databases."""
    raw = generate(statements).statements
    spent = [_once(raw, db=db, batch=batch, profiler=None) for _ in range(runs)]
    median = statistics.median(spent)
    return {
        "part": "intake-cpu",
        "db": db,
        "batch": batch,
        "statements": statements,
        "cpu_seconds": [round(s, 3) for s in spent],
        "median_cpu_seconds": round(median, 3),
        "per_cpu_second": round(statements / median),
        "measured_at_us": now_us(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=20_000)
    parser.add_argument("--batch", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--db", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one run (stderr)")
    args = parser.parse_args()
    if args.profile:
        profiler = cProfile.Profile()
        raw = generate(args.statements).statements
        _once(raw, db=args.db[0], batch=args.batch[0], profiler=profiler)
        sort = os.environ.get("INTAKE_PROFILE_SORT", "tottime")
        top = int(os.environ.get("INTAKE_PROFILE_TOP", "30"))
        pstats.Stats(profiler, stream=sys.stderr).sort_stats(sort).print_stats(top)
        return
    for db in args.db:
        for batch in args.batch:
            result = run(statements=args.statements, db=db, batch=batch, runs=args.runs)
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
