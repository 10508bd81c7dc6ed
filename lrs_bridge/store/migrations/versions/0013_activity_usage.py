"""Activity usage for the console's activity inbox (activities no rule maps, unknown agents).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_usage",
        sa.Column("activity_id", sa.Text, primary_key=True),
        sa.Column("statements", sa.BigInteger, nullable=False),
        sa.Column("learners", sa.Integer, nullable=False),
        sa.Column("evidence_statements", sa.BigInteger, nullable=False),
        sa.Column("last_us", sa.BigInteger, nullable=False),
        sa.Column("example_id", sa.String(36), nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("type", sa.Text),
        sa.Column("verbs", sa.Text, nullable=False),
        sa.Column("platforms", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_activity_usage_busiest",
        "activity_usage",
        ["evidence_statements", "statements", "activity_id"],
    )
    op.create_table(
        "activity_usage_learners",
        sa.Column("activity_id", sa.Text, primary_key=True),
        sa.Column("agent_key", sa.Text, primary_key=True),
    )
    op.create_table(
        "agent_usage",
        sa.Column("agent_key", sa.Text, primary_key=True),
        sa.Column("agent", sa.Text, nullable=False),
        sa.Column("statements", sa.BigInteger, nullable=False),
        sa.Column("last_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_agent_usage_busiest", "agent_usage", ["statements", "agent_key"])
    op.create_table(
        "activity_usage_cursor",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("through_seq", sa.BigInteger, nullable=False),
        sa.Column("flags_version", sa.Integer, nullable=False),
        sa.Column("erasures", sa.Integer, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("activity_usage_cursor")
    op.drop_index("ix_agent_usage_busiest", table_name="agent_usage")
    op.drop_table("agent_usage")
    op.drop_table("activity_usage_learners")
    op.drop_index("ix_activity_usage_busiest", table_name="activity_usage")
    op.drop_table("activity_usage")
