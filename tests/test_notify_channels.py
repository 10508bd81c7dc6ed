"""Delivery channels against real servers: aiosmtpd for SMTP, http.server for webhooks.

Every server listens on 127.0.0.1 on a free port and is stopped at teardown, so the suite
stays clean under ``filterwarnings=error``.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import http.server
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import icalendar
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from lrs_bridge.notify.model import AssignmentItem, DeliveryError, Digest, Person
from lrs_bridge.notify.render import message_id, render_email, webhook_body
from lrs_bridge.notify.smtp import SmtpConfig, send_email
from lrs_bridge.notify.webhook import WebhookResult, post_webhook, sign
from tests.receivers import verify_signature

SENDER = "lrs-bridge <noreply@example.com>"
USER, PASSWORD = "mailer", "pa@ss:w0rd"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def make_digest(key: str = "assigned:42:run-9f3a") -> Digest:
    items = tuple(
        AssignmentItem(
            assignment_id=n,
            competency_id="https://competency.example.com/first-aid",
            competency_name={"en": "First aid", "nb": "Førstehjelp"},
            activity_id=f"https://activity.example.com/{n}",
            activity_name={"en": "CPR drill", "nb": "HLR-øvelse"},
            launch_url=f"https://lms.example.com/launch/{n}",
            method="simulation",
            duration="PT30M",
            due_us=1_804_809_600_000_000,
            last_evidence_us=None,
            stale_at_us=None,
            status="assigned",
        )
        for n in (1, 2)
    )
    learner = Person(name="Åse Ødegård", email="ase@example.com", language="nb-NO")
    return Digest(
        kind="assigned",
        recipient=learner,
        learner=learner,
        learner_id=5,
        items=items,
        idempotency_key=key,
        created_us=1_800_000_000_000_000,
    )


# -- SMTP -----------------------------------------------------------------------------------


@dataclass
class Handler:
    """Collects what arrives; can answer a command with a canned reply instead."""

    replies: dict[str, str] = field(default_factory=dict)  # "MAIL" | "RCPT" | "DATA" -> reply
    received: list[Envelope] = field(default_factory=list)
    mechanisms: list[str] = field(default_factory=list)

    async def handle_MAIL(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if "MAIL" in self.replies:
            return self.replies["MAIL"]
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if "RCPT" in self.replies:
            return self.replies["RCPT"]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        if "DATA" in self.replies:
            return self.replies["DATA"]
        self.received.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        self.mechanisms.append(mechanism)
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        # handled=False: aiosmtpd answers 235/535 itself.
        return AuthResult(success=ok, handled=False)


StartSmtp = Callable[..., int]


@pytest.fixture
def smtp_server() -> Iterator[StartSmtp]:
    """Start an aiosmtpd server for ``handler`` (Controller options as keywords); its port."""
    controllers: list[Controller] = []

    def start(handler: Handler, **options: Any) -> int:
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
        controller.start()
        controllers.append(controller)
        return port

    yield start
    for controller in controllers:
        controller.stop()


@dataclass(frozen=True)
class Tls:
    server: ssl.SSLContext
    client: ssl.SSLContext


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    """A self-signed certificate for 127.0.0.1, and contexts that serve and trust it."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: cannot make a certificate for the TLS tests")
    folder: Path = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return Tls(server=server, client=ssl.create_default_context(cafile=str(cert)))


def config(url: str) -> SmtpConfig:
    return SmtpConfig.from_url(url, sender=SENDER)


def test_send_email_delivers_the_rendered_message(smtp_server: StartSmtp) -> None:
    handler = Handler()
    port = smtp_server(handler)
    digest = make_digest()

    note = send_email(
        config(f"smtp://127.0.0.1:{port}?timeout=5"), render_email(digest, sender=SENDER)
    )

    assert note == f"250 accepted by 127.0.0.1:{port}"
    (envelope,) = handler.received
    assert envelope.mail_from == "noreply@example.com"
    assert envelope.rcpt_tos == ["ase@example.com"]
    assert isinstance(envelope.content, bytes)
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "2 nye oppfriskninger til deg"
    assert message["Message-ID"] == message_id(digest.idempotency_key)
    assert message["X-LRS-Bridge-Idempotency-Key"] == digest.idempotency_key
    assert message["To"] == "Åse Ødegård <ase@example.com>"
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [
        "assignment-1@lrs-bridge",
        "assignment-2@lrs-bridge",
    ]


@pytest.mark.parametrize(
    ("command", "reply", "retryable"),
    [
        ("RCPT", "550 5.1.1 No such user", False),
        ("RCPT", "451 4.3.0 Try again later", True),
        ("MAIL", "553 5.7.1 Sender not allowed", False),
        ("MAIL", "452 4.3.1 Insufficient storage", True),
        ("DATA", "554 5.6.0 Message rejected", False),
        ("DATA", "451 4.7.1 Greylisted", True),
    ],
)
def test_smtp_replies_decide_whether_to_retry(
    smtp_server: StartSmtp, command: str, reply: str, retryable: bool
) -> None:
    port = smtp_server(Handler(replies={command: reply}))
    with pytest.raises(DeliveryError) as caught:
        send_email(config(f"smtp://127.0.0.1:{port}"), render_email(make_digest(), sender=SENDER))
    assert caught.value.retryable is retryable
    assert reply.split(" ", 1)[0] in str(caught.value)
    assert f"127.0.0.1:{port}" in str(caught.value)


def test_connection_refused_is_retryable() -> None:
    port = free_port()  # bound and released: nothing listens there now
    with pytest.raises(DeliveryError) as caught:
        send_email(config(f"smtp://127.0.0.1:{port}"), render_email(make_digest(), sender=SENDER))
    assert caught.value.retryable is True
    assert "ConnectionRefusedError" in str(caught.value)


def test_a_server_that_never_greets_times_out_retryably() -> None:
    # The kernel completes the handshake from the backlog; nobody ever says "220".
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        with pytest.raises(DeliveryError) as caught:
            send_email(
                config(f"smtp://127.0.0.1:{port}?timeout=0.3"),
                render_email(make_digest(), sender=SENDER),
            )
    assert caught.value.retryable is True
    assert "timed out" in str(caught.value)


@pytest.mark.parametrize(("excluded", "used"), [("LOGIN", "PLAIN"), ("PLAIN", "LOGIN")])
def test_starttls_and_auth(smtp_server: StartSmtp, tls: Tls, excluded: str, used: str) -> None:
    handler = Handler()
    port = smtp_server(
        handler,
        tls_context=tls.server,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=handler.authenticate,
        auth_exclude_mechanism=[excluded],
    )
    url = f"smtp://{USER}:pa%40ss%3Aw0rd@127.0.0.1:{port}?starttls=required"
    send_email(config(url), render_email(make_digest(), sender=SENDER), ssl_context=tls.client)
    assert handler.mechanisms == [used]
    assert len(handler.received) == 1


def test_wrong_password_is_not_retryable(smtp_server: StartSmtp, tls: Tls) -> None:
    handler = Handler()
    port = smtp_server(
        handler,
        tls_context=tls.server,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=handler.authenticate,
    )
    url = f"smtp://{USER}:wrong@127.0.0.1:{port}?starttls=true"
    with pytest.raises(DeliveryError) as caught:
        send_email(config(url), render_email(make_digest(), sender=SENDER), ssl_context=tls.client)
    assert caught.value.retryable is False
    assert "535" in str(caught.value)
    assert "wrong" not in str(caught.value)
    assert handler.received == []


def test_implicit_tls_with_auth(smtp_server: StartSmtp, tls: Tls) -> None:
    handler = Handler()
    port = smtp_server(
        handler,
        ssl_context=tls.server,
        # aiosmtpd only counts STARTTLS as TLS for auth_require_tls; on an implicit-TLS
        # listener it would hide AUTH, so the requirement is off (the wire is TLS anyway).
        auth_require_tls=False,
        authenticator=handler.authenticate,
    )
    url = f"smtps://{USER}:pa%40ss%3Aw0rd@127.0.0.1:{port}"
    send_email(config(url), render_email(make_digest(), sender=SENDER), ssl_context=tls.client)
    assert handler.mechanisms == ["PLAIN"]
    assert len(handler.received) == 1


def test_untrusted_certificate_is_not_retryable(smtp_server: StartSmtp, tls: Tls) -> None:
    port = smtp_server(Handler(), tls_context=tls.server)
    with pytest.raises(DeliveryError) as caught:
        # No ssl_context: the system trust store does not know our self-signed certificate.
        send_email(
            config(f"smtp://127.0.0.1:{port}?starttls=true"),
            render_email(make_digest(), sender=SENDER),
        )
    assert caught.value.retryable is False
    assert "certificate" in str(caught.value)


def test_starttls_configured_but_not_offered_is_not_retryable(smtp_server: StartSmtp) -> None:
    port = smtp_server(Handler())
    with pytest.raises(DeliveryError) as caught:
        send_email(
            config(f"smtp://127.0.0.1:{port}?starttls=true"),
            render_email(make_digest(), sender=SENDER),
        )
    assert caught.value.retryable is False
    assert "STARTTLS" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://127.0.0.1:1025",
            dict(host="127.0.0.1", port=1025, username=None, password=None, starttls=False,
                 implicit_tls=False, timeout=30.0),
        ),
        (
            "smtp://mail.example.com",
            dict(host="mail.example.com", port=25, starttls=False, implicit_tls=False),
        ),
        (
            "smtp://user:pa%40ss@smtp.example.com:587?starttls=true",
            dict(host="smtp.example.com", port=587, username="user", password="pa@ss",
                 starttls=True, implicit_tls=False),
        ),
        ("smtp://u:p@h:587?starttls=required", dict(starttls=True, username="u", password="p")),
        (
            "smtps://user:pass@smtp.example.com",
            dict(port=465, implicit_tls=True, starttls=False, username="user", password="pass"),
        ),
        ("SMTPS://h:2465?timeout=10", dict(port=2465, implicit_tls=True, timeout=10.0)),
        ("smtp://h?timeout=2.5&starttls=false", dict(port=25, timeout=2.5, starttls=False)),
        ("smtp://u:p@h?insecure_auth=true", dict(username="u", password="p", starttls=False)),
        ("smtp://[::1]:2525/", dict(host="::1", port=2525)),
    ],
)  # fmt: skip
def test_smtp_config_from_url(url: str, expected: dict[str, object]) -> None:
    parsed = SmtpConfig.from_url(url, sender=SENDER)
    assert parsed.sender == SENDER
    for name, value in expected.items():
        assert getattr(parsed, name) == value, name


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://mail.example.com", "scheme must be smtp or smtps"),
        ("mail.example.com:25", "scheme must be smtp or smtps"),
        ("smtp://", "a host is required"),
        ("smtp://h:99999", "port must be a number"),
        ("smtp://h:port", "port must be a number"),
        ("smtp://h/path", "must not have a path"),
        ("smtp://h?tls=true", "unknown option 'tls'"),
        ("smtp://h?starttls=maybe", "starttls must be true or false"),
        ("smtps://h?starttls=true", "smtps already uses TLS"),
        ("smtp://h?timeout=soon", "timeout must be a number"),
        ("smtp://h?timeout=0", "timeout must be between"),
        ("smtp://user:pass@h", "credentials would be sent unencrypted"),
        ("smtp://user@h:587?starttls=true", "a user name needs a password"),
        ("smtp://:pass@h:587?starttls=true", "a password needs a user name"),
        ("smtps://user:p%C3%A4ss@h", "must be ASCII"),
    ],
)
def test_smtp_config_from_url_rejects(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match="LRS_BRIDGE_SMTP_URL: ") as caught:
        SmtpConfig.from_url(url, sender=SENDER)
    assert problem in str(caught.value)


def test_smtp_config_hides_the_password() -> None:
    parsed = SmtpConfig.from_url("smtps://user:hunter2@h", sender=SENDER)
    assert "hunter2" not in repr(parsed)
    with pytest.raises(ValueError, match="not an e-mail address"):
        SmtpConfig.from_url("smtp://h", sender="lrs-bridge")


# -- webhooks -------------------------------------------------------------------------------


@dataclass
class Recorded:
    method: str
    path: str
    headers: email.message.Message  # case-insensitive, as HTTP headers are
    body: bytes


@dataclass
class WebhookServer:
    url: str
    requests: list[Recorded]
    answer: dict[str, Any]  # status, body, headers, delay (seconds)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins the handler threads


@pytest.fixture
def webhook_server() -> Iterator[WebhookServer]:
    """A receiver that records requests and answers as ``answer`` says (default 204)."""
    requests: list[Recorded] = []
    answer: dict[str, Any] = {"status": 204, "body": b"", "headers": {}, "delay": 0.0}
    release = threading.Event()

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            requests.append(Recorded("POST", self.path, self.headers, body))
            if answer["delay"]:
                release.wait(answer["delay"])
            try:
                self.send_response(answer["status"])
                for name, value in answer["headers"].items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer["body"])))
                self.end_headers()
                self.wfile.write(answer["body"])
            except OSError:
                pass  # the client gave up (the timeout test); nothing to answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield WebhookServer(
            f"http://127.0.0.1:{server.server_address[1]}/hooks/lrs?token=t0ps3cret",
            requests,
            answer,
        )
    finally:
        release.set()
        server.shutdown()
        server.server_close()
        thread.join()


def post(url: str, body: bytes = b'{"x":1}', **options: Any) -> WebhookResult:
    options.setdefault("secret", "s3cret")
    options.setdefault("idempotency_key", "assigned:42:run-9f3a")
    options.setdefault("event", "refresher.assigned")
    return post_webhook(url, body, **options)


def test_webhook_delivers_signed_body_with_headers(webhook_server: WebhookServer) -> None:
    webhook_server.answer.update(status=200, body=b'{"ok": true}')
    body = webhook_body(make_digest())

    result = post(webhook_server.url, body, secret="s3cret")

    assert result.status == 200
    assert result.response_excerpt == '{"ok": true}'
    assert result.duration_ms > 0
    (request,) = webhook_server.requests
    assert request.path == "/hooks/lrs?token=t0ps3cret"
    assert request.body == body
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "lrs-bridge"
    assert request.headers["Idempotency-Key"] == "assigned:42:run-9f3a"
    assert request.headers["X-LRS-Bridge-Event"] == "refresher.assigned"
    header = request.headers["X-LRS-Bridge-Signature"]
    t, v1 = header.split(",")
    assert t.startswith("t=") and abs(int(t[2:]) - time.time()) < 60
    signed = f"{t[2:]}.assigned:42:run-9f3a.".encode() + request.body
    assert v1 == "v1=" + hmac.new(b"s3cret", signed, hashlib.sha256).hexdigest()
    assert verify_signature(header, "s3cret", "assigned:42:run-9f3a", body, now=time.time()) is None


def test_the_signature_covers_the_timestamp_the_key_and_the_body() -> None:
    body = b'{"event":"refresher.assigned"}'
    key = "assigned:42:run-9f3a:webhook:0123456789abcdef"
    header = sign(body, "s3cret", idempotency_key=key, timestamp=1_800_000_000)
    expected = hmac.new(
        b"s3cret", b"1800000000." + key.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert header == f"t=1800000000,v1={expected}"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({}, None),
        ({"now": 1_800_000_000 + 301}, "too old"),  # a replay, five minutes later
        ({"now": 1_800_000_000 - 301}, "from the future"),
        ({"key": "assigned:43:run-other"}, "mismatch"),  # the body replayed as another message
        ({"body": b'{"event":"refresher.escalation"}'}, "mismatch"),
        ({"secret": "guessed"}, "mismatch"),
        ({"header": "sha256=abc"}, "malformed"),  # the old format is not accepted
        ({"header": None}, "no signature"),
    ],
)
def test_a_receiver_rejects_replays_and_tampering(
    change: dict[str, Any], problem: str | None
) -> None:
    body = b'{"event":"refresher.assigned"}'
    key = "assigned:42:run-9f3a"
    header = sign(body, "s3cret", idempotency_key=key, timestamp=1_800_000_000)
    found = verify_signature(
        change.get("header", header),
        change.get("secret", "s3cret"),
        change.get("key", key),
        change.get("body", body),
        now=change.get("now", 1_800_000_000),
    )
    assert found is None if problem is None else problem in (found or "")


def test_webhook_without_secret_is_unsigned(webhook_server: WebhookServer) -> None:
    result = post(webhook_server.url, secret=None)
    assert result.status == 204
    assert result.response_excerpt == ""
    assert "X-LRS-Bridge-Signature" not in webhook_server.requests[0].headers


def test_webhook_response_excerpt_is_capped(webhook_server: WebhookServer) -> None:
    webhook_server.answer.update(status=202, body=("é" * 2000).encode())
    assert post(webhook_server.url).response_excerpt == "é" * 500


@pytest.mark.parametrize(
    ("status", "retryable"),
    [
        (500, True),
        (502, True),
        (503, True),
        (408, True),
        (425, True),
        (429, True),
        (400, False),
        (401, False),
        (404, False),
        (410, False),
        (422, False),
        (302, False),  # not followed: a redirected POST would lose its body
    ],
)
def test_webhook_statuses_decide_whether_to_retry(
    webhook_server: WebhookServer, status: int, retryable: bool
) -> None:
    webhook_server.answer.update(
        status=status, body=b"nope", headers={"Location": "http://127.0.0.1:1/elsewhere"}
    )
    with pytest.raises(DeliveryError) as caught:
        post(webhook_server.url)
    assert caught.value.retryable is retryable
    assert f"HTTP {status}" in str(caught.value)
    assert "t0ps3cret" not in str(caught.value)  # the URL's token is not logged
    assert len(webhook_server.requests) == 1


def test_webhook_timeout_is_retryable(webhook_server: WebhookServer) -> None:
    webhook_server.answer.update(delay=5.0)
    with pytest.raises(DeliveryError) as caught:
        post(webhook_server.url, timeout=0.3)
    assert caught.value.retryable is True
    assert "timed out" in str(caught.value)


def test_webhook_connection_refused_is_retryable() -> None:
    with pytest.raises(DeliveryError) as caught:
        post(f"http://127.0.0.1:{free_port()}/hook")
    assert caught.value.retryable is True
    assert "refused" in str(caught.value).lower()


def test_webhook_refuses_non_http_urls() -> None:
    with pytest.raises(ValueError, match="http or https"):
        post("file:///etc/passwd")
