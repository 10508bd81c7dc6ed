"""``lrs-bridge serve`` as a supervisor: its children never outlive it."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import pytest

from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.migrate import upgrade
from tests.conftest import ServerProcess

pytestmark = pytest.mark.server


def _process_table() -> dict[int, tuple[int, str]]:
    """pid → (parent pid, state) of every process, from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may contain spaces, so split after its ')'.
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        table[int(entry.name)] = (int(ppid), state)
    return table


def _descendants(pid: int) -> set[int]:
    table = _process_table()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, (ppid, _) in table.items() if ppid in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    """The pids still running (a zombie has exited and holds nothing)."""
    table = _process_table()
    return {pid for pid in pids if pid in table and table[pid][1] != "Z"}


def _port_free(port: int) -> bool:
    """Whether a restarted server could bind the port (gunicorn sets SO_REUSEADDR too)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.mark.parametrize("scheduler", [False, True], ids=["web-only", "with-scheduler"])
def test_kill_9_of_serve_leaves_no_child_and_frees_the_port(tmp_path, scheduler):
    url = f"sqlite:///{tmp_path / 'lrs.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    server = ServerProcess(url, tmp_path, scheduler=scheduler)
    children: set[int] = set()
    try:
        # gunicorn's master and its two workers (forked one after the other, so the second
        # may come after the first answers), plus the scheduler when it is on.
        expected = 4 if scheduler else 3
        deadline = time.monotonic() + 20
        while len(children := _descendants(server.proc.pid)) < expected:
            assert time.monotonic() < deadline, f"children of serve: {children}"
            time.sleep(0.05)
        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait(timeout=5)
        deadline = time.monotonic() + 2.0
        while (_alive(children) or not _port_free(server.port)) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = _alive(children)
        assert left == set(), f"children outlived serve: {left}"
        assert _port_free(server.port)
    finally:
        for pid in _alive(children):
            os.kill(pid, signal.SIGKILL)
        server.stop()
