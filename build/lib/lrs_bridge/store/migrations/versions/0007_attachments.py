"""Statement attachments: content by SHA-2 (database chunks or file store), linked to statements.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("sha2", sa.String(128), primary_key=True),
        sa.Column("content_type", sa.String(255), nullable=False),
        sa.Column("length", sa.BigInteger, nullable=False),
        sa.Column("location", sa.String(16), nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "attachment_chunks",
        sa.Column(
            "sha2",
            sa.String(128),
            sa.ForeignKey("attachments.sha2", name="fk_attachment_chunks_sha2", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("n", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "statement_attachments",
        sa.Column(
            "statement_seq",
            sa.BigInteger,
            sa.ForeignKey(
                "statements.seq", name="fk_statement_attachments_seq", ondelete="CASCADE"
            ),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column(
            "sha2",
            sa.String(128),
            sa.ForeignKey("attachments.sha2", name="fk_statement_attachments_sha2"),
            primary_key=True,
        ),
    )
    op.create_index("ix_statement_attachments_sha2", "statement_attachments", ["sha2"])


def downgrade() -> None:
    op.drop_index("ix_statement_attachments_sha2", table_name="statement_attachments")
    op.drop_table("statement_attachments")
    op.drop_table("attachment_chunks")
    op.drop_table("attachments")
