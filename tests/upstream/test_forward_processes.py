"""``lrs-bridge upstream forward`` as operators run it: real processes, killed with -9 in the
middle of a batch, racing for one upstream, stopped with SIGTERM. The local side on both
databases, the ``peer`` lrs-bridge upstream behind a proxy that can hold its answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.upstream.conftest import PeerLrs
from tests.upstream.forwarding import Local, ManualClock

LEASE_SECONDS = 5  # the smallest the settings allow


class HoldingProxy:
    """Passes requests to the peer; while ``holding``, answers a POST only after ``release``
    (the peer has stored the batch, the forwarder has not heard back: the crash window)."""

    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.holding = True
        self.forwarded = threading.Event()
        self.release = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _pass(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")
                }
                answer = httpx.request(
                    self.command,
                    proxy.target + self.path,
                    content=body,
                    headers=headers,
                    timeout=60,
                )
                if self.command == "POST" and proxy.holding:
                    proxy.forwarded.set()
                    proxy.release.wait(60)
                self.send_response(answer.status_code)
                for name in ("Content-Type", "X-Experience-API-Version", "Retry-After"):
                    if name in answer.headers:
                        self.send_header(name, answer.headers[name])
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PUT = _pass  # noqa: N815 - the stdlib's names

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_port}/xapi/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local(app, client) -> Local:
    return Local(app, client)


@pytest.fixture
def proxy(peer: PeerLrs) -> Iterator[HoldingProxy]:
    holding = HoldingProxy(peer.server.url)
    yield holding
    holding.close()


def _command(database_url: str, workdir: Path, args: tuple[str, ...]) -> dict[str, object]:
    env = dict(
        os.environ,
        LRS_BRIDGE_DATABASE_URL=database_url,
        LRS_BRIDGE_DATA_DIR=str(workdir / "var"),
        LRS_BRIDGE_UPSTREAM_LEASE_SECONDS=str(LEASE_SECONDS),
        LRS_BRIDGE_UPSTREAM_FORWARD_SECONDS="1",
    )
    return {
        "args": [sys.executable, "-m", "lrs_bridge.cli", "upstream", "forward", *args],
        "env": env,
        "text": True,
    }


def run_forward(database_url: str, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``lrs-bridge upstream forward ARGS`` to its end."""
    return subprocess.run(  # type: ignore[call-overload,no-any-return]
        **_command(database_url, workdir, args), capture_output=True, timeout=120
    )


def start_forward(database_url: str, workdir: Path, *args: str) -> subprocess.Popen[str]:
    """``lrs-bridge upstream forward ARGS`` in the background."""
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        **_command(database_url, workdir, args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_kill_9_mid_batch_then_a_run_after_the_lease_delivers_every_statement_once(
    local: Local, peer: PeerLrs, proxy: HoldingProxy, database_url: str, tmp_path: Path
):
    upstream = local.add_upstream(proxy.endpoint, peer.key, peer.secret)
    ids = local.post_many(1300)
    first = start_forward(database_url, tmp_path, "--once")
    try:
        # The peer has stored the first batch; the forwarder waits for the answer.
        assert proxy.forwarded.wait(60), "the forwarder sent nothing"
        # A second forwarder meanwhile finds the upstream taken (its lease is renewed).
        time.sleep(LEASE_SECONDS * 1.5)
        racing = local.forwarder().forward()
        assert racing.upstreams[0].busy and racing.delivered == 0
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=30)
    assert first.returncode == -signal.SIGKILL
    proxy.holding = False
    proxy.release.set()
    assert len(peer.all_ids()) == 500
    assert local.statuses(upstream) == {"pending": 1300}
    # Until its lease runs out, the killed forwarder's upstream stays taken.
    assert local.forwarder().forward().upstreams[0].busy

    clock = ManualClock()
    clock.advance(LEASE_SECONDS + 1)
    report = local.forwarder(clock).forward()

    assert (report.delivered, report.remaining, report.failing) == (1300, 0, False)
    held = peer.all_ids()
    assert held == ids  # the re-sent first batch is held once, and the order kept
    assert local.statuses(upstream) == {"delivered": 1300}


def test_forward_once_prints_a_line_per_upstream_and_exits_non_zero_when_failing(
    local: Local, peer: PeerLrs, database_url: str, tmp_path: Path
):
    reachable = local.add_peer(peer, name="peer")
    local.add_upstream("http://127.0.0.1:9/xapi/", "k", "s", name="gone")
    local.post_many(20)

    both = run_forward(database_url, tmp_path, "--once")
    only_peer = run_forward(database_url, tmp_path, "peer", "--once")
    unknown = run_forward(database_url, tmp_path, "nosuch", "--once")

    lines = both.stdout.splitlines()
    assert both.returncode == 1
    assert sorted(line.split(":")[0] for line in lines) == ["gone", "peer"]
    assert any(line.startswith("peer: ok, delivered 20") for line in lines), lines
    assert any(line.startswith("gone: failing, delivered 0") for line in lines), lines
    assert only_peer.returncode == 0
    assert "peer: ok, delivered 0" in only_peer.stdout
    assert unknown.returncode == 2
    assert "nosuch" in unknown.stderr
    assert local.statuses(reachable) == {"delivered": 20}


def test_forward_without_once_keeps_delivering_until_sigterm(
    local: Local, peer: PeerLrs, database_url: str, tmp_path: Path
):
    local.add_peer(peer)
    running = start_forward(database_url, tmp_path)
    try:
        ids = local.post_many(30)
        deadline = time.monotonic() + 30
        while len(peer.all_ids()) < 30 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert peer.all_ids() == ids
        later = local.post_many(5)
        deadline = time.monotonic() + 30
        while len(peer.all_ids()) < 35 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert peer.all_ids() == ids + later
    finally:
        running.send_signal(signal.SIGTERM)
        out, err = running.communicate(timeout=30)
    assert running.returncode == 0, err
    assert "delivered 35" in out


def test_two_forward_processes_started_together_deliver_each_statement_once(
    local: Local, peer: PeerLrs, database_url: str, tmp_path: Path
):
    upstream = local.add_peer(peer)
    ids = local.post_many(2000)

    racing = [start_forward(database_url, tmp_path, "--once") for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in racing]

    assert [process.returncode for process in racing] == [0, 0], outputs
    delivered = [int(out.split("delivered ")[1].split(",")[0]) for out, _ in outputs]
    assert sum(delivered) == 2000  # one had the upstream (or each had part of the queue)
    assert peer.all_ids() == ids
    assert local.statuses(upstream) == {"delivered": 2000}
    assert local.state(upstream).forwarded_count == 2000


def test_the_scheduler_forwards_every_upstream_forward_seconds(local: Local, peer: PeerLrs):
    from lrs_bridge.scheduling.jobs import periodic_jobs

    upstream = local.add_peer(peer)
    ids = local.post_many(3)
    [job] = [job for job in periodic_jobs(local.runtime) if job.id == "upstream-forward"]

    job.func(local.runtime)

    assert job.seconds == local.runtime.settings.upstream_forward_seconds
    assert peer.all_ids() == ids
    assert local.statuses(upstream) == {"delivered": 3}
