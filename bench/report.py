"""The stdout report: one figures table per database, then the issue's targets, PASS or MISS.

A target is judged on the best worker count tried for writes, and on the worst query kind for
reads (a p99 target holds only if every kind of query meets it). A phase with any non-200
response or transport error cannot PASS. The competency engine's sections follow (issue 3
item 9): ingest with the engine on vs off per write phase (on >= 80% of off), and replay
throughput (>= 20,000 statements/s on SQLite). Last the refresher scan: 100,000 learners x 12
competencies with 5% due, first scan <= 10 s and a second with nothing new <= 1 s, on both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

QUERY_P99_MS = 10.0
ENGINE_MIN_RATIO = 0.80
REPLAY_MIN_PER_S = 20_000
QUERY_MIN_STORED = 100_000
REFRESHER_FIRST_S = 10.0
REFRESHER_SECOND_S = 1.0
REFRESHER_MIN_LEARNERS = 100_000
#: CPU (percent of one core) used by processes outside the benchmark that makes a phase suspect.
NOISY_PCT = 25
_STATE_LETTERS = {
    "running": "R",
    "sleep": "S",
    "poll": "P",
    "futex": "F",
    "io": "I",
    "lock": "L",
    "other": "O",
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Target:
    """One line of the issue's targets."""

    label: str
    applies_to: tuple[str, ...]
    judge: Callable[[dict[str, Any]], tuple[str, float | None, str]]


def _phases(run: dict[str, Any], name: str, clients: int) -> list[dict[str, Any]]:
    return [p for p in run.get("phases", []) if p["name"] == name and p["clients"] == clients]


def _best_write(
    run: dict[str, Any], batch: int, key: str, goal: float
) -> tuple[str, float | None, str]:
    candidates = _phases(run, f"POST batch {batch}", 8)
    if not candidates:
        return "n/a", None, "not measured"
    best = max(candidates, key=lambda p: p[key])
    errors = sum(best["errors"].values())
    ok = best[key] >= goal and not errors
    detail = f"{best['workers']} workers" + (f", {errors} errors" if errors else "")
    return ("PASS" if ok else "MISS"), best[key], detail


def _query_p99(run: dict[str, Any], clients: int) -> tuple[str, float | None, str]:
    if run.get("acknowledged", 0) < QUERY_MIN_STORED:
        return "n/a", None, f"only {run.get('acknowledged', 0):,} stored"
    queries = [p for p in run["phases"] if p["section"] == "query" and p["clients"] == clients]
    if not queries:
        return "n/a", None, "not measured"
    worst = max(queries, key=lambda p: p["p99_ms"])
    errors = sum(sum(p["errors"].values()) for p in queries)
    ok = worst["p99_ms"] <= QUERY_P99_MS and not errors
    detail = f"worst: {worst['name'].removeprefix('GET ')}" + (
        f", {errors} errors" if errors else ""
    )
    return ("PASS" if ok else "MISS"), worst["p99_ms"], detail


TARGETS = [
    Target(
        label=">= 15,000 statements/s, POST batch 100 x 8 clients",
        applies_to=("sqlite",),
        judge=lambda run: _best_write(run, 100, "statements_per_s", 15_000),
    ),
    Target(
        label=">= 1,500 requests/s, POST batch 1 x 8 clients",
        applies_to=("sqlite", "postgresql"),
        judge=lambda run: _best_write(run, 1, "requests_per_s", 1_500),
    ),
    Target(
        label="query p99 <= 10 ms at 100k stored, 1 client",
        applies_to=("sqlite", "postgresql"),
        judge=lambda run: _query_p99(run, 1),
    ),
    Target(
        label="query p99 <= 10 ms at 100k stored, 8 clients",
        applies_to=("sqlite", "postgresql"),
        judge=lambda run: _query_p99(run, 8),
    ),
]


def _threads(states: dict[str, float]) -> str:
    return " ".join(
        f"{_STATE_LETTERS[k]}{v:.1f}" if k in _STATE_LETTERS else f"{k}:{v:.1f}"
        for k, v in states.items()
        if v >= 0.05
    )


def _figures(run: dict[str, Any]) -> None:
    header = (
        f"{'phase':<26}{'wrk':>4}{'cli':>4}{'req/s':>9}{'stmt/s':>9}{'p50 ms':>8}"
        f"{'p99 ms':>8}{'err':>5}  {'cpu% srv/gen/pg/other':<21} server threads"
    )
    print(header)
    print("-" * len(header) + "-" * 18)
    for p in run["phases"]:
        cpu = p["cpu_pct"]
        cpu_text = f"{cpu['server']}/{cpu['loadgen']}/{cpu['postgres']}/{cpu.get('other', '?')}"
        per_s = (
            f"{p['statements_per_s']:>9,.0f}"
            if p["section"] != "query"
            else (f"{p['returned_statements'] / p['seconds']:>9,.0f}")
        )
        print(
            f"{p['name']:<26}{p['workers']:>4}{p['clients']:>4}{p['requests_per_s']:>9,.0f}"
            f"{per_s}{p['p50_ms']:>8.2f}{p['p99_ms']:>8.2f}{sum(p['errors'].values()):>5}  "
            f"{cpu_text:<21} {_threads(p['server_threads'])}"
        )
        if p.get("pg_active"):
            waits = ", ".join(f"{k} {v}" for k, v in p["pg_active"].items())
            print(f"{'':<26}    pg active backends: {waits}")
        if p["errors"]:
            print(f"{'':<26}    errors {p['errors']}: {p['error_sample'][:160]}")


def _engine_section(run: dict[str, Any], verdicts: list[dict[str, Any]]) -> None:
    """Off vs on per write phase, with the ratio judged against ENGINE_MIN_RATIO."""
    warm = run["warmups"]
    rows = run["rows"]
    print(
        f"{run['workers']} workers; measured after a warm-up pass that posted the whole corpus "
        f"once per mode ({warm['on']['statements']:,} statements: off "
        f"{warm['off']['statements_per_s']:,.0f}/s, on {warm['on']['statements_per_s']:,.0f}/s), "
        f"so every learner ({rows['on']['learners']:,}) existed before measuring: steady state, "
        "not learner creation. Phases alternate off/on order. Engine on stored "
        f"{rows['on']['evidence_rows']:,} evidence rows, {rows['on']['state_rows']:,} states."
    )
    header = (
        f"{'phase':<18}{'cli':>4}{'off stmt/s':>12}{'on stmt/s':>11}{'on/off':>8}"
        f"{'off p99':>9}{'on p99':>8}{'err':>5}  {'cpu% srv off/on':<16} target >= "
        f"{ENGINE_MIN_RATIO:.0%}"
    )
    print(header)
    print("-" * len(header))
    by_key: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}
    for p in run["phases"]:
        by_key.setdefault((p["name"], p["clients"]), {})[p["engine"]] = p
    for (name, clients), pair in by_key.items():
        off, on = pair.get("off"), pair.get("on")
        if off is None or on is None:
            continue
        ratio = on["statements_per_s"] / off["statements_per_s"] if off["statements_per_s"] else 0
        errors = sum(off["errors"].values()) + sum(on["errors"].values())
        verdict = "PASS" if ratio >= ENGINE_MIN_RATIO and not errors else "MISS"
        cpu = f"{off['cpu_pct']['server']}/{on['cpu_pct']['server']}"
        off_s, on_s = off["statements_per_s"], on["statements_per_s"]
        print(
            f"{name:<18}{clients:>4}{off_s:>12,.0f}{on_s:>11,.0f}{ratio:>8.2f}"
            f"{off['p99_ms']:>9.2f}{on['p99_ms']:>8.2f}{errors:>5}  {cpu:<16} {verdict}"
        )
        verdicts.append(
            {
                "target": f"ingest engine on >= {ENGINE_MIN_RATIO:.0%} of off, {name} x {clients}",
                "database": run["database"],
                "value": round(ratio, 3),
                "verdict": verdict,
                "detail": f"off {off_s:,.0f}/s, on {on_s:,.0f}/s"
                + (f", {errors} errors" if errors else ""),
            }
        )
    noisy = [p for p in run["phases"] if p["cpu_pct"].get("other", 0) >= NOISY_PCT]
    if noisy:
        print(
            f"WARNING: other processes used >= {NOISY_PCT}% CPU during {len(noisy)} of "
            f"{len(run['phases'])} phases (ratios disturbed; re-run on a quiet machine)"
        )
    for note in run["notes"]:
        print(f"NOTE: {note}")


def _replay_section(run: dict[str, Any], verdicts: list[dict[str, Any]]) -> None:
    """Replay figures and the statements/s target (judged on SQLite, info elsewhere)."""
    rows = run["rows"]
    share = rows["statements_with_evidence"] / max(1, rows["statements"])
    store_rate = run["stored"] / max(run["store_seconds"], 1e-9)
    print(
        f"{run['rules']}-rule map; {run['stored']:,} statements stored directly through "
        f"SqlStore.add_statements (engine off) in {run['store_seconds']:,.0f}s "
        f"({store_rate:,.0f}/s)"
    )
    print(
        f"replay (CLI): {run['replayed']:,} statements in {run['replay_seconds']:,.1f}s = "
        f"{run['replay_per_s']:,.0f} statements/s; wall clock with process start and map load "
        f"{run['wall_seconds']:,.1f}s = {run['wall_per_s']:,.0f}/s"
    )
    print(
        f"produced: {rows['evidence_rows']:,} evidence rows from "
        f"{rows['statements_with_evidence']:,} statements ({share:.0%} matched), "
        f"{rows['state_rows']:,} state rows, {rows['learners']:,} learners"
    )
    judged = run["database"] == "sqlite"
    ok = run["replay_per_s"] >= REPLAY_MIN_PER_S
    verdict = ("PASS" if ok else "MISS") if judged else "info"
    label = f"replay >= {REPLAY_MIN_PER_S:,} statements/s ({run['rules']} rules)"
    print(f"target: {label}: {run['replay_per_s']:,.0f} {verdict}")
    verdicts.append(
        {
            "target": label,
            "database": run["database"],
            "value": run["replay_per_s"],
            "verdict": verdict,
            "detail": f"{run['replayed']:,} statements; wall {run['wall_per_s']:,.0f}/s",
        }
    )


def _refresher_section(run: dict[str, Any], verdicts: list[dict[str, Any]]) -> None:
    """Both scans' figures, judged at the issue's scale (smaller runs are info)."""
    first, second, rows = run["first_scan"], run["second_scan"], run["rows"]
    print(
        f"{run['learners']:,} learners x {run['competencies']} competencies "
        f"({run['state_rows']:,} states), {run['due_pairs']:,} due at {run['at']}; seeded "
        f"directly in {run['seed_seconds']:,.1f}s (generated in {run['generate_seconds']:,.1f}s)"
    )
    judged = run["learners"] >= REFRESHER_MIN_LEARNERS
    header = (
        f"{'scan':<8}{'seconds':>9}{'candidates':>12}{'created':>9}{'deferred':>10}"
        f"{'skipped':>9}{'notifications':>15}  target"
    )
    print(header)
    print("-" * (len(header) + 14))
    for name, scan, goal in (
        ("first", first, REFRESHER_FIRST_S),
        ("second", second, REFRESHER_SECOND_S),
    ):
        ok = scan["seconds"] <= goal and (name == "first" or not scan["created"])
        verdict = ("PASS" if ok else "MISS") if judged else "info"
        print(
            f"{name:<8}{scan['seconds']:>9.2f}{scan['candidates']:>12,}{scan['created']:>9,}"
            f"{scan['deferred']:>10,}{scan['skipped']:>9,}{scan['notifications']:>15,}  "
            f"<= {goal:g} s {verdict}"
        )
        verdicts.append(
            {
                "target": f"refresher {name} scan <= {goal:g} s "
                f"({REFRESHER_MIN_LEARNERS:,} learners x 12, 5% due)",
                "database": run["database"],
                "value": scan["seconds"],
                "verdict": verdict,
                "detail": f"{run['learners']:,} learners; {scan['created']:,} created, "
                f"{scan['notifications']:,} notifications",
            }
        )
    print(
        f"rows after: {rows['refresher_assignments']:,} assignments, "
        f"{rows['assignment_events']:,} events, {rows['notifications']:,} notifications "
        f"({rows['notification_assignments']:,} links)"
    )
    for note in run["notes"]:
        print(f"NOTE: {note}")


def _skipped_or_failed(run: dict[str, Any]) -> bool:
    if "skipped" in run:
        print(f"SKIPPED: PostgreSQL not reachable ({run['skipped']})")
        return True
    if "failed" in run:
        print(f"FAILED: {run['failed'][:2000]}")
        return True
    return False


def print_report(
    meta: dict[str, Any],
    runs: list[dict[str, Any]],
    engine_runs: list[dict[str, Any]] | None = None,
    replay_runs: list[dict[str, Any]] | None = None,
    refresher_runs: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Print the tables; return the target verdicts for the JSON file."""
    plan = meta["plan"]
    print(
        f"\nlrs-bridge benchmark  commit {meta['commit']}  {meta['cpus']} CPUs (load generator "
        f"shares them)  python {meta['python']}"
    )
    if runs:
        print(
            f"write phases {plan['post_seconds']:g} s, query phases {plan['query_seconds']:g} s, "
            f"limit={plan['limit']}, paging follows up to {plan['pages']} pages, "
            f"statements ~{meta['statement_bytes_avg']} bytes"
        )
        print(
            "stmt/s on GET rows = statements returned per second. cpu% is of one core "
            f"({100 * meta['cpus']}% = all). server threads = mean gunicorn-worker threads "
            "R running, S sleeping (SQLite busy back-off), P polling (socket or DB), "
            "F futex (GIL/idle), L waiting for the write gate (flock), I in read/write/fsync, "
            "sysN another syscall."
        )
    for run in runs:
        title = run["database"]
        print(f"\n== {title} ==")
        if "skipped" in run:
            print(f"SKIPPED: PostgreSQL not reachable ({run['skipped']})")
            continue
        if "failed" in run:
            print(f"FAILED: {run['failed'][:2000]}")
            continue
        print(
            f"workers tried {run['workers_tried']}, top-up and queries on "
            f"{run['workers_chosen']}; {run['stored_rows']:,} statements stored "
            f"({run['acknowledged']:,} acknowledged)"
        )
        _figures(run)
        noisy = [p["name"] for p in run["phases"] if p["cpu_pct"].get("other", 0) >= NOISY_PCT]
        if noisy:
            print(
                f"WARNING: other processes used >= {NOISY_PCT}% CPU during {len(noisy)} phases "
                "(figures disturbed; re-run on a quiet machine)"
            )
        for note in run["notes"]:
            print(f"NOTE: {note}")
    verdicts: list[dict[str, Any]] = []
    if runs:
        _targets_table(runs, verdicts)
    for run in engine_runs or []:
        print(f"\n== competency engine on vs off: {run['database']} ==")
        if not _skipped_or_failed(run):
            _engine_section(run, verdicts)
    for run in replay_runs or []:
        print(f"\n== competency replay: {run['database']} ==")
        if not _skipped_or_failed(run):
            _replay_section(run, verdicts)
    for run in refresher_runs or []:
        print(f"\n== refresher scan: {run['database']} ==")
        if not _skipped_or_failed(run):
            _refresher_section(run, verdicts)
    return verdicts


def _targets_table(runs: list[dict[str, Any]], verdicts: list[dict[str, Any]]) -> None:
    names = [r["database"] for r in runs]
    print("\n== targets ==")
    print(f"{'target':<52}" + "".join(f"{n:>26}" for n in names))
    for target in TARGETS:
        cells = []
        for run in runs:
            if "phases" not in run:
                cells.append("-")
                continue
            verdict, value, detail = target.judge(run)
            if run["database"] not in target.applies_to and verdict != "n/a":
                verdict = "info"
            shown = "-" if value is None else f"{value:,.1f}"
            cells.append(f"{shown} {verdict}")
            verdicts.append(
                {
                    "target": target.label,
                    "database": run["database"],
                    "value": value,
                    "verdict": verdict,
                    "detail": detail,
                }
            )
        print(f"{target.label:<52}" + "".join(f"{c:>26}" for c in cells))
    details = [f"{v['database']}: {v['target']}: {v['detail']}" for v in verdicts]
    print("  " + "\n  ".join(details))
