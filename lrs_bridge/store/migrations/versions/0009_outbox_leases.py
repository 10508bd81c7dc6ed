"""Outbox leases that a dispatcher must still hold to settle a row, and notifications that
wait for a channel.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("lease_token", sa.String(32)))
    op.create_index(
        "ix_notifications_waiting",
        "notifications",
        ["id"],
        sqlite_where=sa.text("status = 'waiting'"),
        postgresql_where=sa.text("status = 'waiting'"),
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_waiting", table_name="notifications")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("lease_token")
