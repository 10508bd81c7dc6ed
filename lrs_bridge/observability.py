"""Structured JSON logs with a request id, and Prometheus metrics.

Under gunicorn several worker processes serve requests; when ``metrics_dir`` is set the
Prometheus client writes per-process files there and ``/metrics`` aggregates them.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any

import orjson

_RESERVED = set(vars(logging.makeLogRecord({})))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(level: str) -> None:
    """Send JSON lines to stderr at ``level``; idempotent."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        root.setLevel(level.upper())
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.handlers = [handler]
    root.setLevel(level.upper())


class Metrics:
    """The service's Prometheus instruments."""

    def __init__(self, metrics_dir: str) -> None:
        if metrics_dir:
            os.makedirs(metrics_dir, exist_ok=True)
            os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", metrics_dir)
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.metrics_dir = metrics_dir
        # A private registry: several apps in one process (tests) must not collide.
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "lrs_bridge_http_requests_total",
            "HTTP requests by endpoint, method and status.",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "lrs_bridge_http_request_seconds",
            "HTTP request latency by endpoint.",
            ["endpoint"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.statements_stored = Counter(
            "lrs_bridge_statements_stored_total",
            "Statements newly stored.",
            registry=self.registry,
        )

    def exposition(self) -> tuple[bytes, str]:
        """The text exposition of every metric (aggregated across workers when multi-process)."""
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

        if self.metrics_dir:
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=self.metrics_dir)  # type: ignore[no-untyped-call]
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def state_exposition(notifications: dict[str, int], assignments: dict[str, int]) -> bytes:
    """Gauges read from the database at scrape time: the outbox by status (a growing
    ``dead`` or ``pending`` count is the alert; ``waiting`` counts notifications that no
    channel reaches yet) and refresher assignments by status."""
    from prometheus_client.core import GaugeMetricFamily

    families = []
    outbox = GaugeMetricFamily(
        "lrs_bridge_notifications", "Notifications in the outbox by status.", labels=["status"]
    )
    for status in ("waiting", "pending", "sent", "dead"):
        outbox.add_metric([status], notifications.get(status, 0))
    families.append(outbox)
    open_ = GaugeMetricFamily(
        "lrs_bridge_refresher_assignments",
        "Refresher assignments by status.",
        labels=["status"],
    )
    for status, count in sorted(assignments.items()):
        open_.add_metric([status], count)
    families.append(open_)
    return _expose(families)


def _expose(families: list[Any]) -> bytes:
    """The text exposition of metric families read at scrape time."""
    from prometheus_client import CollectorRegistry, generate_latest

    class _Snapshot:
        def collect(self) -> list[Any]:
            return families

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot())
    return generate_latest(registry)


#: Per-upstream gauges: (name, help, the figure in the status's ``to_dict`` form).
_UPSTREAM_GAUGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("queue_depth", "Statements queued for the upstream (pending).", ("forward", "queue_depth")),
    ("dead_letters", "Statements the upstream never took.", ("forward", "dead_letters")),
    (
        "forward_lag_seconds",
        "Age of the oldest statement queued for the upstream (0 when none).",
        ("forward", "lag_seconds"),
    ),
    (
        "pull_lag_seconds",
        "Seconds since the last successful pull from the upstream.",
        ("pull", "lag_seconds"),
    ),
    (
        "forward_last_success_timestamp_seconds",
        "When a batch was last delivered to the upstream.",
        ("forward", "last_success_us"),
    ),
    (
        "forward_last_error_timestamp_seconds",
        "When delivery to the upstream last failed.",
        ("forward", "last_error_us"),
    ),
    (
        "pull_last_success_timestamp_seconds",
        "When the upstream was last pulled from successfully.",
        ("pull", "last_success_us"),
    ),
    (
        "pull_last_error_timestamp_seconds",
        "When pulling from the upstream last failed.",
        ("pull", "last_error_us"),
    ),
    (
        "pull_cursor_timestamp_seconds",
        "The pull cursor: the upstream stored time the next listing starts at (since).",
        ("pull", "since_us"),
    ),
)


def upstream_exposition(figures: list[dict[str, Any]]) -> bytes:
    """Per-upstream gauges read from the database at scrape time (so every worker reports
    the same values, multi-process or not). ``figures`` are ``UpstreamStatus.metrics()``
    dictionaries; a figure that has no value yet (never pulled) is left out."""
    from prometheus_client.core import GaugeMetricFamily

    families = []
    for name, text, (part, key) in _UPSTREAM_GAUGES:
        family = GaugeMetricFamily(f"lrs_bridge_upstream_{name}", text, labels=["upstream"])
        for item in figures:
            value = item[part][key]
            if value is not None:
                family.add_metric([item["name"]], value / 1e6 if key.endswith("_us") else value)
        families.append(family)
    return _expose(families)
