"""The ``/upstreams`` part of the OpenAPI document (``api/upstreams.py``)."""

from __future__ import annotations

from typing import Any

from lrs_bridge.api.openapi import _LIMIT, _OFFSET, _op, _query


def upstream_paths() -> dict[str, dict[str, Any]]:
    """``/upstreams``: the registry, status and dead letters (secrets never returned)."""
    retry = _op(
        "Queue dead letters again: all, or the given statement ids",
        "admin",
        "DeadLetterRetry",
    )
    retry["requestBody"]["required"] = False
    return {
        "/upstreams": {
            "get": _op("Every upstream LRS (secrets never shown: secret_set)", "admin"),
            "post": _op("Register an upstream LRS", "admin", "Upstream"),
        },
        "/upstreams/{name}": {
            "get": _op("One upstream", "admin"),
            "patch": _op(
                "Change the given fields (enabled: false pauses); 409 if from the config file",
                "admin",
                "UpstreamChange",
            ),
            "delete": _op(
                "Remove it and its queued statements; 409 if from the config file", "admin"
            ),
        },
        "/upstreams/{name}/status": {
            "get": _op(
                "Queue depth, dead letters, lag, last success and error, counts, pull cursor",
                "admin",
            )
        },
        "/upstreams/{name}/dead-letters": {
            "get": _op(
                "Dead letters, oldest first: statement id, stored, attempts, last error, when",
                "admin",
                query=_query(limit=_LIMIT, offset=_OFFSET),
            )
        },
        "/upstreams/{name}/dead-letters/retry": {"post": retry},
    }
