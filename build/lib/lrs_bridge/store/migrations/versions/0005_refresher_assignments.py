"""Refresher assignments, their events, the notification outbox and its delivery log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refresher_assignments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), nullable=False),
        sa.Column("competency_id", sa.Text, nullable=False),
        sa.Column("activity_id", sa.Text, nullable=False),
        sa.Column("method", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("basis_stale_at_us", sa.BigInteger),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("due_us", sa.BigInteger, nullable=False),
        sa.Column("next_check_us", sa.BigInteger),
        sa.Column("acknowledged_us", sa.BigInteger),
        sa.Column("snoozed_us", sa.BigInteger, nullable=False, server_default=sa.text("0")),
        sa.Column("reminders", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("closed_us", sa.BigInteger),
        sa.Column("closed_by", sa.Text),
        sa.Column("scan_run", sa.String(64)),
    )
    open_only = sa.text("closed_us IS NULL")
    op.create_index(
        "ux_refresher_assignments_open",
        "refresher_assignments",
        ["learner_id", "competency_id"],
        unique=True,
        sqlite_where=open_only,
        postgresql_where=open_only,
    )
    op.create_index(
        "ix_refresher_assignments_pair",
        "refresher_assignments",
        ["learner_id", "competency_id", "basis_stale_at_us"],
    )
    op.create_index(
        "ix_refresher_assignments_created", "refresher_assignments", ["learner_id", "created_us"]
    )
    op.create_index(
        "ix_refresher_assignments_next_check",
        "refresher_assignments",
        ["next_check_us"],
        sqlite_where=open_only,
        postgresql_where=open_only,
    )
    op.create_table(
        "assignment_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "assignment_id",
            sa.Integer,
            sa.ForeignKey("refresher_assignments.id"),
            nullable=False,
        ),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("from_status", sa.String(16)),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("cause", sa.Text, nullable=False),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_assignment_events_assignment", "assignment_events", ["assignment_id", "id"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id")),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_us", sa.BigInteger, nullable=False),
        sa.Column("lease_until_us", sa.BigInteger),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("sent_us", sa.BigInteger),
        sa.Column("last_error", sa.Text),
    )
    pending = sa.text("status = 'pending'")
    op.create_index(
        "ix_notifications_due",
        "notifications",
        ["next_attempt_us"],
        sqlite_where=pending,
        postgresql_where=pending,
    )
    op.create_index("ix_notifications_learner", "notifications", ["learner_id"])
    op.create_table(
        "notification_assignments",
        sa.Column(
            "notification_id", sa.Integer, sa.ForeignKey("notifications.id"), primary_key=True
        ),
        sa.Column(
            "assignment_id",
            sa.Integer,
            sa.ForeignKey("refresher_assignments.id"),
            primary_key=True,
        ),
    )
    op.create_index(
        "ix_notification_assignments_assignment", "notification_assignments", ["assignment_id"]
    )
    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("notification_id", sa.Integer, sa.ForeignKey("notifications.id"), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("duration_ms", sa.Float),
        sa.Column("detail", sa.Text),
    )
    op.create_index(
        "ix_delivery_attempts_notification", "delivery_attempts", ["notification_id", "id"]
    )


def downgrade() -> None:
    op.drop_table("delivery_attempts")
    op.drop_table("notification_assignments")
    op.drop_table("notifications")
    op.drop_table("assignment_events")
    op.drop_table("refresher_assignments")
