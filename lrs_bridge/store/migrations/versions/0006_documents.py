"""Document resources: State, Activity Profile and Agent Profile documents.

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
    sa.Integer  # noqa: B018 - filled in by the documents work
    op.get_bind()


def downgrade() -> None:
    pass
