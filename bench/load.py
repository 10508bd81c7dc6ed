"""The load generator: forked client processes with keep-alive HTTP/1.1 connections.

On a 2-core machine the client must cost far less CPU than the server, so each client is its
own process (no GIL sharing), keeps one ``http.client.HTTPConnection`` open, sends bodies that
were serialised before the clock started, and only patches statement ids in place between
requests. Processes are forked, so the corpus set with :func:`set_corpus` is shared
copy-on-write rather than pickled.
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import gc
import http.client
import math
import multiprocessing
import queue
import time
from typing import Any

import orjson

STATEMENTS_PATH = "/xapi/statements"
#: Bytes before the id's hex digits in a statement serialised with ``id`` first: ``{"id":"``.
_ID_OFFSET = 7
_REF_MARK = b'"objectType":"StatementRef","id":"'
_CORPUS: list[bytes] = []


def set_corpus(statements: list[bytes]) -> None:
    """Statements the POST workers send; call before :func:`run_phase` forks them."""
    _CORPUS[:] = statements


@dataclasses.dataclass(frozen=True, kw_only=True)
class Target:
    """Where and as whom to send requests."""

    port: int
    key: str = "bench"
    secret: str = "bench-secret"

    def headers(self) -> dict[str, str]:
        token = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
        return {
            "Authorization": f"Basic {token}",
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
            "Connection": "keep-alive",
        }


@dataclasses.dataclass(frozen=True, kw_only=True)
class PostJob:
    """POST /xapi/statements for ``duration`` seconds, or until ``quota`` statements are stored.

    ``tag`` (unique per job in a run) goes into every statement id, so no statement is ever
    re-sent: a re-sent id would take the LRS's cheaper "already stored" path.
    """

    name: str
    clients: int
    batch: int
    duration: float
    tag: int
    quota: int = 0


@dataclasses.dataclass(frozen=True, kw_only=True)
class QueryJob:
    """GET the given paths round-robin for ``duration`` seconds, following ``more`` links
    up to ``max_pages`` pages per path when ``max_pages`` > 1."""

    name: str
    clients: int
    duration: float
    paths: list[str]
    max_pages: int = 1


@dataclasses.dataclass(kw_only=True)
class WorkerResult:
    """What one client process measured (sent back to the parent through a queue)."""

    requests: int = 0
    statements: int = 0
    returned: int = 0
    empty_pages: int = 0
    errors: dict[str, int] = dataclasses.field(default_factory=dict)
    error_sample: str = ""
    latencies_ns: list[int] = dataclasses.field(default_factory=list)
    cpu_s: float = 0.0
    started: float = 0.0
    ended: float = 0.0


@dataclasses.dataclass(kw_only=True)
class PhaseResult:
    """A phase's merged figures."""

    name: str
    clients: int
    batch: int
    seconds: float
    requests: int
    statements: int
    returned: int
    empty_pages: int
    errors: dict[str, int]
    error_sample: str
    latencies_ns: list[int]
    loadgen_cpu_s: float
    #: ``time.monotonic()`` when the first client started and the last one finished.
    started: float = 0.0
    ended: float = 0.0
    observations: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def statements_per_s(self) -> float:
        return self.statements / self.seconds if self.seconds else 0.0

    def percentile_ms(self, fraction: float) -> float:
        """Nearest-rank percentile of the request latencies, in milliseconds."""
        if not self.latencies_ns:
            return float("nan")
        rank = max(
            0, min(len(self.latencies_ns) - 1, int(fraction * len(self.latencies_ns) + 0.5) - 1)
        )
        return self.latencies_ns[rank] / 1e6

    def summary(self) -> dict[str, Any]:
        """JSON-ready figures (latencies reduced to percentiles)."""
        return {
            "name": self.name,
            "clients": self.clients,
            "batch": self.batch,
            "seconds": round(self.seconds, 3),
            "requests": self.requests,
            "statements": self.statements,
            "requests_per_s": round(self.requests_per_s, 1),
            "statements_per_s": round(self.statements_per_s, 1),
            "p50_ms": round(self.percentile_ms(0.50), 3),
            "p90_ms": round(self.percentile_ms(0.90), 3),
            "p99_ms": round(self.percentile_ms(0.99), 3),
            "max_ms": round(self.latencies_ns[-1] / 1e6, 3) if self.latencies_ns else None,
            "returned_statements": self.returned,
            "empty_pages": self.empty_pages,
            "errors": self.errors,
            "error_sample": self.error_sample,
            "loadgen_cpu_s": round(self.loadgen_cpu_s, 3),
            **self.observations,
        }


# -- POST bodies ----------------------------------------------------------------------------


class _Bodies:
    """Pre-serialised request bodies plus where each statement id (and StatementRef) starts."""

    def __init__(self, statements: list[bytes], batch: int) -> None:
        self.items: list[tuple[bytearray, list[int]]] = []
        for start in range(0, len(statements) - batch + 1, batch):
            chunk = statements[start : start + batch]
            if batch == 1:
                # A single statement object, as cmi5 content and most tools send it.
                body, offsets = bytearray(chunk[0]), [0]
            else:
                body, offsets, pos = bytearray(b"["), [], 1
                for number, text in enumerate(chunk):
                    if number:
                        body += b","
                        pos += 1
                    offsets.append(pos)
                    body += text
                    pos += len(text)
                body += b"]"
            patches = [off + _ID_OFFSET for off in offsets]
            found = body.find(_REF_MARK)
            while found >= 0:
                patches.append(found + len(_REF_MARK))
                found = body.find(_REF_MARK, found + 1)
            self.items.append((body, patches))

    def take(self, number: int, tag: int) -> bytes:
        """Body ``number`` (cycling), with ids unique to ``tag`` and the cycle."""
        cycle, index = divmod(number, len(self.items))
        body, patches = self.items[index]
        prefix = f"{tag % 256:02x}{cycle % 0x1000000:06x}".encode()
        for at in patches:
            body[at : at + 8] = prefix
        return bytes(body)


# -- worker processes -----------------------------------------------------------------------


def _connect(target: Target) -> http.client.HTTPConnection:
    conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=30)
    conn.connect()
    return conn


def _exchange(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
) -> tuple[int, bytes]:
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def _record_error(result: WorkerResult, label: str, detail: str) -> None:
    result.errors[label] = result.errors.get(label, 0) + 1
    if not result.error_sample:
        result.error_sample = detail[:500]


def _post_worker(
    index: int, job: PostJob, target: Target, start_at: float, end_at: float, result: WorkerResult
) -> None:
    share = _CORPUS[index :: job.clients]
    bodies = _Bodies(share, job.batch)
    quota_requests = math.ceil(math.ceil(job.quota / job.batch) / job.clients)
    headers = target.headers()
    conn = _connect(target)
    number = 0
    _sleep_until(start_at)
    result.started = time.monotonic()
    while time.monotonic() < end_at and (not quota_requests or number < quota_requests):
        body = bodies.take(number, job.tag)
        number += 1
        began = time.perf_counter_ns()
        try:
            status, data = _exchange(conn, "POST", STATEMENTS_PATH, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            _record_error(result, type(exc).__name__, repr(exc))
            conn.close()
            continue
        result.latencies_ns.append(time.perf_counter_ns() - began)
        result.requests += 1
        if status == 200:
            result.statements += job.batch
        else:
            _record_error(result, str(status), data.decode(errors="replace"))
    result.ended = time.monotonic()
    conn.close()


def _query_worker(
    index: int, job: QueryJob, target: Target, start_at: float, end_at: float, result: WorkerResult
) -> None:
    headers = target.headers()
    del headers["Content-Type"]
    conn = _connect(target)
    paths = job.paths[index:] + job.paths[:index]  # clients start on different queries
    number = 0
    _sleep_until(start_at)
    result.started = time.monotonic()
    while time.monotonic() < end_at:
        path: str = paths[number % len(paths)]
        number += 1
        for _page in range(job.max_pages):
            began = time.perf_counter_ns()
            try:
                status, data = _exchange(conn, "GET", path, None, headers)
            except (OSError, http.client.HTTPException) as exc:
                _record_error(result, type(exc).__name__, repr(exc))
                conn.close()
                break
            result.latencies_ns.append(time.perf_counter_ns() - began)
            result.requests += 1
            if status != 200:
                _record_error(result, str(status), data.decode(errors="replace"))
                break
            try:
                count, path = _page_facts(data, check=result.requests % 50 == 1)
            except ValueError as exc:
                _record_error(result, "bad_page", repr(exc))
                break
            result.returned += count
            result.empty_pages += not count
            if not path or time.monotonic() >= end_at:
                break
    result.ended = time.monotonic()
    conn.close()


def _page_facts(data: bytes, *, check: bool) -> tuple[int, str]:
    """Statements on a page and its ``more`` path, without decoding the whole page.

    Fully decoding ~200 KB pages cost the load generator a third of a core at 8 clients, so
    statements are counted by their ``authority`` (the LRS sets exactly one per statement, and
    the generated statements never contain the word) and ``more`` is read from the tail. Every
    50th page is decoded in full to check that shortcut.
    """
    count = data.count(b'"authority":')
    tail = data.rfind(b'"more":')
    more: str = orjson.loads(b"{" + data[tail:])["more"] if tail >= 0 else ""
    if check:
        page = orjson.loads(data)
        if len(page["statements"]) != count or (page.get("more") or "") != more:
            raise ValueError(f"page shortcut disagrees: {count} statements, more={more!r}")
    return count, more


def _sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def _worker_main(
    index: int, job: PostJob | QueryJob, target: Target, start_at: float, end_at: float, out: Any
) -> None:
    """Process body: run one client, then send its :class:`WorkerResult` to the parent."""
    gc.freeze()  # the corpus is inherited; collections of it would only add jitter
    gc.disable()
    result = WorkerResult()
    cpu_before = time.process_time()
    try:
        if isinstance(job, PostJob):
            _post_worker(index, job, target, start_at, end_at, result)
        else:
            _query_worker(index, job, target, start_at, end_at, result)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as an error
        _record_error(result, f"client:{type(exc).__name__}", repr(exc))
    result.cpu_s = time.process_time() - cpu_before
    out.put(result)


def run_phase(job: PostJob | QueryJob, target: Target) -> PhaseResult:
    """Fork ``job.clients`` clients, run them together, merge what they measured.

    Duration-bound phases stop at ``duration``; a quota phase stops at its quota or at
    ``duration``, whichever comes first, so every phase is bounded in time.
    """
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    start_at = time.monotonic() + 0.5 + 0.05 * job.clients  # time to fork and connect
    end_at = start_at + job.duration
    procs = [
        ctx.Process(target=_worker_main, args=(i, job, target, start_at, end_at, out), daemon=True)
        for i in range(job.clients)
    ]
    for proc in procs:
        proc.start()
    results: list[WorkerResult] = []
    deadline = end_at + 60
    while len(results) < len(procs) and time.monotonic() < deadline:
        try:
            results.append(out.get(timeout=1))
        except queue.Empty:
            if all(not p.is_alive() for p in procs) and out.empty():
                break
    for proc in procs:
        proc.join(timeout=5)
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout=5)
    errors: collections.Counter[str] = collections.Counter()
    for res in results:
        errors.update(res.errors)
    if len(results) < len(procs):
        errors["client_lost"] += len(procs) - len(results)
    started = min((r.started for r in results if r.started), default=start_at)
    ended = max((r.ended for r in results), default=end_at)
    return PhaseResult(
        name=job.name,
        clients=job.clients,
        batch=job.batch if isinstance(job, PostJob) else 0,
        seconds=max(1e-9, ended - started),
        requests=sum(r.requests for r in results),
        statements=sum(r.statements for r in results),
        returned=sum(r.returned for r in results),
        empty_pages=sum(r.empty_pages for r in results),
        errors=dict(errors),
        error_sample=next((r.error_sample for r in results if r.error_sample), ""),
        latencies_ns=sorted(lat for r in results for lat in r.latencies_ns),
        loadgen_cpu_s=sum(r.cpu_s for r in results),
        started=started,
        ended=ended,
    )
