"""Console sign-in: console users, passwords, one-time e-mail links and who a person is.

Why each rule:

* Tokens are random (256 bits) and only their SHA-256 is stored, so reading the table
  signs nobody in. A sign-in link lasts 15 minutes; an assignment link in a refresher
  e-mail lasts 7 days (the e-mail is read later). Every token works once: the store
  consumes it with one conditional UPDATE, so two clicks cannot both sign in.
* Asking for a link answers the same whether or not the address is known (no account
  enumeration), and the e-mail goes out on a background thread so the answer takes as
  long either way. It is sent straight to SMTP, not through the outbox: the outbox would
  keep the plain token in its payload and deliver it only at the next dispatch.
* Link requests and failed passwords are counted per address and per client in the shared
  failure table (``auth_failures``), so every worker sees them; past the limit: 429.
* A person who is both a console admin and a directory learner signs in as the admin.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import secrets
import threading
import urllib.parse
from collections.abc import Callable
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any, Literal, Protocol

from lrs_bridge.auth import FailureCounter, first_full_bucket, hash_secret, verify_secret
from lrs_bridge.errors import BadRequest, LrsBridgeError, NotFound, TooManyRequests, Unauthorized
from lrs_bridge.notify.model import Digest
from lrs_bridge.notify.signin_email import render_signin_email
from lrs_bridge.notify.smtp import SmtpConfig, send_email
from lrs_bridge.services.directory import email_keys
from lrs_bridge.store.base import Clock
from lrs_bridge.store.console_users import (
    ConsoleUser,
    ConsoleUserStore,
    ConsumedToken,
    NewToken,
    TokenOutcome,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from lrs_bridge.config import Settings
    from lrs_bridge.runtime import Runtime
    from lrs_bridge.store.sqlalchemy import SqlStore

logger = logging.getLogger(__name__)

#: Console roles; only ``admin`` today. A new role is one more entry here.
ROLES = ("admin",)
#: Where sign-in links lead (the path prefix is a contract of issue 10).
SIGNIN_PATH = "/console/sign-in/"
LINK_MINUTES = 15
ASSIGNMENT_LINK_DAYS = 7
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UserStore(Protocol):
    """Console users and sign-in tokens (``store.console_users.ConsoleUserStore``)."""

    def add_user(
        self, *, email: str, name: str | None, role: str, password_hash: str | None, now_us: int
    ) -> ConsoleUser: ...
    def user_by_email(self, email: str) -> ConsoleUser | None: ...
    def user_by_id(self, user_id: int) -> ConsoleUser | None: ...
    def users(self) -> list[ConsoleUser]: ...
    def set_disabled(self, email: str, disabled: bool) -> bool: ...
    def add_token(self, token: NewToken) -> None: ...
    def consume_token(self, token_hash: str, now_us: int) -> ConsumedToken: ...
    def token_state(self, token_hash: str, now_us: int) -> TokenOutcome: ...


class Learners(Protocol):
    """Directory look-ups (``SqlStore``)."""

    def learner_by_agent_key(self, agent_key: str) -> dict[str, Any] | None: ...
    def learner_by_id(self, learner_id: int) -> dict[str, Any] | None: ...


#: Hands a message to SMTP (``notify.smtp.send_email``).
EmailSender = Callable[[SmtpConfig, EmailMessage], str]
#: Runs a send (default: a background thread, so answers take the same time either way).
Runner = Callable[[Callable[[], None]], None]


def _in_background(job: Callable[[], None]) -> None:
    threading.Thread(target=job, name="signin-mail", daemon=True).start()


@dataclasses.dataclass(frozen=True, kw_only=True)
class SignInThrottle:
    """Link requests plus failed passwords allowed per e-mail and per client, per window."""

    max_per_email: int = 5
    max_per_address: int = 30
    window_seconds: int = 900


@dataclasses.dataclass(frozen=True, kw_only=True)
class Identity:
    """Who signed in: what the console turns into its ``Viewer``."""

    kind: Literal["admin", "learner"]
    email: str
    name: str | None
    user_id: int | None
    learner_id: int | None
    language: str | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Confirmation:
    """The result of using a token: ``identity`` and ``next_path`` when ``outcome`` is ok."""

    outcome: TokenOutcome
    identity: Identity | None = None
    next_path: str | None = None


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def safe_next(path: str | None) -> str | None:
    """``path`` if it is a local console path (``/console`` or below), else None: no open
    redirect through ``//host``, ``/\\host``, schemes or control characters."""
    if not path or len(path) > 500 or any(ord(c) < 32 or c == "\\" for c in path):
        return None
    parts = urllib.parse.urlsplit(path)
    if parts.scheme or parts.netloc or path.startswith("//"):
        return None
    if parts.path != "/console" and not parts.path.startswith("/console/"):
        return None
    return path


def normalise_email(email: str, field: str = "email") -> str:
    """A trimmed, lower-cased address; 400 naming ``field`` when it is not one."""
    email = (email or "").strip().lower()
    if not _EMAIL.match(email) or len(email) > 320:
        raise BadRequest(f"{field}: not an e-mail address", field=field)
    return email


class SignInService:
    """The use cases behind the console's sign-in pages and the ``users`` commands."""

    def __init__(
        self,
        users: UserStore,
        learners: Learners,
        failures: FailureCounter,
        clock: Clock,
        *,
        public_url: str = "",
        refresher_links: bool | None = None,
        smtp_url: str = "",
        smtp_from: str = "",
        send: EmailSender | None = None,
        run: Runner = _in_background,
        throttle: SignInThrottle | None = None,
    ) -> None:
        self.users = users
        self.learners = learners
        self.failures = failures
        self.clock = clock
        #: Where links point (``settings.base_url``).
        self.public_url = public_url.rstrip("/")
        #: Whether refresher e-mails carry console links: only when a public URL is
        #: configured (a guessed ``http://host:port`` is no address to mail to people).
        self.refresher_links = bool(public_url) if refresher_links is None else refresher_links
        self.smtp_url = smtp_url
        self.smtp_from = smtp_from
        self.send = send
        self.run = run
        self.throttle = throttle or SignInThrottle()
        self._dummy_hash = hash_secret(secrets.token_urlsafe(24))

    # -- users (CLI) --------------------------------------------------------------------------

    def create_user(
        self, *, email: str, role: str, name: str | None = None, password: str | None = None
    ) -> ConsoleUser:
        """A new console user; without a password they sign in by e-mail link only."""
        if role not in ROLES:
            raise BadRequest(f"role: must be one of {', '.join(ROLES)}", field="role")
        if password is not None and len(password) < 8:
            raise BadRequest("password: at least 8 characters", field="password")
        return self.users.add_user(
            email=normalise_email(email),
            name=(name or "").strip() or None,
            role=role,
            password_hash=hash_secret(password) if password else None,
            now_us=self.clock(),
        )

    def list_users(self) -> list[ConsoleUser]:
        """Every console user."""
        return self.users.users()

    def disable_user(self, email: str) -> None:
        """Stop a user signing in (their unused links die too); 404 when unknown."""
        if not self.users.set_disabled(normalise_email(email), True):
            raise NotFound(f"no console user with e-mail {email}")

    # -- who is who ---------------------------------------------------------------------------

    def identify(self, email: str) -> Identity | None:
        """The console identity of an address: an enabled admin user first, else a learner."""
        user = self.users.user_by_email(email)
        learner = self.learners.learner_by_agent_key(email_keys(email)[0])
        if user is not None and not user.disabled and user.role == "admin":
            return Identity(
                kind="admin",
                email=user.email,
                name=user.name or (learner or {}).get("name"),
                user_id=user.id,
                learner_id=learner["id"] if learner else None,
                language=(learner or {}).get("language"),
            )
        if learner is not None:
            return Identity(
                kind="learner",
                email=email.strip().lower(),
                name=learner.get("name"),
                user_id=None,
                learner_id=learner["id"],
                language=learner.get("language"),
            )
        return None

    def _identity_of(self, user_id: int | None, learner_id: int | None) -> Identity | None:
        """Re-resolve a token's subject now (disabled or erased since: nobody)."""
        email = None
        if user_id is not None:
            user = self.users.user_by_id(user_id)
            email = user.email if user else None
        elif learner_id is not None:
            learner = self.learners.learner_by_id(learner_id)
            email = learner.get("email") if learner else None
        if not email:
            return None
        found = self.identify(email)
        if found is None or (learner_id is not None and found.learner_id != learner_id):
            return None
        return found

    # -- passwords ----------------------------------------------------------------------------

    def sign_in_with_password(self, email: str, password: str, client: str | None) -> Identity:
        """An admin's password sign-in; 401 (same for unknown and wrong), 429 when throttled."""
        address = normalise_email(email)
        buckets = self._buckets(address, client)
        self._refuse_if_throttled(buckets)
        user = self.users.user_by_email(address)
        stored = user.password_hash if user is not None and not user.disabled else None
        # Unknown, disabled and link-only users cost one scrypt too: no timing tells them apart.
        matches = verify_secret(password, stored or self._dummy_hash)
        identity = self.identify(address) if stored and matches else None
        if identity is None or identity.kind != "admin":
            self._count(buckets)
            raise Unauthorized("wrong e-mail address or password")
        return identity

    # -- links --------------------------------------------------------------------------------

    @property
    def can_send_links(self) -> bool:
        """Whether sign-in links can be e-mailed (an SMTP channel is configured)."""
        return bool(self.smtp_url) and self.send is not None

    def request_link(self, email: str, client: str | None, next_path: str | None = None) -> None:
        """E-mail a sign-in link if the address is someone's; silent otherwise."""
        address = normalise_email(email)
        buckets = self._buckets(address, client)
        self._refuse_if_throttled(buckets)
        self._count(buckets)
        identity = self.identify(address)
        if identity is None or not self.can_send_links:
            return
        send = self.send
        assert send is not None  # can_send_links

        def deliver() -> None:
            # Off the request path, so a known address answers as fast as an unknown one.
            try:
                url = self._issue(identity, next_path, LINK_MINUTES * 60)
                message = render_signin_email(
                    to=address,
                    name=identity.name,
                    url=url,
                    minutes=LINK_MINUTES,
                    language=identity.language,
                    sender=self.smtp_from,
                )
                send(SmtpConfig.from_url(self.smtp_url, sender=self.smtp_from), message)
            except (LrsBridgeError, OSError, ValueError) as error:  # logged, never shown
                logger.warning("sign-in e-mail not sent", extra={"error": str(error)})

        self.run(deliver)

    def sign_in_link(self, email: str, next_path: str | None = None) -> str:
        """A 15-minute link for the CLI (an operator hands it over); 404 when unknown."""
        identity = self.identify(normalise_email(email))
        if identity is None:
            raise NotFound(f"nobody with e-mail {email} (no console user or learner)")
        return self._issue(identity, next_path, LINK_MINUTES * 60)

    def assignment_link(self, learner_id: int, assignment_id: int) -> str:
        """A 7-day link signing the learner in straight to their assignment's page."""
        learner = self.learners.learner_by_id(learner_id)
        if learner is None:
            raise NotFound(f"no learner {learner_id}")
        identity = Identity(
            kind="learner",
            email=learner.get("email") or "",
            name=learner.get("name"),
            user_id=None,
            learner_id=learner_id,
            language=learner.get("language"),
        )
        return self._issue(
            identity, f"/console/assignments/{assignment_id}", ASSIGNMENT_LINK_DAYS * 86_400
        )

    def digest_links(self, digest: Digest) -> dict[int, str]:
        """For a refresher or reminder e-mail (addressed to the learner): a 7-day link per
        assignment; none for escalations (they go to the manager) or without a public URL."""
        if not self.refresher_links or digest.kind not in ("assigned", "reminder"):
            return {}
        if self.learners.learner_by_id(digest.learner_id) is None:
            return {}  # erased since the digest was queued: the mail goes without links
        return {
            item.assignment_id: self.assignment_link(digest.learner_id, item.assignment_id)
            for item in digest.items
        }

    def _issue(self, identity: Identity, next_path: str | None, seconds: int) -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        self.users.add_token(
            NewToken(
                token_hash=token_hash(token),
                # A learner link names the learner (an admin who is also that learner still
                # signs in as admin: identity is resolved again when the link is used).
                user_id=identity.user_id if identity.kind == "admin" else None,
                learner_id=None if identity.kind == "admin" else identity.learner_id,
                next_path=safe_next(next_path),
                created_us=now,
                expires_us=now + seconds * 1_000_000,
            )
        )
        return f"{self.public_url}{SIGNIN_PATH}{token}"

    def link_state(self, token: str) -> TokenOutcome:
        """Whether a link would still sign in (the confirm page), without using it."""
        return self.users.token_state(token_hash(token), self.clock())

    def confirm(self, token: str) -> Confirmation:
        """Use a link: at most once, within its lifetime, for someone who still exists."""
        consumed = self.users.consume_token(token_hash(token), self.clock())
        if consumed.outcome != "ok":
            return Confirmation(outcome=consumed.outcome)
        identity = self._identity_of(consumed.user_id, consumed.learner_id)
        if identity is None:
            return Confirmation(outcome="unknown")
        return Confirmation(outcome="ok", identity=identity, next_path=consumed.next_path)

    # -- throttling ---------------------------------------------------------------------------

    def _buckets(self, email: str, client: str | None) -> dict[str, int]:
        digest = hashlib.sha256(email.encode()).hexdigest()[:32]
        buckets = {f"signin:{digest}": self.throttle.max_per_email}
        if client:
            buckets[f"signin-addr:{client[:64]}"] = self.throttle.max_per_address
        return buckets

    def _refuse_if_throttled(self, buckets: dict[str, int]) -> None:
        window_us = self.throttle.window_seconds * 1_000_000
        full = first_full_bucket(self.failures, buckets, self.clock(), window_us)
        if full is not None:
            wait = full[1]
            raise TooManyRequests(f"too many sign-in attempts; retry in {wait} s", retry_after=wait)

    def _count(self, buckets: dict[str, int]) -> None:
        window_us = self.throttle.window_seconds * 1_000_000
        self.failures.add_auth_failure(list(buckets), self.clock(), window_us)


def from_runtime(runtime: Runtime) -> SignInService:
    """The service of one process's runtime (the console and the CLI share it)."""
    return runtime.signin


def build_signin(
    settings: Settings, engine: Engine, store: SqlStore, clock: Clock
) -> SignInService:
    """The service wired from settings (``runtime.build_runtime`` calls it)."""
    return SignInService(
        ConsoleUserStore(engine),
        store,
        store,
        clock,
        public_url=settings.base_url,
        refresher_links=bool(settings.public_url),
        smtp_url=settings.smtp_url,
        smtp_from=settings.smtp_from,
        send=send_email,
    )
