"""database_uses: whether a real bot ("live") or the trial chat ("trial") runs on the database

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "database_uses",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("first_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_database_uses")),
    )


def downgrade() -> None:
    op.drop_table("database_uses")
