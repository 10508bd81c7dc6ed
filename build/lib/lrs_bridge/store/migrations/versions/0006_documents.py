"""Document resources: State, Activity Profile and Agent Profile documents.

Also the canonical Activity definitions the Activities resource merges from statements.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("activity_id", sa.Text, primary_key=True),
        sa.Column("agent_key", sa.Text, primary_key=True),
        sa.Column("registration", sa.String(36), primary_key=True),
        sa.Column("document_id", sa.Text, primary_key=True),
        sa.Column("content_type", sa.String(255), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("etag", sa.String(40), nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )
    op.create_index(
        "ix_documents_since",
        "documents",
        ["kind", "activity_id", "agent_key", "registration", "updated_us"],
    )
    op.create_table(
        "activity_definitions",
        sa.Column("activity_id", sa.Text, primary_key=True),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("through_seq", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("activity_definitions")
    op.drop_index("ix_documents_since", table_name="documents")
    op.drop_table("documents")
