"""Authentication throttling: failed attempts per key and per client address.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_failures",
        sa.Column("bucket", sa.String(80), primary_key=True),
        sa.Column("window_start_us", sa.BigInteger, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
    )
    op.create_index("ix_auth_failures_window", "auth_failures", ["window_start_us"])


def downgrade() -> None:
    op.drop_index("ix_auth_failures_window", table_name="auth_failures")
    op.drop_table("auth_failures")
