"""Where the time goes during a phase: CPU per party and what server threads are waiting on.

On 2 shared cores a throughput figure alone cannot tell a slow server from a starved one, so
each phase records CPU seconds of the server, the load generator, PostgreSQL and everything
else on the machine, and samples server worker threads' state from ``/proc``: running, waiting
for the write gate's flock, sleeping in SQLite's busy-handler back-off, polling a socket or
waiting on a futex. For PostgreSQL it also samples ``pg_stat_activity`` wait events (e.g. the
statement-write advisory lock).
"""

from __future__ import annotations

import collections
import os
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

_TICK = os.sysconf("SC_CLK_TCK")
#: x86-64 syscall numbers → what a blocked server thread is doing.
_SYSCALLS = {
    35: "sleep",
    230: "sleep",  # nanosleep / clock_nanosleep: SQLite busy-handler back-off
    202: "futex",  # the GIL, a lock, or an idle gthread pool thread
    72: "lock",
    73: "lock",  # fcntl / flock: the SQLite statement write gate (store/gate.py)
    7: "poll",
    23: "poll",
    232: "poll",
    270: "poll",
    271: "poll",
    281: "poll",
    0: "io",
    1: "io",
    17: "io",
    18: "io",
    20: "io",
    44: "io",
    45: "io",
    46: "io",
    74: "io",
    75: "io",  # read/write/send/recv/fsync/fdatasync
}


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a live process (0 once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def postgres_pids() -> list[int]:
    """Local PostgreSQL server processes (readable when it runs on this machine)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if Path(f"/proc/{entry}/comm").read_text().strip() == "postgres":
                    pids.append(int(entry))
            except OSError:
                continue
    return pids


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, total


def _thread_state(pid: int, tid: str) -> str | None:
    base = f"/proc/{pid}/task/{tid}"
    try:
        state = Path(f"{base}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "R":
            return "running"
        call = Path(f"{base}/syscall").read_text().split()[0]
    except (OSError, IndexError):
        return None
    if call == "running":
        return "running"
    try:
        number = int(call)
    except ValueError:
        return "other"
    return _SYSCALLS.get(number, f"sys{number}")


class PhaseObserver:
    """Start before a phase and stop after it; :meth:`stop` returns the observations.

    The pid lists are taken once per phase: walking ``/proc`` for them on every sample would
    cost the 2-core machine more than the sampling itself.
    """

    def __init__(
        self,
        server_pids: list[int],
        worker_pids: list[int],
        postgres_url: str | None,
        hz: float = 10.0,
    ) -> None:
        self.server_pids = server_pids
        self.worker_pids = worker_pids
        self.postgres_url = postgres_url
        self.interval = 1.0 / hz
        self._stop = threading.Event()
        self._thread_samples: collections.Counter[str] = collections.Counter()
        self._pg_samples: collections.Counter[str] = collections.Counter()
        self._samples = 0
        self._pg_count = 0
        self._threads: list[threading.Thread] = []

    def start(self) -> PhaseObserver:
        self._t0 = time.monotonic()
        self._own0 = time.process_time()
        self._machine0 = _machine_ticks()
        self._server0 = {pid: process_cpu_s(pid) for pid in self.server_pids}
        self._pg0 = (
            {pid: process_cpu_s(pid) for pid in postgres_pids()} if self.postgres_url else {}
        )
        self._threads = [threading.Thread(target=self._sample_threads, daemon=True)]
        if self.postgres_url:
            self._threads.append(threading.Thread(target=self._sample_postgres, daemon=True))
        for thread in self._threads:
            thread.start()
        return self

    def _sample_threads(self) -> None:
        while not self._stop.wait(self.interval):
            for pid in self.worker_pids:
                try:
                    tids = os.listdir(f"/proc/{pid}/task")
                except OSError:
                    continue
                for tid in tids:
                    state = _thread_state(pid, tid)
                    if state:
                        self._thread_samples[state] += 1
            self._samples += 1

    def _sample_postgres(self) -> None:
        query = text(
            "SELECT coalesce(wait_event_type, 'CPU') || ':' || coalesce(wait_event, 'running'),"
            " count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND state = 'active' GROUP BY 1"
        )
        engine = create_engine(str(self.postgres_url))
        try:
            with engine.connect() as conn:
                while not self._stop.wait(self.interval * 2):
                    for label, count in conn.execute(query):
                        self._pg_samples[str(label)] += int(count)
                    conn.rollback()  # a fresh snapshot for the next sample
                    self._pg_count += 1
        finally:
            engine.dispose()

    def stop(self, loadgen_cpu_s: float) -> dict[str, Any]:
        """CPU shares in percent of one core (200 % = both cores) and mean thread states."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        wall = max(1e-9, time.monotonic() - self._t0)
        busy1, total1 = _machine_ticks()
        busy = (busy1 - self._machine0[0]) / max(1, total1 - self._machine0[1])
        server = sum(process_cpu_s(pid) - self._server0.get(pid, 0.0) for pid in self.server_pids)
        pg = (
            sum(process_cpu_s(pid) - self._pg0.get(pid, 0.0) for pid in postgres_pids())
            if self.postgres_url
            else 0.0
        )
        own = time.process_time() - self._own0
        cores = os.cpu_count() or 1
        machine = 100 * cores * busy
        ours = 100 * (server + loadgen_cpu_s + pg + own) / wall
        out: dict[str, Any] = {
            "cpu_pct": {
                "server": round(100 * server / wall),
                "loadgen": round(100 * loadgen_cpu_s / wall),
                "postgres": round(100 * pg / wall),
                "bench_parent": round(100 * own / wall),
                "machine_busy": round(machine),
                # Processes that are not part of this benchmark (another job on the machine):
                # when this is large, the figures are disturbed and should be re-measured.
                "other": round(max(0.0, machine - ours)),
                "cores": cores,
            },
            "server_threads": {
                k: round(v / max(1, self._samples), 2)
                for k, v in sorted(self._thread_samples.items())
            },
        }
        if self.postgres_url:
            out["pg_active"] = {
                k: round(v / max(1, self._pg_count), 2) for k, v in self._pg_samples.most_common(6)
            }
        return out
