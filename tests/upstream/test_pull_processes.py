"""``lrs-bridge upstream pull`` as operators run it: real processes, kill -9, races, signals."""

from __future__ import annotations

import datetime
import os
import pty
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.sqlalchemy import SqlStore
from lrs_bridge.store.upstreams import UpstreamStore
from lrs_bridge.upstream.model import Upstream
from lrs_bridge.xapi.timefmt import now_us
from tests.conftest import free_port
from tests.upstream.pull_helpers import add_pulling, many, post_all, pulled_count, state


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The local side's settings: small pages (many of them), a short lease."""
    return dict(
        os.environ,
        LRS_BRIDGE_DATABASE_URL=database_url,
        LRS_BRIDGE_DATA_DIR=str(tmp_path / "local"),
        LRS_BRIDGE_UPSTREAM_BATCH_SIZE="50",
        LRS_BRIDGE_UPSTREAM_LEASE_SECONDS="5",
        LRS_BRIDGE_UPSTREAM_PULL_SECONDS="1",
    )


def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lrs_bridge.cli", "upstream", "pull", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lrs_bridge.cli", "upstream", "pull", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def listed(output: str) -> tuple[int, int]:
    """(new, listed) from a pass's summary line."""
    found = re.search(r"(\d+) new of (\d+) listed", output)
    assert found, output
    return int(found[1]), int(found[2])


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_kill_9_mid_pull_then_a_new_run_resumes_from_the_cursor(engine, env, peer):
    ids = post_all(peer, many(1250))
    upstream = add_pulling(engine, peer)
    proc = start(env, "peer", "--once")
    wait_for(lambda: pulled_count(engine, upstream.id) >= 200)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    at_kill = state(engine, upstream.id)
    assert at_kill["pull_more"], "the pass ended before it was killed: nothing to resume"
    assert at_kill["pull_lease_token"] is not None  # a crash leaves its lease to run out

    # The lease (5 s) runs out, then a new run takes it and carries on from the cursor.
    wait_for(lambda: (state(engine, upstream.id)["pull_lease_until_us"] or 0) < now_us(), 30)
    resumed = run(env, "peer", "--once")

    assert resumed.returncode == 0, resumed.stderr
    _new, relisted = listed(resumed.stdout)
    # From the cursor, not the start (at most the batch that was being stored is listed again).
    assert relisted <= 1250 - at_kill["pulled_count"] + 200
    store = SqlStore(engine)
    assert set(store.find_statements(ids)) == set(ids)
    assert store.count_statements() == 1250
    assert state(engine, upstream.id)["pulled_count"] == 1250  # every statement counted once


def test_two_processes_racing_pull_every_statement_once(engine, env, peer):
    ids = post_all(peer, many(600))
    upstream = add_pulling(engine, peer)
    procs = [start(env, "peer", "--once") for _ in range(2)]
    results = [(proc.wait(timeout=300), *proc.communicate()) for proc in procs]

    for code, _out, err in results:
        assert code == 0 or "another puller holds the pull lease" in err, err
    assert any(code == 0 for code, _, _ in results)
    assert set(SqlStore(engine).find_statements(ids)) == set(ids)
    assert state(engine, upstream.id)["pulled_count"] == 600


def test_from_back_fills_with_progress_lines_and_leaves_the_cursor_to_carry_on(engine, env, peer):
    earlier = post_all(peer, many(5))
    time.sleep(1.1)
    since = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    time.sleep(0.1)
    history = post_all(peer, many(450))
    add_pulling(engine, peer)

    backfill = run(env, "peer", "--from", since)

    assert backfill.returncode == 0, backfill.stderr
    lines = [line for line in backfill.stdout.splitlines() if line.startswith("pulled ")]
    # A line per intake batch of four pages of 50 (not a TTY: plain lines, no bar).
    assert len(lines) == 3
    assert re.match(r"pulled 200 \(200 new, [\d,]+/s\) up to 20\d\d-", lines[0]), lines[0]
    shares = [int(re.findall(r"(\d+)% of the time since --from", line)[0]) for line in lines]
    assert shares == sorted(shares) and 0 < shares[-1] <= 100
    assert listed(backfill.stdout) == (450, 450)
    store = SqlStore(engine)
    assert set(store.find_statements(history)) == set(history)
    assert not store.find_statements(earlier)  # stored upstream before --from

    later = post_all(peer, many(4))
    carried_on = run(env, "peer", "--once")
    assert carried_on.returncode == 0, carried_on.stderr
    assert listed(carried_on.stdout)[0] == 4
    assert set(store.find_statements(later)) == set(later)
    assert not store.find_statements(earlier)


def test_keeps_pulling_until_sigterm(engine, env, peer):
    post_all(peer, many(20))
    upstream = add_pulling(engine, peer)
    proc = start(env, "peer")
    wait_for(lambda: pulled_count(engine, upstream.id) == 20)
    later = post_all(peer, many(3))
    wait_for(lambda: bool(SqlStore(engine).find_statements(later)))
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert state(engine, upstream.id)["pulled_count"] == 23
    assert state(engine, upstream.id)["pull_lease_token"] is None


def test_a_failed_pull_exits_non_zero_with_the_reason(engine, env, peer):
    unknown = run(env, "nosuch", "--once")
    assert unknown.returncode != 0
    assert "no upstream named 'nosuch'" in unknown.stderr

    UpstreamStore(engine).add(
        Upstream(
            id=0,
            name="down",
            endpoint=f"http://127.0.0.1:{free_port()}/xapi/",
            key="k",
            secret="s",
            direction="pull",
        ),
        now_us(),
    )
    down = run(env, "down", "--once")
    assert down.returncode != 0
    assert "cannot reach" in down.stderr
    row = state(engine, UpstreamStore(engine).by_name("down").id)  # type: ignore[union-attr]
    assert "cannot reach" in row["pull_last_error"]

    forward_only = UpstreamStore(engine).add(
        Upstream(id=0, name="fwd", endpoint=peer.endpoint, key="k", secret="s"), now_us()
    )
    refused = run(env, forward_only.name, "--once")
    assert refused.returncode != 0
    assert "does not pull" in refused.stderr


def test_from_on_a_terminal_draws_a_progress_bar(engine, env, peer):
    since = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    post_all(peer, many(120))
    add_pulling(engine, peer)
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "lrs_bridge.cli", "upstream", "pull", "peer", "--from", since],
        env=env,
        stdout=terminal,
        stderr=subprocess.PIPE,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed: the command has exited
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    text = shown.decode(errors="replace")
    assert re.search(r"\d+ new, [\d,]+/s\s+\[#+", text), text  # click's bar, with its label
    assert re.search(r"\[#+\]\s+100%", text), text  # full once the listing has ended
    assert "pulled " not in text  # no plain lines on a terminal
    assert "120 new of 120 listed" in text
