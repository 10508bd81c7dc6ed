"""Which statements of a credential count as evidence: ``trusted``, ``self`` or ``none``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(
            sa.Column("evidence", sa.String(16), nullable=False, server_default="trusted")
        )
    # A learner's own credential speaks only for that learner (as new ones do by default).
    op.execute("UPDATE credentials SET evidence = 'self' WHERE learner_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.drop_column("evidence")
