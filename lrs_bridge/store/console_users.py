"""SQL for console sign-in: console users and their one-time sign-in tokens.

A token is consumed by one conditional ``UPDATE … WHERE used_us IS NULL AND expires_us > now``:
of two requests racing with the same token (two clicks, two tabs, two workers), the database
lets exactly one change the row, and only that one signs in.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from sqlalchemy import delete, insert, select, update

from lrs_bridge.errors import Conflict
from lrs_bridge.store.tables import console_users, signin_tokens
from lrs_bridge.store.transactions import EngineTransactions

#: Why a token did not sign anyone in (or ``ok`` when it did).
TokenOutcome = Literal["ok", "used", "expired", "unknown"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConsoleUser:
    """A console user as stored; ``password_hash`` None means e-mail link only."""

    id: int
    email: str
    name: str | None
    role: str
    password_hash: str | None
    disabled: bool
    created_us: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewToken:
    """A sign-in token to store: its SHA-256, whom it signs in and where it leads."""

    token_hash: str
    user_id: int | None
    learner_id: int | None
    next_path: str | None
    created_us: int
    expires_us: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConsumedToken:
    """What consuming a token gave: ``outcome``, and whom it names when ``ok``."""

    outcome: TokenOutcome
    user_id: int | None = None
    learner_id: int | None = None
    next_path: str | None = None


def _user(row: Any) -> ConsoleUser:
    return ConsoleUser(
        id=row.id,
        email=row.email,
        name=row.name,
        role=row.role,
        password_hash=row.password_hash,
        disabled=bool(row.disabled),
        created_us=row.created_us,
    )


class ConsoleUserStore(EngineTransactions):
    """Console users and sign-in tokens in the relational database (given an engine,
    which it does not own)."""

    # -- users --------------------------------------------------------------------------------

    def add_user(
        self, *, email: str, name: str | None, role: str, password_hash: str | None, now_us: int
    ) -> ConsoleUser:
        """Create a user; ``Conflict`` naming the address when it is taken."""
        email = email.strip().lower()
        with self._write() as conn:
            taken = conn.execute(
                select(console_users.c.id).where(console_users.c.email == email)
            ).first()
            if taken is not None:
                raise Conflict(f"a console user with e-mail {email} exists", field="email")
            new_id = conn.execute(
                insert(console_users).returning(console_users.c.id),
                {
                    "email": email,
                    "name": name,
                    "role": role,
                    "password_hash": password_hash,
                    "disabled": False,
                    "created_us": now_us,
                },
            ).scalar_one()
            row = conn.execute(select(console_users).where(console_users.c.id == new_id)).one()
        return _user(row)

    def user_by_email(self, email: str) -> ConsoleUser | None:
        """The user with this address (any case), enabled or not."""
        with self._read() as conn:
            row = conn.execute(
                select(console_users).where(console_users.c.email == email.strip().lower())
            ).first()
        return _user(row) if row else None

    def user_by_id(self, user_id: int) -> ConsoleUser | None:
        """One user, enabled or not."""
        with self._read() as conn:
            row = conn.execute(select(console_users).where(console_users.c.id == user_id)).first()
        return _user(row) if row else None

    def users(self) -> list[ConsoleUser]:
        """Every user, oldest first."""
        with self._read() as conn:
            rows = conn.execute(select(console_users).order_by(console_users.c.id)).all()
        return [_user(row) for row in rows]

    def set_disabled(self, email: str, disabled: bool) -> bool:
        """Disable (or enable) a user, ending their unused tokens; False if unknown."""
        with self._write() as conn:
            result = conn.execute(
                update(console_users)
                .where(console_users.c.email == email.strip().lower())
                .values(disabled=disabled)
                .returning(console_users.c.id)
            ).first()
            if result is None:
                return False
            if disabled:
                conn.execute(delete(signin_tokens).where(signin_tokens.c.user_id == result.id))
        return True

    # -- tokens -------------------------------------------------------------------------------

    def add_token(self, token: NewToken) -> None:
        """Store a token (its hash), pruning tokens that expired a day or more ago."""
        with self._write() as conn:
            conn.execute(
                delete(signin_tokens).where(
                    signin_tokens.c.expires_us < token.created_us - 86_400_000_000
                )
            )
            conn.execute(insert(signin_tokens), dataclasses.asdict(token))

    def consume_token(self, token_hash: str, now_us: int) -> ConsumedToken:
        """Mark a token used if it is unused and unexpired; at most one caller gets ``ok``."""
        t = signin_tokens
        with self._write() as conn:
            won = conn.execute(
                update(t)
                .where(t.c.token_hash == token_hash, t.c.used_us.is_(None), t.c.expires_us > now_us)
                .values(used_us=now_us)
                .returning(t.c.user_id, t.c.learner_id, t.c.next_path)
            ).first()
            if won is not None:
                return ConsumedToken(
                    outcome="ok",
                    user_id=won.user_id,
                    learner_id=won.learner_id,
                    next_path=won.next_path,
                )
            row = conn.execute(select(t.c.used_us).where(t.c.token_hash == token_hash)).first()
        if row is None:
            return ConsumedToken(outcome="unknown")
        return ConsumedToken(outcome="used" if row.used_us is not None else "expired")

    def token_state(self, token_hash: str, now_us: int) -> TokenOutcome:
        """Whether a token would sign in now (``ok``), without using it (the confirm page)."""
        t = signin_tokens
        with self._read() as conn:
            row = conn.execute(
                select(t.c.used_us, t.c.expires_us).where(t.c.token_hash == token_hash)
            ).first()
        if row is None:
            return "unknown"
        if row.used_us is not None:
            return "used"
        return "ok" if row.expires_us > now_us else "expired"
