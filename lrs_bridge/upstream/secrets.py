"""Upstream secrets encrypted at rest (Fernet: AES-128-CBC with an HMAC-SHA256 tag).

An upstream's secret must be sent in clear to the upstream, so it cannot be hashed like a
credential's. It is encrypted with a key that is either

- ``upstream_secret_key`` (``LRS_BRIDGE_UPSTREAM_SECRET_KEY``), kept outside the database:
  a stolen database file or backup alone does not reveal the secrets; or
- else an instance key kept in the database itself (``instance_secrets``): this only keeps
  secrets out of casual reads (SQL consoles, exports of the ``upstreams`` table, logs of
  queries); whoever holds the whole database holds the key too.

Pure: the instance key comes from a callable, so this module does no I/O of its own.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken

from lrs_bridge.errors import StoreError

#: ``instance_secrets`` name of the fallback key.
INSTANCE_KEY_NAME = "upstream-secret-key"
#: Stored values start with this, so a value can never be mistaken for a clear secret.
PREFIX = "fernet:"


def fernet_key(material: str) -> bytes:
    """A Fernet key from any passphrase or random string (SHA-256 of it, base64)."""
    return base64.urlsafe_b64encode(hashlib.sha256(material.encode()).digest())


class SecretBox:
    """Encrypts and decrypts upstream secrets; the key is resolved on first use."""

    def __init__(self, key_material: Callable[[], str]) -> None:
        self._material = key_material
        self._lock = threading.Lock()
        self._fernet: Fernet | None = None

    def _cipher(self) -> Fernet:
        with self._lock:
            if self._fernet is None:
                self._fernet = Fernet(fernet_key(self._material()))
            return self._fernet

    def seal(self, secret: str) -> str:
        """The stored form of ``secret``."""
        return PREFIX + self._cipher().encrypt(secret.encode()).decode()

    def open(self, stored: str) -> str:
        """The clear secret of a stored value (a wrong key is a ``StoreError``, never a
        silent garbage secret sent upstream)."""
        if not stored.startswith(PREFIX):
            raise StoreError("an upstream secret is stored unencrypted; set it again")
        try:
            return self._cipher().decrypt(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise StoreError(
                "an upstream secret cannot be decrypted: upstream_secret_key differs from the "
                "key it was stored with; set it back, or set the upstream's secret again"
            ) from None


def secret_box(configured_key: str, instance_key: Callable[[], str]) -> SecretBox:
    """The box for this process: the configured key if any, else the instance key."""
    if configured_key:
        return SecretBox(lambda: configured_key)
    return SecretBox(instance_key)
