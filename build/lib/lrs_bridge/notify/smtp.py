"""Delivering an e-mail over SMTP, with failures sorted into "try again" and "give up".

SMTP says which is which: 4xx replies are temporary, 5xx permanent (RFC 5321 §4.2.1).
Network trouble (refused, timed out, dropped) is temporary too. Bad credentials and a
server that lacks a feature we were told to use (STARTTLS, AUTH) are permanent: retrying
cannot fix them, an operator has to. Error messages name host and port, never the password.
"""

from __future__ import annotations

import dataclasses
import email.utils
import smtplib
import ssl
import urllib.parse
from email.message import EmailMessage

from lrs_bridge.notify.model import DeliveryError

SETTING = "LRS_BRIDGE_SMTP_URL"
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
DEFAULT_TIMEOUT = 30.0
_TRUE = {"true", "1", "yes", "on", "required"}
_FALSE = {"false", "0", "no", "off"}
_QUERY_KEYS = {"starttls", "timeout", "insecure_auth"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class SmtpConfig:
    """Where and how to hand over mail; build it with :meth:`from_url`."""

    host: str
    port: int
    username: str | None
    password: str | None = dataclasses.field(repr=False)  # never in logs or tracebacks
    starttls: bool
    implicit_tls: bool
    timeout: float
    sender: str

    @property
    def address(self) -> str:
        """``host:port``, for messages."""
        return f"{self.host}:{self.port}"

    @classmethod
    def from_url(cls, url: str, *, sender: str) -> SmtpConfig:
        """Parse ``smtp://[user:pass@]host[:port][?starttls=true&timeout=10]`` or ``smtps://``.

        Credentials are percent-decoded. Raises ``ValueError`` naming the problem, and
        refuses credentials on a connection without TLS unless ``insecure_auth=true``.
        """

        def fail(problem: str) -> ValueError:
            return ValueError(f"{SETTING}: {problem}")

        parts = urllib.parse.urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            raise fail("scheme must be smtp or smtps")
        if not parts.hostname:
            raise fail("a host is required")
        if parts.path not in ("", "/") or parts.fragment:
            raise fail("must not have a path or fragment")
        try:
            port = parts.port or DEFAULT_PORTS[scheme]
        except ValueError as exc:
            raise fail("port must be a number from 1 to 65535") from exc
        query: dict[str, str] = {}
        for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
            if key not in _QUERY_KEYS:
                raise fail(f"unknown option {key!r} (known: {', '.join(sorted(_QUERY_KEYS))})")
            query[key] = value.strip().lower()

        def flag(key: str) -> bool:
            value = query.get(key, "false")
            if value not in _TRUE | _FALSE:
                raise fail(f"{key} must be true or false, not {value!r}")
            return value in _TRUE

        starttls = flag("starttls")
        insecure_auth = flag("insecure_auth")
        implicit_tls = scheme == "smtps"
        if starttls and implicit_tls:
            raise fail("smtps already uses TLS; starttls applies to smtp:// only")
        try:
            timeout = float(query.get("timeout", DEFAULT_TIMEOUT))
        except ValueError as exc:
            raise fail("timeout must be a number of seconds") from exc
        if not 0 < timeout <= 600:
            raise fail("timeout must be between 0 and 600 seconds")
        username = urllib.parse.unquote(parts.username) if parts.username else None
        password = urllib.parse.unquote(parts.password) if parts.password is not None else None
        if password is not None and username is None:
            raise fail("a password needs a user name")
        if username is not None and password is None:
            raise fail("a user name needs a password")
        if not (username or "").isascii() or not (password or "").isascii():
            # smtplib encodes AUTH responses as ASCII and would fail with UnicodeEncodeError.
            raise fail("user name and password must be ASCII")
        if username and not (starttls or implicit_tls) and not insecure_auth:
            raise fail(
                "credentials would be sent unencrypted; use smtps://, ?starttls=true, "
                "or ?insecure_auth=true if you really mean it"
            )
        if "@" not in email.utils.parseaddr(sender)[1]:
            raise fail(f"sender {sender!r} is not an e-mail address")
        return cls(
            host=parts.hostname,
            port=port,
            username=username or None,
            password=password if username else None,
            starttls=starttls,
            implicit_tls=implicit_tls,
            timeout=timeout,
            sender=sender,
        )


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _by_code(config: SmtpConfig, code: int, reply: bytes | str, what: str) -> DeliveryError:
    # 4xx is "try again later"; 5xx "this will never work"; anything odd is retried.
    retryable = not 500 <= code <= 599
    return DeliveryError(
        f"SMTP {config.address}: {what}: {code} {_text(reply)}".strip(), retryable=retryable
    )


def _translate(config: SmtpConfig, exc: Exception) -> DeliveryError:
    """The DeliveryError for an exception raised while talking to the server."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = exc.recipients
        retryable = any(not 500 <= code <= 599 for code, _ in refused.values())
        detail = "; ".join(f"{rcpt}: {code} {_text(msg)}" for rcpt, (code, msg) in refused.items())
        return DeliveryError(
            f"SMTP {config.address}: recipient refused: {detail}", retryable=retryable
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return _by_code(config, exc.smtp_code, exc.smtp_error, "authentication failed")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return _by_code(config, exc.smtp_code, exc.smtp_error, f"sender {exc.sender} refused")
    if isinstance(exc, smtplib.SMTPDataError):
        return _by_code(config, exc.smtp_code, exc.smtp_error, "message refused")
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(config, exc.smtp_code, exc.smtp_error, "unexpected reply")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return DeliveryError(f"SMTP {config.address}: disconnected: {exc}", retryable=True)
    if isinstance(exc, smtplib.SMTPException):
        # e.g. STARTTLS or AUTH configured but not offered: a configuration mismatch.
        return DeliveryError(f"SMTP {config.address}: {exc}", retryable=False)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return DeliveryError(
            f"SMTP {config.address}: TLS certificate not trusted: {exc.verify_message}",
            retryable=False,
        )
    if isinstance(exc, TimeoutError):
        return DeliveryError(
            f"SMTP {config.address}: timed out after {config.timeout:g} s", retryable=True
        )
    # OSError: refused, reset, unreachable, DNS failure, TLS handshake broken off.
    return DeliveryError(f"SMTP {config.address}: {exc.__class__.__name__}: {exc}", retryable=True)


def _connect(config: SmtpConfig, context: ssl.SSLContext) -> smtplib.SMTP:
    if config.implicit_tls:
        return smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
    return smtplib.SMTP(config.host, config.port, timeout=config.timeout)


def _quit(server: smtplib.SMTP) -> None:
    # Not ``with SMTP(...)``: its exit raises on an odd QUIT reply, which would report a
    # message the server already accepted as failed, and the retry would send it twice.
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        server.close()


def send_email(
    config: SmtpConfig, message: EmailMessage, *, ssl_context: ssl.SSLContext | None = None
) -> str:
    """Hand ``message`` to the server; return a short note of what it said.

    ``ssl_context`` defaults to the system trust store with hostname checks (honours
    ``SSL_CERT_FILE``); tests pass one that trusts their own certificate. The envelope
    sender is the address in ``config.sender``; recipients come from the message headers.
    Raises :class:`DeliveryError` with ``retryable`` set as described in the module doc.
    """
    context = ssl_context or ssl.create_default_context()
    envelope_from = email.utils.parseaddr(config.sender)[1]
    try:
        server = _connect(config, context)
        try:
            server.ehlo()
            if config.starttls:
                server.starttls(context=context)
                server.ehlo()
            if config.username is not None and config.password is not None:
                server.login(config.username, config.password)
            refused = server.send_message(message, from_addr=envelope_from)
        finally:
            _quit(server)
    except (smtplib.SMTPException, OSError) as exc:
        raise _translate(config, exc) from exc
    note = f"250 accepted by {config.address}"
    if refused:
        note += (
            " (refused: " + ", ".join(f"{rcpt} {code}" for rcpt, (code, _) in refused.items()) + ")"
        )
    return note
