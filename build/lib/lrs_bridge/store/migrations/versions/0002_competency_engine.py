"""Competency engine: learners and their IFIs, the evidence ledger, competency state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SequenceInteger = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "learners",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(300)),
        sa.Column("email", sa.String(320)),
        sa.Column("team", sa.String(200)),
        sa.Column("manager_id", sa.Integer, sa.ForeignKey("learners.id")),
        sa.Column("language", sa.String(35)),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "learner_ifis",
        sa.Column("agent_key", sa.Text, primary_key=True),
        sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), nullable=False),
    )
    op.create_index("ix_learner_ifis_learner_id", "learner_ifis", ["learner_id"])
    op.create_table(
        "evidence",
        sa.Column("seq", SequenceInteger, sa.ForeignKey("statements.seq"), primary_key=True),
        sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), primary_key=True),
        sa.Column("competency_id", sa.Text, primary_key=True),
        sa.Column("rule_id", sa.Text, nullable=False),
        sa.Column("method", sa.String(64), nullable=False),
        sa.Column("weight", sa.Float, nullable=False),
        sa.Column("quality", sa.Float, nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_evidence_learner_competency", "evidence", ["learner_id", "competency_id"])
    op.create_table(
        "competency_state",
        sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), primary_key=True),
        sa.Column("competency_id", sa.Text, primary_key=True),
        sa.Column("level", sa.Float, nullable=False),
        sa.Column("last_evidence_us", sa.BigInteger),
        sa.Column("stale_at_us", sa.BigInteger),
        sa.Column("evidence_count", sa.Integer, nullable=False),
        sa.Column("stability_days", sa.Float),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_competency_state_stale_at", "competency_state", ["stale_at_us"])


def downgrade() -> None:
    op.drop_table("competency_state")
    op.drop_table("evidence")
    op.drop_table("learner_ifis")
    op.drop_table("learners")
