"""One name for a staff member's post: staff.role holds a StaffRole (gp, nurse,
public_health, assistant), and users.role says only what an account is (resident, staff,
admin): the post it used to copy (doctor, nurse, public_health, assistant) is the staff
row's, reached through users.staff_id.

Existing rows stay valid: staff accounts become 'staff'; a staff.role written the old way
('doctor' for a GP, any case, spaces) is normalised. A staff.role that names no post stops
the upgrade with the values found, rather than leaving a row the bot cannot read.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_POSTS = ("gp", "nurse", "public_health", "assistant")
_OLD_STAFF_ROLES = ("doctor", "nurse", "public_health", "assistant")  # users.role before


def upgrade() -> None:
    op.execute("UPDATE staff SET role = lower(trim(role))")
    op.execute("UPDATE staff SET role = 'gp' WHERE role = 'doctor'")
    op.execute("UPDATE staff SET role = 'public_health' WHERE role = 'public-health'")
    unknown = (
        op.get_bind()
        .execute(sa.text("SELECT DISTINCT role FROM staff WHERE role NOT IN :posts")
                 .bindparams(sa.bindparam("posts", expanding=True)), {"posts": list(_POSTS)})
        .scalars()
        .all()
    )  # fmt: skip
    if unknown:
        raise RuntimeError(f"staff.role values that name no post: {sorted(unknown)}; fix them "
                           f"to one of {', '.join(_POSTS)} and upgrade again")  # fmt: skip
    roles = ", ".join(f"'{r}'" for r in _OLD_STAFF_ROLES)
    op.execute(f"UPDATE users SET role = 'staff' WHERE role IN ({roles})")


def downgrade() -> None:
    # The account's old role again, from its post (a GP's account was 'doctor').
    op.execute(
        "UPDATE users SET role = COALESCE((SELECT CASE s.role WHEN 'gp' THEN 'doctor'"
        " ELSE s.role END FROM staff s WHERE s.id = users.staff_id), 'doctor')"
        " WHERE role = 'staff'"
    )
