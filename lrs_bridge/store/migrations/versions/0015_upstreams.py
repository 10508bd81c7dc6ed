"""Upstream LRSs: the registry, the forward outbox and per-upstream pull/forward state.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SequenceInteger = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "upstreams",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("endpoint", sa.String(2000), nullable=False),
        sa.Column("key", sa.String(500), nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("verbs", sa.Text, nullable=False, server_default="[]"),
        sa.Column("activity_prefixes", sa.Text, nullable=False, server_default="[]"),
        sa.Column("platforms", sa.Text, nullable=False, server_default="[]"),
        sa.Column("credentials", sa.Text, nullable=False, server_default="[]"),
        sa.Column("source", sa.String(16), nullable=False, server_default="api"),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("pull_credential_id", sa.Integer, sa.ForeignKey("credentials.id")),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "upstream_outbox",
        sa.Column("id", SequenceInteger, primary_key=True, autoincrement=True),
        sa.Column(
            "upstream_id",
            sa.Integer,
            sa.ForeignKey("upstreams.id", name="fk_upstream_outbox_upstream", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "seq",
            SequenceInteger,
            sa.ForeignKey("statements.seq", name="fk_upstream_outbox_seq", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("queued_us", sa.BigInteger, nullable=False),
        sa.Column("next_attempt_us", sa.BigInteger, nullable=False),
        sa.Column("first_failure_us", sa.BigInteger),
        sa.Column("lease_token", sa.String(64)),
        sa.Column("lease_until_us", sa.BigInteger),
        sa.Column("last_error", sa.Text),
        sa.Column("delivered_us", sa.BigInteger),
    )
    op.create_index(
        "ux_upstream_outbox_statement", "upstream_outbox", ["upstream_id", "seq"], unique=True
    )
    op.create_index(
        "ix_upstream_outbox_status", "upstream_outbox", ["upstream_id", "status", "seq"]
    )
    op.create_index("ix_upstream_outbox_seq", "upstream_outbox", ["seq"])
    op.create_table(
        "upstream_state",
        sa.Column(
            "upstream_id",
            sa.Integer,
            sa.ForeignKey("upstreams.id", name="fk_upstream_state_upstream", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("pull_since_us", sa.BigInteger),
        sa.Column("pull_more", sa.Text),
        sa.Column("pull_seen", sa.Text),
        sa.Column("pull_lease_token", sa.String(64)),
        sa.Column("pull_lease_until_us", sa.BigInteger),
        sa.Column("pull_last_success_us", sa.BigInteger),
        sa.Column("pull_last_error", sa.Text),
        sa.Column("pull_last_error_us", sa.BigInteger),
        sa.Column("pulled_count", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("forward_lease_token", sa.String(64)),
        sa.Column("forward_lease_until_us", sa.BigInteger),
        sa.Column("forward_last_success_us", sa.BigInteger),
        sa.Column("forward_last_error", sa.Text),
        sa.Column("forward_last_error_us", sa.BigInteger),
        sa.Column("forwarded_count", sa.BigInteger, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("upstream_state")
    op.drop_table("upstream_outbox")
    op.drop_table("upstreams")
