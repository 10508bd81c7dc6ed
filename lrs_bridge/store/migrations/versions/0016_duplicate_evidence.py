"""Duplicate evidence by content: each evidence row's content fingerprint, and the
statement it repeats (``competency/dedup.py``).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

SequenceInteger = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Rows written before this revision have no fingerprint and so never count as repeats
    # until a replay (``lrs-bridge competencies replay``) evaluates them again.
    with op.batch_alter_table("evidence") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(32)))
        batch.add_column(sa.Column("duplicate_of", SequenceInteger))


def downgrade() -> None:
    with op.batch_alter_table("evidence") as batch:
        batch.drop_column("duplicate_of")
        batch.drop_column("fingerprint")
