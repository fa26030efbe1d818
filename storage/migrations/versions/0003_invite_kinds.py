"""doctor_invites: revoked_at, kind (staff or admin), label; staff_id nullable for admin invites

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("doctor_invites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum("staff", "admin", name="invitekind", native_enum=False, length=24),
                nullable=False,
                server_default="staff",  # every invite made before this was for staff
            )
        )
        batch_op.add_column(sa.Column("label", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("revoked_at", storage.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.alter_column("staff_id", existing_type=sa.String(length=32), nullable=True)
        batch_op.create_index(batch_op.f("ix_doctor_invites_staff_id"), ["staff_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("doctor_invites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_doctor_invites_staff_id"))
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("label")
        batch_op.drop_column("kind")
    # Admin invites have no staff member: they cannot survive the NOT NULL.
    op.execute("DELETE FROM doctor_invites WHERE staff_id IS NULL")
    with op.batch_alter_table("doctor_invites", schema=None) as batch_op:
        batch_op.alter_column("staff_id", existing_type=sa.String(length=32), nullable=False)
