"""Real peers for notification tests: an SMTP server (aiosmtpd) and a webhook receiver
(``http.server``), each on a free local port, recording what they receive. The webhook
receiver verifies signatures the way the README tells integrators to."""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Mailbox:
    """An aiosmtpd handler keeping every accepted message; ``delay`` slows each DATA (per
    connection: several clients are answered side by side, as a real server does)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.messages: list[EmailMessage] = []
        #: DATA commands received so far, accepted or still being answered.
        self.started = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.started += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


class SmtpReceiver:
    """A running SMTP server at ``url``; ``stop`` and ``start`` simulate an outage."""

    def __init__(self, delay: float = 0.0) -> None:
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.mailbox = Mailbox(delay)
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


#: How far a signature's ``t`` may be from the receiver's clock (the README's advice).
SIGNATURE_TOLERANCE_SECONDS = 300


def verify_signature(
    header: str | None, secret: str, idempotency_key: str, body: bytes, *, now: float
) -> str | None:
    """Check ``X-LRS-Bridge-Signature: t=<unix seconds>,v1=<hex>`` as the README describes;
    returns what is wrong, or None when it is valid."""
    if not header:
        return "no signature"
    parts = dict(part.partition("=")[::2] for part in header.split(","))
    if not parts.get("t", "").isdigit() or "v1" not in parts:
        return f"malformed signature {header!r}"
    timestamp = int(parts["t"])
    if abs(now - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        return "signature too old or from the future (a replay?)"
    signed = f"{timestamp}.{idempotency_key}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parts["v1"]):
        return "signature mismatch"
    return None


class WebhookReceiver:
    """A real HTTP server recording POSTs; ``status`` is what it answers.

    With ``secret`` it checks every signature and answers 401 to a bad one (recorded under
    ``rejected``). Error answers echo the request path, as many frameworks do, so that a
    token in the URL ends up in the dispatcher's ``last_error``.
    """

    def __init__(self, secret: str | None = None, *, path: str = "/hooks/lms") -> None:
        self.requests: list[dict[str, Any]] = []
        self.rejected: list[str] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status = receiver.status
                if secret is not None:
                    problem = verify_signature(
                        headers.get("x-lrs-bridge-signature"),
                        secret,
                        headers.get("idempotency-key", ""),
                        body,
                        now=time.time(),
                    )
                    if problem:
                        receiver.rejected.append(problem)
                        status = 401
                receiver.requests.append(
                    {"path": self.path, "headers": headers, "body": body, "status": status}
                )
                answer = b"ok" if status < 300 else f"rejected {self.path}".encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def json_bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r["body"]) for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def running_smtp(delay: float = 0.0) -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver(delay)
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()
