"""Replay throughput: ``lrs-bridge competencies replay`` over a large stored set.

Issue 3 item 9: statements evaluated per second with a 200-rule map over 1M stored
statements, target >= 20,000/s on SQLite. Filling a database with a million statements over
HTTP would take longer than the replay itself, so they go straight through
``SqlStore.add_statements`` (the ingest transaction without HTTP, the engine off, so no
evidence exists before the replay). The replay then runs as the operator runs it: a
subprocess of the CLI, timed by its own report and by the wall clock (which includes
process start, loading the map and the final state recomputation).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generate import stream
from server import REPO, BenchError, bench_env, cli
from sqlalchemy import text

from lrs_bridge.store.base import NewStatement
from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.sqlalchemy import SqlStore
from lrs_bridge.xapi.extract import index_statement
from lrs_bridge.xapi.timefmt import now_us, parse_timestamp_us

REPLAY_TARGET_PER_S = 20_000
REPLAY_TIMEOUT_S = 3600.0
STORE_BATCH = 5000
_REPLAYED = re.compile(r"replayed (\d+) statements in ([\d.]+)s \(([\d,]+)/s\)")
#: The authority the HTTP path would add (the ``bench`` credential); it is part of what
#: replay reads and parses, so the stored JSON has it too.
_AUTHORITY = {
    "objectType": "Agent",
    "account": {"homePage": "urn:lrs-bridge:credentials", "name": "bench"},
}


def store_statements(
    database_url: str, count: int, seed: int, log: Callable[[str], None]
) -> dict[str, Any]:
    """Migrate and fill the database with ``count`` generated statements; how long it took."""
    cli(database_url, "db", "upgrade")
    engine = make_engine(database_url)
    store = SqlStore(engine)
    started = time.monotonic()
    stored = 0
    next_log = started + 30
    try:
        for batch in stream(count, seed, STORE_BATCH):
            items = []
            for statement in batch:
                statement["authority"] = _AUTHORITY
                statement["version"] = "1.0.3"
                items.append(
                    NewStatement(
                        id=statement["id"],
                        statement=statement,
                        index=index_statement(statement),
                        timestamp_us=parse_timestamp_us(statement["timestamp"]),
                        authority_id=None,
                        version="1.0.3",
                    )
                )
            store.add_statements(items, now_us)
            stored += len(items)
            if time.monotonic() >= next_log:
                rate = stored / (time.monotonic() - started)
                log(f"  stored {stored:,}/{count:,} ({rate:,.0f}/s)")
                next_log += 30
    finally:
        engine.dispose()
    seconds = time.monotonic() - started
    return {"stored": stored, "store_seconds": round(seconds, 1)}


def run_replay(database_url: str, map_file: Path, workdir: Path) -> dict[str, Any]:
    """Run the CLI replay as a subprocess; its own figures and the wall clock."""
    env = bench_env(database_url)
    env.update(LRS_BRIDGE_COMPETENCY_ENGINE="1", LRS_BRIDGE_COMPETENCY_MAP_FILE=str(map_file))
    stderr_path = workdir / "replay.stderr"
    started = time.monotonic()
    with stderr_path.open("w+b") as stderr:
        try:
            done = subprocess.run(
                [sys.executable, "-m", "lrs_bridge.cli", "competencies", "replay"],
                env=env,
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=stderr,
                timeout=REPLAY_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"replay did not finish within {REPLAY_TIMEOUT_S:.0f}s") from exc
        wall = time.monotonic() - started
        stderr.seek(0)
        tail = stderr.read().decode(errors="replace")[-2000:]
    output = done.stdout.decode(errors="replace")
    found = _REPLAYED.search(output)
    if done.returncode or not found:
        raise BenchError(f"replay failed (exit {done.returncode}):\n{output}{tail}")
    replayed = int(found.group(1))
    return {
        "replayed": replayed,
        "replay_seconds": float(found.group(2)),
        "replay_per_s": float(found.group(3).replace(",", "")),
        "wall_seconds": round(wall, 1),
        "wall_per_s": round(replayed / wall, 1),
        "output": output.strip(),
    }


def count_rows(database_url: str) -> dict[str, int]:
    """What the replay produced, counted with SQL."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:

            def one(sql: str) -> int:
                return int(conn.execute(text(sql)).scalar_one())

            return {
                "statements": one("SELECT count(*) FROM statements"),
                "evidence_rows": one("SELECT count(*) FROM evidence"),
                "statements_with_evidence": one("SELECT count(DISTINCT seq) FROM evidence"),
                "state_rows": one("SELECT count(*) FROM competency_state"),
                "learners": one("SELECT count(*) FROM learners"),
            }
    finally:
        engine.dispose()
