"""Console sign-in: console users (admins) and hashed one-time sign-in tokens.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("name", sa.String(300)),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("password_hash", sa.String(300)),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "signin_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("console_users.id", name="fk_signin_tokens_user_id", ondelete="CASCADE"),
        ),
        sa.Column(
            "learner_id",
            sa.Integer,
            sa.ForeignKey("learners.id", name="fk_signin_tokens_learner_id", ondelete="CASCADE"),
        ),
        sa.Column("next_path", sa.String(500)),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("expires_us", sa.BigInteger, nullable=False),
        sa.Column("used_us", sa.BigInteger),
    )
    op.create_index("ix_signin_tokens_expires", "signin_tokens", ["expires_us"])


def downgrade() -> None:
    op.drop_index("ix_signin_tokens_expires", table_name="signin_tokens")
    op.drop_table("signin_tokens")
    op.drop_table("console_users")
