"""Delivering a digest to an HTTP endpoint, signed so the receiver can trust it.

The receiver verifies ``X-LRS-Bridge-Signature`` (``sha256=`` + hex HMAC-SHA256 of the raw
body under the shared secret) and de-duplicates on ``Idempotency-Key``: delivery is at
least once, so the same key may arrive again after a crash or a timeout.

Redirects are not followed: a 302 would turn the POST into a GET without the body, and a
moved endpoint is a configuration matter. Error messages show scheme, host and port only,
because webhook URLs often carry a token in their path or query.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import IO, Any

from lrs_bridge.notify.model import DeliveryError

SIGNATURE_HEADER = "X-LRS-Bridge-Signature"
EVENT_HEADER = "X-LRS-Bridge-Event"
USER_AGENT = "lrs-bridge"
EXCERPT_CHARS = 500
#: Statuses that say "later": request timeout, too early, too many requests; and all 5xx.
RETRYABLE_STATUSES = frozenset({408, 425, 429})


@dataclasses.dataclass(frozen=True, kw_only=True)
class WebhookResult:
    """What the endpoint answered to a successful (2xx) delivery."""

    status: int
    duration_ms: float
    response_excerpt: str


def sign(body: bytes, secret: str) -> str:
    """The signature header value: ``sha256=`` + hex HMAC-SHA256 of ``body`` under ``secret``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _excerpt(stream: IO[bytes] | None) -> str:
    if stream is None:
        return ""
    try:
        raw = stream.read(EXCERPT_CHARS * 4)  # up to 4 bytes per UTF-8 character
    except (OSError, http.client.HTTPException):
        return ""
    return raw.decode("utf-8", "replace")[:EXCERPT_CHARS]


def post_webhook(
    url: str,
    body: bytes,
    *,
    secret: str | None,
    idempotency_key: str,
    event: str,
    timeout: float = 10.0,
) -> WebhookResult:
    """POST ``body`` to ``url``; return the 2xx answer or raise :class:`DeliveryError`.

    408/425/429/5xx and network failures are retryable; other statuses (4xx, 3xx) are not.
    Raises ``ValueError`` for a URL that is not http(s).
    """
    if urllib.parse.urlsplit(url).scheme.lower() not in ("http", "https"):
        raise ValueError(f"webhook URL must be http or https: {_origin(url)}")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Idempotency-Key": idempotency_key,
        EVENT_HEADER: event,
    }
    if secret:
        headers[SIGNATURE_HEADER] = sign(body, secret)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - scheme checked above
    opener = urllib.request.build_opener(_NoRedirect)
    where = _origin(url)
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=timeout) as response:
            status = response.status
            excerpt = _excerpt(response)
    except urllib.error.HTTPError as exc:
        with exc:  # an HTTPError holds the open response; close it
            excerpt = _excerpt(exc.fp)
        retryable = exc.code in RETRYABLE_STATUSES or 500 <= exc.code <= 599
        detail = f": {excerpt[:200]}" if excerpt else ""
        raise DeliveryError(
            f"webhook {where}: HTTP {exc.code}{detail}", retryable=retryable
        ) from exc
    except (TimeoutError, urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(reason, TimeoutError):
            message = f"timed out after {timeout:g} s"
        else:
            message = f"{reason.__class__.__name__}: {reason}"
        raise DeliveryError(f"webhook {where}: {message}", retryable=True) from exc
    duration_ms = (time.perf_counter() - started) * 1000
    if not 200 <= status <= 299:  # 1xx/3xx that urllib returned rather than raised
        raise DeliveryError(f"webhook {where}: HTTP {status}", retryable=False)
    return WebhookResult(status=status, duration_ms=duration_ms, response_excerpt=excerpt)
