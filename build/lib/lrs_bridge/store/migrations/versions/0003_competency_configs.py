"""Versioned competency framework and map documents.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "competency_configs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("framework", sa.Text, nullable=False),
        sa.Column("map", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("created_by", sa.String(200)),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("replayed_us", sa.BigInteger),
    )


def downgrade() -> None:
    op.drop_table("competency_configs")
