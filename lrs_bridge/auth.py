"""Credentials: secrets hashed with scrypt, scopes from the xAPI list plus ``admin``.

A memory-hard hash makes a stolen table useless, but costs tens of milliseconds: far too
much for every request of an LMS posting statements one by one. :class:`Authenticator`
therefore remembers a successful verification for ``cache_seconds`` under a keyed digest
(a per-process random pepper), so the secret is neither stored nor recomputed per request.
The cached credential is re-read (one indexed row) every :data:`RECHECK_SECONDS`, so a
disabled credential stops working in every process within a second. Because scrypt is
costly, failures are throttled per key and per client address (:class:`ThrottlePolicy`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import math
import secrets
import threading
import time
from collections.abc import Callable, Collection, Iterable
from typing import Any, Protocol

from lrs_bridge.errors import BadRequest, Forbidden, TooManyRequests, Unauthorized
from lrs_bridge.store.base import CredentialRecord, CredentialStore
from lrs_bridge.xapi.timefmt import now_us

#: Scopes of xAPI Communication §4 (OAuth scope list) plus ``admin`` for the admin API.
SCOPES = frozenset(
    {
        "statements/write",
        "statements/read",
        "statements/read/mine",
        "all/read",
        "all",
        "state",
        "define",
        "profile",
        "admin",
    }
)
#: Which statements sent with a credential count as competency evidence:
#: ``trusted``: for anyone the statement names (an LMS, a mentoring tool);
#: ``self``: only for the credential's own learner (a learner's credential);
#: ``none``: never (a test harness, a reporting tool that writes).
EVIDENCE_POLICIES = ("trusted", "self", "none")
#: The xAPI default when a credential names no scopes.
DEFAULT_SCOPES = frozenset({"statements/write", "statements/read/mine"})

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def hash_secret(secret: str) -> str:
    """A salted scrypt hash in the form ``scrypt$n$r$p$salt$hash``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        secret.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, encoded: str) -> bool:
    """Whether ``secret`` matches a hash made by :func:`hash_secret` (constant time)."""
    try:
        scheme, n, r, p, salt, expected = encoded.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            secret.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)


def parse_scopes(text: str | Iterable[str]) -> frozenset[str]:
    """Scopes from ``"a,b c"`` or an iterable; unknown scopes are an error naming them."""
    items = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    unknown = sorted(set(items) - SCOPES)
    if unknown:
        raise BadRequest(
            f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(sorted(SCOPES))}",
            field="scopes",
        )
    return frozenset(items) or DEFAULT_SCOPES


@dataclasses.dataclass(frozen=True, kw_only=True)
class Principal:
    """Who is calling, with what rights."""

    credential_id: int
    name: str
    key: str
    scopes: frozenset[str]
    #: Set for a learner's own credential.
    learner_id: int | None = None
    #: Which of its statements count as evidence (one of ``EVIDENCE_POLICIES``).
    evidence: str = "trusted"

    def can_read_statements(self) -> bool:
        """Whether any statements may be read (all, or only this credential's own)."""
        return bool(self.scopes & {"statements/read", "statements/read/mine", "all/read", "all"})

    def reads_only_own_statements(self) -> bool:
        """True when only ``statements/read/mine`` grants reading."""
        return not self.scopes & {"statements/read", "all/read", "all"}

    def can_write_statements(self) -> bool:
        """Whether statements may be stored."""
        return bool(self.scopes & {"statements/write", "all"})

    def require(self, check: Callable[[Principal], bool], what: str) -> None:
        """Raise ``Forbidden`` naming ``what`` unless ``check`` passes."""
        if not check(self):
            raise Forbidden(f"this credential may not {what}", scopes=sorted(self.scopes))

    def is_admin(self) -> bool:
        """The one admin check (``/metrics``, ``/api/v1``): the ``admin`` scope itself;
        ``all`` covers the xAPI resources only."""
        return "admin" in self.scopes

    def has_scope(self, scope: str) -> bool:
        """Whether ``scope`` is granted, directly or through ``all``."""
        return scope in self.scopes or "all" in self.scopes

    # -- Document resources, Agents and Activities (Communication §4.2 scope table) ------

    def can_read_documents(self, scope: str) -> bool:
        """Whether ``state`` or ``profile`` documents (and, for ``profile``, Agents and
        Activities) may be read: that scope, ``all/read`` or ``all``."""
        return bool(self.scopes & {scope, "all/read", "all"})

    def can_write_documents(self, scope: str) -> bool:
        """Whether ``state`` or ``profile`` documents may be changed: that scope or ``all``."""
        return bool(self.scopes & {scope, "all"})

    @staticmethod
    def scopes_may_define(scopes: frozenset[str]) -> bool:
        """Whether statements sent with these scopes may (re)define Activities (``define``)."""
        return bool(scopes & {"define", "all"})


def authority_agent(principal: Principal, homepage: str) -> dict[str, Any]:
    """The xAPI authority Agent the LRS records for statements sent with this credential."""
    return {
        "objectType": "Agent",
        "name": principal.name,
        "account": {"homePage": homepage, "name": principal.key},
    }


def system_agent(homepage: str) -> dict[str, Any]:
    """lrs-bridge itself, as the authority (and instructor) of statements it writes."""
    return {
        "objectType": "Agent",
        "name": "lrs-bridge",
        "account": {"homePage": homepage, "name": "lrs-bridge"},
    }


def new_key_pair() -> tuple[str, str]:
    """A fresh random key and secret, safe to show once to an operator."""
    return secrets.token_urlsafe(12), secrets.token_urlsafe(24)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ThrottlePolicy:
    """How many failed attempts a key and a client address may make per window.

    A key that fails ``max_per_key`` times in ``window_seconds``, or an address that fails
    ``max_per_address`` times, gets 429 for the rest of that window before any scrypt runs.
    A credential already verified in this process (cached) is not throttled: checking it
    costs no scrypt, and an attacker hammering its key must not lock out its LMS.
    """

    max_per_key: int = 10
    max_per_address: int = 50
    window_seconds: int = 60


class FailureCounter(Protocol):
    """Failed attempts per bucket, shared by every process (the database)."""

    def auth_failures(self, buckets: Collection[str], since_us: int) -> dict[str, tuple[int, int]]:
        """``bucket → (failures, window start)`` of windows started after ``since_us``."""
        ...

    def add_auth_failure(self, buckets: Collection[str], now_us: int, window_us: int) -> None:
        """Count one failure in each bucket."""
        ...


def first_full_bucket(
    counter: FailureCounter, limits: dict[str, int], now: int, window_us: int
) -> tuple[str, int] | None:
    """The first bucket whose window holds ``limits[bucket]`` attempts already, and the
    seconds until that window ends; None when every bucket may try again."""
    counts = counter.auth_failures(list(limits), now - window_us)
    for bucket, limit in limits.items():
        attempts, started = counts.get(bucket, (0, now))
        if attempts >= limit:
            return bucket, max(1, math.ceil((started + window_us - now) / 1_000_000))
    return None


#: How often a cached credential is re-read (one indexed row), so that disabling it takes
#: effect in every process within a second.
RECHECK_SECONDS = 0.5

_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    """A real scrypt hash nobody knows the secret of, for unknown keys (made once)."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_secret(secrets.token_urlsafe(24)))
    return _DUMMY_HASH[0]


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Verified:
    probe: bytes
    expires: float
    checked: float
    secret_hash: str
    principal: Principal


class Authenticator:
    """Checks HTTP Basic credentials against the store, caching successes briefly.

    Unknown keys are verified against a dummy hash, so they cost what a wrong secret costs
    and a caller cannot tell which keys exist by timing. Failures are counted per key and
    per client address in ``failures`` (see :class:`ThrottlePolicy`).
    """

    def __init__(
        self,
        store: CredentialStore,
        *,
        cache_seconds: int = 60,
        failures: FailureCounter | None = None,
        throttle: ThrottlePolicy | None = None,
        recheck_seconds: float = RECHECK_SECONDS,
    ) -> None:
        self._store = store
        self._cache_seconds = cache_seconds
        self._failures = failures
        self._throttle = throttle or ThrottlePolicy()
        self._recheck_seconds = recheck_seconds
        self._pepper = secrets.token_bytes(32)
        self._cache: dict[str, _Verified] = {}
        self._lock = threading.Lock()
        _dummy_hash()  # made now, so that no request pays for it

    def authenticate(self, key: str, secret: str, address: str | None = None) -> Principal:
        """The principal for ``key``/``secret``: ``Unauthorized``, or ``TooManyRequests``
        after too many failures of this key or from this ``address``."""
        probe = hmac.new(self._pepper, f"{key}\0{secret}".encode(), hashlib.sha256).digest()
        now = time.monotonic()
        cached = self._cache.get(key)
        if cached and cached.expires > now and hmac.compare_digest(cached.probe, probe):
            if now - cached.checked < self._recheck_seconds or self._still_valid(cached, now):
                return cached.principal
        buckets = self._buckets(key, address)
        self._refuse_if_throttled(buckets)
        record = self._store.credential_by_key(key)
        matches = verify_secret(secret, record.secret_hash if record else _dummy_hash())
        if record is None or record.disabled or not matches:
            self._count_failure(buckets)
            raise Unauthorized("invalid credentials")
        principal = principal_of(record)
        with self._lock:
            self._cache[key] = _Verified(
                probe=probe,
                expires=now + self._cache_seconds,
                checked=now,
                secret_hash=record.secret_hash,
                principal=principal,
            )
        return principal

    def _still_valid(self, cached: _Verified, now: float) -> bool:
        """Re-read a cached credential: still enabled, same secret? Drops it otherwise."""
        record = self._store.credential_by_key(cached.principal.key)
        with self._lock:
            if record is None or record.disabled or record.secret_hash != cached.secret_hash:
                self._cache.pop(cached.principal.key, None)
                return False
            self._cache[cached.principal.key] = dataclasses.replace(cached, checked=now)
        return True

    def _refuse_if_throttled(self, buckets: dict[str, int]) -> None:
        if self._failures is None:
            return
        window_us = self._throttle.window_seconds * 1_000_000
        full = first_full_bucket(self._failures, buckets, now_us(), window_us)
        if full is not None:
            bucket, wait = full
            what = "this key" if bucket.startswith("key:") else "this address"
            raise TooManyRequests(
                f"too many failed attempts for {what}; retry in {wait} s", retry_after=wait
            )

    def _count_failure(self, buckets: dict[str, int]) -> None:
        if self._failures is not None:
            window_us = self._throttle.window_seconds * 1_000_000
            self._failures.add_auth_failure(list(buckets), now_us(), window_us)

    def _buckets(self, key: str, address: str | None) -> dict[str, int]:
        """The failure buckets of an attempt and their limits (a key is stored as a digest,
        so a secret pasted into the key field is never written down)."""
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        buckets = {f"key:{digest}": self._throttle.max_per_key}
        if address:
            buckets[f"addr:{address[:64]}"] = self._throttle.max_per_address
        return buckets


def principal_of(record: CredentialRecord) -> Principal:
    """The principal a stored credential acts as (the authenticator, and the puller acting
    as an upstream's pull credential)."""
    return Principal(
        credential_id=record.id,
        name=record.name,
        key=record.key,
        scopes=record.scopes,
        learner_id=record.learner_id,
        evidence=record.evidence,
    )


def create_credential(
    store: CredentialStore,
    *,
    name: str,
    scopes: str | Iterable[str],
    now_us: int,
    key: str | None = None,
    secret: str | None = None,
    learner_id: int | None = None,
    evidence: str | None = None,
) -> tuple[CredentialRecord, str]:
    """Create a credential; returns it and the plain secret (shown once, never stored).

    ``evidence`` defaults to ``self`` for a learner's own credential (a learner must not be
    able to complete a colleague's refresher) and ``trusted`` for an integration.
    """
    if not name.strip():
        raise BadRequest("a credential needs a name", field="name")
    evidence = evidence or ("self" if learner_id is not None else "trusted")
    if evidence not in EVIDENCE_POLICIES:
        raise BadRequest(
            f"evidence must be one of {', '.join(EVIDENCE_POLICIES)}", field="evidence"
        )
    if evidence == "self" and learner_id is None:
        raise BadRequest("evidence 'self' needs a learner (--learner-email)", field="evidence")
    parsed = parse_scopes(scopes)
    generated_key, generated_secret = new_key_pair()
    key = key or generated_key
    secret = secret or generated_secret
    if ":" in key:
        raise BadRequest("a key may not contain ':' (HTTP Basic separator)", field="key")
    record = store.add_credential(
        name=name,
        key=key,
        secret_hash=hash_secret(secret),
        scopes=parsed,
        created_us=now_us,
        learner_id=learner_id,
        evidence=evidence,
    )
    return record, secret
