"""A credential may belong to a learner (their own read access to their competencies).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(
            sa.Column(
                "learner_id",
                sa.Integer,
                sa.ForeignKey("learners.id", name="fk_credentials_learner_id"),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.drop_column("learner_id")
