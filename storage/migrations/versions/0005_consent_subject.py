"""consents.subject_resident_id: a family member's health facts rest on a consent the
resident gave for that member

Members recorded with health facts before this revision get such a consent when the person
who recorded them still has their own health-data consent (the form asked for the member's
agreement); otherwise their health facts are removed, as a withdrawal would have done.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# Members with health facts (disability is set exactly when they were recorded) and the
# recorder's newest own health-data consent, when it is still granted.
_MEMBERS_WITH_CONSENT = """
    SELECT r.id AS resident_id, c.user_id, c.text_version, c.decided_at
    FROM residents r
    JOIN consents c ON c.user_id = r.created_by_user_id
    WHERE r.user_id IS NULL AND r.disability IS NOT NULL
      AND c.kind = 'health_data' AND c.grantee_user_id IS NULL
      AND c.granted AND c.revoked_at IS NULL
      AND c.id = (SELECT max(c2.id) FROM consents c2
                  WHERE c2.user_id = c.user_id AND c2.kind = 'health_data'
                    AND c2.grantee_user_id IS NULL)
"""
_HEALTH_TAGS = "source = 'derived' AND tag NOT IN ('elderly', 'child')"


def upgrade() -> None:
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_resident_id", _ID, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_consents_subject_resident_id_residents"),
            "residents",
            ["subject_resident_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(
            batch_op.f("ix_consents_subject_resident_id"), ["subject_resident_id"], unique=False
        )
    op.execute(
        "INSERT INTO consents (user_id, kind, text_version, granted, decided_at,"
        " subject_resident_id) SELECT m.user_id, 'member_health_data', m.text_version, true,"
        f" m.decided_at, m.resident_id FROM ({_MEMBERS_WITH_CONSENT}) m"
    )
    unconsented = (
        "SELECT r.id FROM residents r WHERE r.user_id IS NULL AND NOT EXISTS ("
        " SELECT 1 FROM consents c WHERE c.subject_resident_id = r.id AND c.granted"
        " AND c.revoked_at IS NULL)"
    )
    op.execute(f"DELETE FROM resident_conditions WHERE resident_id IN ({unconsented})")
    op.execute(f"DELETE FROM resident_tags WHERE {_HEALTH_TAGS} AND resident_id IN ({unconsented})")
    op.execute(
        f"UPDATE residents SET pregnancy = NULL, disability = NULL WHERE id IN ({unconsented})"
    )


def downgrade() -> None:
    op.execute("DELETE FROM consents WHERE kind = 'member_health_data'")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consents_subject_resident_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_consents_subject_resident_id_residents"), type_="foreignkey"
        )
        batch_op.drop_column("subject_resident_id")
