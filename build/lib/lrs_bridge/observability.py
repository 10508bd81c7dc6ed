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
    ``dead`` or ``pending`` count is the alert) and refresher assignments by status."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.core import GaugeMetricFamily

    families = []
    outbox = GaugeMetricFamily(
        "lrs_bridge_notifications", "Notifications in the outbox by status.", labels=["status"]
    )
    for status in ("pending", "sent", "dead"):
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

    class _Snapshot:
        def collect(self) -> list[GaugeMetricFamily]:
            return families

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot())
    return generate_latest(registry)
