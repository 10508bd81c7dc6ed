"""Statements with their query side tables, and credentials.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SequenceInteger = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("secret_hash", sa.String(300), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.text("false")),
    )
    op.create_table(
        "statements",
        sa.Column("seq", SequenceInteger, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("stored_us", sa.BigInteger, nullable=False),
        sa.Column("timestamp_us", sa.BigInteger, nullable=False),
        sa.Column("verb_id", sa.Text, nullable=False),
        sa.Column("actor_key", sa.Text),
        sa.Column("object_type", sa.String(16), nullable=False),
        sa.Column("object_key", sa.Text),
        sa.Column("registration", sa.String(36)),
        sa.Column("voids_id", sa.String(36)),
        sa.Column("voided", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("authority_id", sa.Integer, sa.ForeignKey("credentials.id")),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column("statement", sa.Text, nullable=False),
    )
    op.create_index("ix_statements_stored", "statements", ["stored_us"])
    op.create_index(
        "ix_statements_statement_refs",
        "statements",
        ["object_key"],
        sqlite_where=sa.text("object_type = 'StatementRef'"),
        postgresql_where=sa.text("object_type = 'StatementRef'"),
    )
    op.create_index("ix_statements_authority_seq", "statements", ["authority_id", "seq"])
    op.create_table(
        "statement_keys",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("seq", SequenceInteger, sa.ForeignKey("statements.seq"), primary_key=True),
        sa.Column("narrow", sa.Boolean, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_statement_keys_seq", "statement_keys", ["seq"])


def downgrade() -> None:
    op.drop_table("statement_keys")
    op.drop_table("statements")
    op.drop_table("credentials")
