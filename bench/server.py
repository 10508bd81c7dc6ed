"""Throwaway databases and a real ``lrs-bridge serve`` process, as production runs it.

The server is started through the CLI (gunicorn workers, no scheduler) so the figures include
HTTP parsing, auth and the WSGI stack, not just the store.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
PG_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/"
PG_ADMIN_DB = "test"


class BenchError(RuntimeError):
    """A setup step failed; the message says which and shows its output."""


def postgres_unreachable() -> str | None:
    """Why PostgreSQL cannot be used, or ``None`` when it answers."""
    try:
        engine = create_engine(PG_SERVER_URL + PG_ADMIN_DB, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "skip PostgreSQL"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


@contextlib.contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """A new empty database URL of ``kind`` (sqlite or postgresql), removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="lrs-bench-") as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    name = f"lrs_bridge_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_SERVER_URL + PG_ADMIN_DB, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_SERVER_URL + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench_env(database_url: str) -> dict[str, str]:
    """The environment every lrs-bridge process of the bench gets (no access log)."""
    return dict(
        os.environ,
        LRS_BRIDGE_DATABASE_URL=database_url,
        LRS_BRIDGE_ACCESS_LOG="0",
        LRS_BRIDGE_DATA_DIR=str(REPO / "var"),  # metrics files stay in the checkout's var/
    )


def cli(database_url: str, *args: str) -> str:
    """Run ``python -m lrs_bridge.cli`` with the database; its output, or BenchError."""
    done = subprocess.run(
        [sys.executable, "-m", "lrs_bridge.cli", *args],
        env=bench_env(database_url),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode:
        raise BenchError(f"lrs_bridge.cli {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def prepare(database_url: str) -> None:
    """Migrate the database and create the ``bench`` credential."""
    cli(database_url, "db", "upgrade")
    cli(
        database_url,
        "credentials",
        "create",
        "--name",
        "bench",
        "--scopes",
        "all",
        "--key",
        "bench",
        "--secret",
        "bench-secret",
    )


def count_statements(database_url: str) -> int:
    """Rows in the statements table, read directly: a check that every 200 stored something."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM statements")).scalar_one())
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """``lrs-bridge serve --workers N --no-scheduler`` on a free 127.0.0.1 port.

    ``env`` adds settings to the server's environment (e.g. ``LRS_BRIDGE_COMPETENCY_ENGINE``),
    so variants of one build can be compared without config files.
    """

    def __init__(
        self,
        database_url: str,
        workers: int,
        workdir: Path,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.port = _free_port()
        self.workers = workers
        self.log_path = workdir / f"server-{self.port}.log"
        self._log = self.log_path.open("w+b")
        self.proc = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "lrs_bridge.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--no-scheduler",
            ],
            cwd=workdir,
            env={**bench_env(database_url), **(env or {})},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_ready(timeout=60)
        except BenchError:
            self.stop()
            raise

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"server exited early:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1):
                    # Every worker must be up, not only the first: wait until gunicorn has
                    # forked them all (they are grandchildren of the serve process).
                    if len(self.worker_pids()) >= self.workers:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise BenchError(f"server not ready after {timeout:.0f}s:\n{self.output()}")

    def pids(self) -> list[int]:
        """The serve supervisor, the gunicorn master and its workers."""
        return [self.proc.pid, *_descendants(self.proc.pid)]

    def worker_pids(self) -> list[int]:
        """Gunicorn worker processes (children of the gunicorn master)."""
        children = _children_map()
        masters = children.get(self.proc.pid, [])
        return [w for m in masters for w in children.get(m, [])]

    def output(self) -> str:
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        """SIGTERM (graceful), then SIGKILL after 30 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _descendants(pid: int) -> list[int]:
    children = _children_map()
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
